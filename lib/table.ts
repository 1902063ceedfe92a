/**
 * Results as a table: the counterpart of the Python SDK's GeoDataFrame. One
 * flat row per feature, nested properties flattened to dotted column names.
 *
 * @module
 */
import type { Feature, FeatureCollection } from "./api.ts";

/** A row: the feature's geometry and its flattened properties. */
export type FeatureRow = { geometry: Feature["geometry"] } & Record<string, unknown>;

/** Rows and their columns (the geometry column first). */
export interface FeatureTable {
  /** Column names in a stable order: `geometry`, `id` when any feature has one, then properties. */
  columns: string[];
  /** One row per feature. */
  rows: FeatureRow[];
}

/**
 * Flattens a FeatureCollection into a {@linkcode FeatureTable}. In a Deno
 * Jupyter notebook the value displays as an HTML table.
 *
 * @example
 * ```ts
 * import { featureTable } from "./table.ts";
 * const table = featureTable({
 *   type: "FeatureCollection",
 *   features: [{ type: "Feature", geometry: null, properties: { uid: "a", acquisition: { mission: "S2" } } }],
 * });
 * console.log(table.columns); // ["geometry", "uid", "acquisition.mission"]
 * ```
 */
export function featureTable(collection: FeatureCollection): FeatureTable {
  const columns = new Set<string>(["geometry"]);
  if (collection.features.some((f) => f.id !== undefined)) columns.add("id");
  const rows = collection.features.map((feature) => {
    const row: FeatureRow = { geometry: feature.geometry };
    if (feature.id !== undefined) row.id = feature.id;
    flatten(feature.properties ?? {}, "", row);
    for (const key of Object.keys(row)) columns.add(key);
    return row;
  });
  const table: FeatureTable = { columns: [...columns], rows };
  Object.defineProperty(table, Symbol.for("Jupyter.display"), {
    value: () => ({ "text/html": tableHtml(table), "text/plain": `${rows.length} rows` }),
    enumerable: false,
  });
  return table;
}

function flatten(value: Record<string, unknown>, prefix: string, into: Record<string, unknown>) {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix + key;
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
      flatten(v as Record<string, unknown>, `${name}.`, into);
    } else {
      into[name] = v;
    }
  }
}

const MAX_HTML_ROWS = 200;

function tableHtml(table: FeatureTable): string {
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = table.rows.slice(0, MAX_HTML_ROWS).map((row) =>
    `<tr>${table.columns.map((c) => `<td>${escapeHtml(cellText(row[c]))}</td>`).join("")}</tr>`
  ).join("");
  const more = table.rows.length > MAX_HTML_ROWS
    ? `<p>${table.rows.length - MAX_HTML_ROWS} more rows</p>`
    : "";
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

/**
 * Escapes `& < > " '` for HTML text and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./table.ts";
 * escapeHtml("<img src=x>"); // "&lt;img src=x&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
