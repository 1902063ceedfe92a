/**
 * How results look in a Deno Jupyter notebook. Results stay plain data;
 * {@linkcode show} wraps one in the object Deno's kernel displays (it looks
 * up `Symbol.for("Jupyter.display")`), choosing the MIME bundle by shape.
 *
 * @module
 */
import { escapeHtml } from "../internal/html.ts";
import { imageFormat } from "../internal/magic.ts";

/** The key Deno's Jupyter kernel looks up to display a value: `Symbol.for("Jupyter.display")`. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A MIME bundle: MIME type to content (base64 for images). */
export type MimeBundle = Record<string, string>;

/** A value Deno's Jupyter kernel displays. */
export interface Displayable {
  /** The bundle the kernel shows. */
  [JUPYTER_DISPLAY](): Promise<MimeBundle>;
}

const MAX_HTML_ROWS = 200;

/**
 * The MIME bundle of a result: a plot (`png`) or a render (`rgba`) as an
 * image, a map (`html`) as an iframe, a feature table (`columns`, `rows`) as
 * an HTML table, an image file in memory (`{ name, bytes }`) as itself;
 * anything else as JSON text.
 *
 * @example
 * ```ts
 * import { mimeBundle } from "@up42/jobtask/notebook";
 * const bundle = await mimeBundle({ columns: ["geometry", "uid"], rows: [{ geometry: null, uid: "<a>" }] });
 * if (!bundle["text/html"].includes("&lt;a&gt;")) throw new Error();
 * ```
 */
export async function mimeBundle(value: unknown): Promise<MimeBundle> {
  const v = value as Record<string, unknown> | null;
  if (v && v.png instanceof Uint8Array) return { "image/png": v.png.toBase64() };
  if (v && typeof v.html === "string") return { "text/html": jupyterFrame(v.html) };
  if (v && Array.isArray(v.columns) && Array.isArray(v.rows)) {
    return {
      "text/html": tableHtml(v.columns as string[], v.rows as Record<string, unknown>[]),
      "text/plain": `${v.rows.length} rows`,
    };
  }
  if (v && v.rgba instanceof Uint8ClampedArray && typeof v.width === "number") {
    const { encodePng } = await import("../image/png.ts");
    return {
      "image/png": encodePng(v as { width: number; height: number; rgba: Uint8ClampedArray })
        .toBase64(),
    };
  }
  if (v && v.bytes instanceof Uint8Array) {
    const format = imageFormat(v.bytes);
    if (format === "png" || format === "jpeg") {
      return { [`image/${format}`]: v.bytes.toBase64() };
    }
  }
  return { "text/plain": JSON.stringify(value, null, 2) ?? String(value) };
}

/**
 * Wraps a result so that a Deno Jupyter notebook displays it: end a cell
 * with `show(await plotResults(...))`. The result itself is not changed.
 *
 * @example
 * ```ts
 * import { show } from "@up42/jobtask/notebook";
 * const shown = show({ html: "<p>map</p>" });
 * const display = shown[Symbol.for("Jupyter.display") as keyof typeof shown] as unknown as () => Promise<Record<string, string>>;
 * if (!(await display())["text/html"].startsWith("<iframe")) throw new Error();
 * ```
 */
export function show(value: unknown): Displayable {
  return { [JUPYTER_DISPLAY]: () => mimeBundle(value) };
}

/**
 * A page inside an iframe's `srcdoc`, escaped for the attribute, so its
 * scripts run in JupyterLab (which does not run scripts of HTML outputs).
 *
 * @example
 * ```ts
 * import { jupyterFrame } from "@up42/jobtask/notebook";
 * if (!jupyterFrame('<p title="x">a</p>').startsWith('<iframe srcdoc="&lt;p title=&quot;x&quot;&gt;a&lt;/p&gt;"')) throw new Error();
 * ```
 */
export function jupyterFrame(html: string): string {
  return `<iframe srcdoc="${
    escapeHtml(html)
  }" style="width: 100%; height: 560px; border: 0" title="Results map"></iframe>`;
}

function tableHtml(columns: string[], rows: Record<string, unknown>[]): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows.slice(0, MAX_HTML_ROWS).map((row) =>
    `<tr>${columns.map((c) => `<td>${escapeHtml(cellText(row[c]))}</td>`).join("")}</tr>`
  ).join("");
  const more = rows.length > MAX_HTML_ROWS ? `<p>${rows.length - MAX_HTML_ROWS} more rows</p>` : "";
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 80)}…` : json;
  }
  return String(value);
}
