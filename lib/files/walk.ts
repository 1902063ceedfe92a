/**
 * Walking result folders: files in name order, depth first, without this
 * module's work in progress (staging folders, temporary files) and without
 * following links out of the folder.
 *
 * @module
 */
import { join } from "node:path";
import { isWorkInProgress } from "./names.ts";

/**
 * The files under `dir` whose names `accept` takes, depth first in name
 * order. Staging folders and temporary files of this module are skipped;
 * symbolic links are not followed.
 *
 * @example
 * ```ts
 * import { walkFiles } from "./walk.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/b.tif`, "");
 * await Deno.mkdir(`${dir}/.up42-staging-x`);
 * await Deno.writeTextFile(`${dir}/.up42-staging-x/half.tif`, "");
 * const found = await walkFiles(dir, (name) => name.endsWith(".tif"));
 * if (found.length !== 1) throw new Error(found.join());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function walkFiles(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  await walkInto(dir, accept, out);
  return out;
}

async function walkInto(dir: string, accept: (name: string) => boolean, out: string[]) {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) if (!isWorkInProgress(e.name)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) await walkInto(path, accept, out);
    else if (e.isFile && accept(e.name)) out.push(path);
  }
}
