/**
 * File side of plotting: which inputs to plot (folders walked, other formats
 * skipped like the Python SDK does) and atomic PNG output.
 *
 * @module
 */

import { basename, dirname, extname, join, resolve } from "node:path";
import { errorLine, RasterError } from "./errors.ts";
import { sniffFormat } from "./png.ts";
import type { NamedBytes } from "./raster_source.ts";

/** A plot input: a file or folder path, or a file already in memory. */
export type PlotInput = string | NamedBytes;

/** One input selected for plotting. */
export interface SelectedInput {
  /** Path or in-memory name. */
  name: string;
  /** The path, or the bytes when the input was in memory. */
  source: string | NamedBytes;
}

/**
 * Appends the files under `dir` whose names `accept` takes, depth first in
 * name order, to `out`.
 *
 * @example
 * ```ts ignore
 * import { walkFiles } from "./raster_files.ts";
 * const tifs: string[] = [];
 * await walkFiles("results", (name) => name.endsWith(".tif"), tifs);
 * ```
 */
export async function walkFiles(
  dir: string,
  accept: (name: string) => boolean,
  out: string[],
): Promise<void> {
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) await walkFiles(path, accept, out);
    else if (e.isFile && accept(e.name)) out.push(path);
  }
}

async function sniffFile(path: string): Promise<ReturnType<typeof sniffFormat>> {
  const file = await Deno.open(path);
  try {
    const head = new Uint8Array(4);
    await file.read(head);
    return sniffFormat(head);
  } finally {
    file.close();
  }
}

/**
 * Selects the inputs of accepted formats (extensions compared without case):
 * folders are walked (sorted), other formats skipped, and an explicit file
 * without an extension is accepted when its content is of an accepted kind
 * (quicklooks are often saved without one). Throws when nothing is left.
 *
 * @example
 * ```ts ignore
 * import { selectInputs } from "./raster_files.ts";
 * const inputs = await selectInputs(["results/"], [".tif", ".tiff"]);
 * ```
 */
export async function selectInputs(
  inputs: PlotInput[],
  formats: string[],
): Promise<SelectedInput[]> {
  const wanted = formats.map((f) => (f.startsWith(".") ? f : `.${f}`).toLowerCase());
  const accept = (name: string) => wanted.includes(extname(name).toLowerCase());
  const kinds = new Set(
    wanted.map((f) => (f.startsWith(".tif") ? "tiff" : f === ".png" ? "png" : "jpeg")),
  );
  const out: SelectedInput[] = [];
  for (const input of inputs) {
    if (typeof input !== "string") {
      const kind = sniffFormat(input.bytes);
      if (accept(input.name) || (!extname(input.name) && kind && kinds.has(kind))) {
        out.push({ name: input.name, source: input });
      }
      continue;
    }
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(input);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new RasterError(`${input}: file not found: check the path`);
      }
      throw new RasterError(`${input}: cannot read (${errorLine(e)})`, { cause: e });
    }
    if (info.isDirectory) {
      const found: string[] = [];
      await walkFiles(input, accept, found);
      out.push(...found.map((p) => ({ name: p, source: p })));
    } else if (accept(input)) {
      out.push({ name: input, source: input });
    } else if (!extname(input)) {
      const kind = await sniffFile(input);
      if (kind && kinds.has(kind)) out.push({ name: input, source: input });
    }
  }
  if (out.length === 0) {
    const given = inputs.map((i) => (typeof i === "string" ? i : i.name));
    const list = given.length > 3 ? `${given.slice(0, 3).join(", ")}, …` : given.join(", ");
    throw new RasterError(
      `This function only plots files of format [${wanted.join(", ")}]; none found in ${
        list || "the empty list given"
      }: pass such files or folders holding them, or set plotFileFormat`,
    );
  }
  return out;
}

/**
 * The title of an input: its file name without extension.
 *
 * @example
 * ```ts
 * import { stem } from "./raster_files.ts";
 * console.log(stem("/a/b/scene_0-0.tif")); // "scene_0-0"
 * ```
 */
export function stem(name: string): string {
  const base = basename(name);
  const ext = extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

/**
 * Writes bytes atomically: a temporary file beside the target, then a rename;
 * nothing is left behind on failure. Returns the absolute path.
 *
 * @example
 * ```ts ignore
 * import { writeFileAtomic } from "./raster_files.ts";
 * console.log(await writeFileAtomic("plot.png", new Uint8Array([1])));
 * ```
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<string> {
  const target = resolve(path);
  const temp = join(
    dirname(target),
    `.${basename(target)}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  try {
    await Deno.writeFile(temp, bytes);
    await Deno.rename(temp, target);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw new RasterError(
      `cannot write ${target} (${errorLine(e)}): choose an existing, writable folder`,
      { cause: e },
    );
  }
  return target;
}
