/**
 * Which inputs a plot draws: files and folders (walked, work in progress
 * skipped, other formats skipped like the Python SDK does) or files already
 * in memory.
 *
 * @module
 */
import { basename, extname } from "node:path";
import { errorLine, PermissionError, RasterError } from "../errors.ts";
import type { NamedBytes } from "../files/named_bytes.ts";
import { isPermissionFailure } from "../files/permission.ts";
import { walkFiles } from "../files/walk.ts";
import { imageFormat } from "../internal/magic.ts";

/** A plot input: a file or folder path, or a file already in memory. */
export type PlotInput = string | NamedBytes;

/** One input selected for plotting: a path or a file in memory. */
export type SelectedInput = string | NamedBytes;

/**
 * The name of an input (its path or in-memory name).
 *
 * @example
 * ```ts
 * import { inputName } from "./inputs.ts";
 * if (inputName({ name: "a.tif", bytes: new Uint8Array() }) !== "a.tif") throw new Error();
 * ```
 */
export function inputName(input: SelectedInput): string {
  return typeof input === "string" ? input : input.name;
}

async function sniffFile(path: string): Promise<ReturnType<typeof imageFormat>> {
  const file = await Deno.open(path);
  try {
    const head = new Uint8Array(12);
    await file.read(head);
    return imageFormat(head);
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
 * ```ts
 * import { selectInputs } from "./inputs.ts";
 * const picked = await selectInputs([{ name: "a.tif", bytes: new Uint8Array([0x49, 0x49, 42, 0]) }, { name: "b.txt", bytes: new Uint8Array() }], [".tif"]);
 * if (picked.length !== 1) throw new Error();
 * ```
 */
export async function selectInputs(
  inputs: PlotInput[],
  formats: string[],
): Promise<SelectedInput[]> {
  const wanted = formats.map((f) => (f.startsWith(".") ? f : `.${f}`).toLowerCase());
  const accept = (name: string) => wanted.includes(extname(name).toLowerCase());
  const kinds = new Set<string>(
    wanted.map((f) => (f.startsWith(".tif") ? "tiff" : f === ".png" ? "png" : "jpeg")),
  );
  const out: SelectedInput[] = [];
  for (const input of inputs) {
    if (typeof input !== "string") {
      const kind = imageFormat(input.bytes);
      if (accept(input.name) || (!extname(input.name) && kind && kinds.has(kind))) out.push(input);
      continue;
    }
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(input);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new RasterError({ file: input, reason: "not-found", detail: "file not found" });
      }
      if (isPermissionFailure(e)) {
        throw new PermissionError({ flag: `--allow-read=${input}`, why: `reading ${input}` }, {
          cause: e,
        });
      }
      throw new RasterError({
        file: input,
        reason: "unreadable",
        detail: `cannot read it (${errorLine(e)})`,
      }, { cause: e });
    }
    if (info.isDirectory) {
      out.push(...await walkFiles(input, accept));
    } else if (accept(input)) {
      out.push(input);
    } else if (!extname(input)) {
      const kind = await sniffFile(input);
      if (kind && kinds.has(kind)) out.push(input);
    }
  }
  if (out.length === 0) {
    const given = inputs.map((i) => inputName(i));
    const list = given.length > 3 ? `${given.slice(0, 3).join(", ")}, …` : given.join(", ");
    throw new RasterError({
      file: list || "the empty list given",
      reason: "format",
      detail: `no files of format [${wanted.join(", ")}] found`,
      fix: "pass such files or folders holding them, or set plotFileFormat",
    });
  }
  return out;
}

/**
 * The title of an input: its file name without extension.
 *
 * @example
 * ```ts
 * import { stem } from "./inputs.ts";
 * if (stem("/a/b/scene_0-0.tif") !== "scene_0-0") throw new Error();
 * ```
 */
export function stem(name: string): string {
  const base = basename(name);
  const ext = extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}
