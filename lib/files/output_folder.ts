/**
 * Output folders: made where they are missing, and refused when too broad
 * to unpack results into. The file system root and the home folder hold the
 * system's or the user's own files, which an archive's names could replace
 * (a download replaces existing files by default); they are recognised
 * without asking for any permission.
 *
 * @module
 */
import { parse, resolve } from "node:path";
import { ConfigError } from "../errors.ts";

/**
 * Creates the output folder `out` (and its parents) unless it exists; a
 * file in its place is a `ConfigError` (setting `outputDirectory`).
 *
 * @example
 * ```ts
 * import { makeOutputFolder } from "./output_folder.ts";
 * const dir = await Deno.makeTempDir();
 * await makeOutputFolder(`${dir}/a/b`);
 * await makeOutputFolder(`${dir}/a/b`);
 * if (!(await Deno.stat(`${dir}/a/b`)).isDirectory) throw new Error();
 * ```
 */
export async function makeOutputFolder(out: string): Promise<void> {
  await Deno.mkdir(out, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    throw new ConfigError({
      setting: "outputDirectory",
      problem: `output directory ${out} exists and is not a folder`,
      fix: "choose another output directory",
    });
  });
}

/**
 * Throws a `ConfigError` (setting `outputDirectory`) when `path` is the file
 * system root or the home folder, unless `allowed`.
 *
 * @example
 * ```ts
 * import { refuseBroadOutput } from "./output_folder.ts";
 * refuseBroadOutput("/tmp/results");
 * refuseBroadOutput("/", true);
 * ```
 */
export function refuseBroadOutput(path: string, allowed = false): void {
  const broad = broadFolder(path);
  if (!broad || allowed) return;
  throw new ConfigError({
    setting: "outputDirectory",
    problem: `output directory ${
      resolve(path)
    } is ${broad}, where results would mix with other files`,
    fix:
      "choose a folder of its own for them, or pass allowRootOrHomeOutput (--allow-root-or-home-output) to unpack there anyway",
  });
}

/**
 * What `path` is when it is too broad an output folder (`"the file system
 * root"` or `"your home folder"`), else `undefined`.
 *
 * @example
 * ```ts
 * import { broadFolder } from "./output_folder.ts";
 * if (broadFolder("/") !== "the file system root") throw new Error();
 * if (broadFolder("/tmp/results") !== undefined) throw new Error();
 * ```
 */
export function broadFolder(path: string): string | undefined {
  const full = resolve(path);
  if (parse(full).root === full) return "the file system root";
  if (homes().includes(full) || /^\/(root|home\/[^/]+|Users\/[^/]+)\/?$/.test(full)) {
    return "your home folder";
  }
  return undefined;
}

function homes(): string[] {
  const out: string[] = [];
  for (const key of ["HOME", "USERPROFILE"]) {
    try {
      if (Deno.permissions.querySync?.({ name: "env", variable: key }).state !== "granted") {
        continue;
      }
      const value = Deno.env.get(key);
      if (value) out.push(resolve(value));
    } catch {
      // Not readable: the pattern above still knows the usual places.
    }
  }
  return out;
}
