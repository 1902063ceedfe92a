/**
 * The one atomic file writer: bytes go to a temporary file beside the
 * target, then a rename puts them in place, so a reader never sees half a
 * file and a failure leaves nothing behind. Access is asked for once, for
 * the target's folder: write, and read too, because Deno counts a rename as
 * reading its source (and a prompt must never name the random temporary file).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, errorLine } from "../errors.ts";
import { tempNameFor } from "./names.ts";
import { ensurePermission } from "./permission.ts";

/** Options of {@linkcode writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** The option that named the target, for messages (e.g. `output`). Default `output`. */
  setting?: string;
  /** Refuse to replace an existing file. Default false. */
  createNew?: boolean;
  /** Cancels before the rename. */
  signal?: AbortSignal;
}

/** Bytes written to a temporary file in a folder, waiting to be renamed into place. */
export interface StagedFile {
  /** The temporary file's path. */
  readonly temp: string;
  /** Renames it to `target` (in the same folder) and returns `target`. */
  commit(target: string): Promise<string>;
  /** Removes it. */
  discard(): Promise<void>;
}

/**
 * Writes `bytes` to a new temporary file in `folder` named after `name`
 * (nothing else may have that name), for a later {@linkcode StagedFile.commit}.
 * Read and write access to `folder` must be granted already (a rename reads).
 *
 * @example
 * ```ts
 * import { stageFile } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * const staged = await stageFile(dir, "a.bin", new Uint8Array([1]));
 * await staged.commit(`${dir}/a.bin`);
 * if ((await Deno.readFile(`${dir}/a.bin`))[0] !== 1) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function stageFile(
  folder: string,
  name: string,
  bytes: Uint8Array,
): Promise<StagedFile> {
  const temp = join(folder, tempNameFor(name));
  try {
    await Deno.writeFile(temp, bytes, { createNew: true });
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  return {
    temp,
    async commit(target) {
      try {
        await Deno.rename(temp, target);
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw error;
      }
      return target;
    },
    discard: () => Deno.remove(temp).catch(() => {}),
  };
}

/**
 * Writes `bytes` to `path` atomically and returns the absolute path. Needs
 * `--allow-read=FOLDER --allow-write=FOLDER` for the target's folder.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * const dir = await Deno.makeTempDir();
 * const path = await writeFileAtomic(`${dir}/a.bin`, new Uint8Array([1, 2]));
 * if ((await Deno.readFile(path)).length !== 2) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<string> {
  const target = resolve(path);
  const folder = dirname(target);
  await ensurePermission("write", folder, `writing ${target}`);
  await ensurePermission("read", folder, `writing ${target} (renamed into place from beside it)`);
  let staged: StagedFile | undefined;
  try {
    staged = await stageFile(folder, basename(target), bytes);
    options.signal?.throwIfAborted();
    if (options.createNew) await refuseExisting(target, options.setting ?? "output");
    await staged.commit(target);
  } catch (e) {
    await staged?.discard();
    if (e instanceof ConfigError || options.signal?.aborted) throw e;
    throw new ConfigError({
      setting: options.setting ?? "output",
      problem: `cannot write ${target} (${errorLine(e)})`,
      fix: "choose an existing, writable folder",
    }, { cause: e });
  }
  return target;
}

async function refuseExisting(target: string, setting: string): Promise<void> {
  const exists = await Deno.lstat(target).then(() => true, () => false);
  if (exists) {
    throw new ConfigError({
      setting,
      problem: `${target} already exists`,
      fix: "remove it, allow overwriting, or choose another name",
    });
  }
}
