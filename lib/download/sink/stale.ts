/**
 * Staging folders a killed process left behind, recognised and removed by
 * the next download into the same folder.
 *
 * A staging folder is dead when the lock its owner held is free: the kernel
 * releases it when the owner ends, however it ends, so this needs no pid
 * check (which would need `--allow-run` or `/proc`, and goes wrong when a
 * pid is reused or the folder is shared with another machine's processes).
 * The owner writes its pid into the lock file once it holds the lock, so a
 * free lock file with content is dead at once, whatever its age — the next
 * run right after a kill cleans up. Age only settles the two races: an
 * empty lock file may belong to an owner between creating and locking it,
 * so it is left alone for {@linkcode StaleOptions.graceMs}; a folder without
 * a lock file (a process killed between creating the folder and its lock
 * file) is removed once older than {@linkcode StaleOptions.unlockedAfterMs}.
 * A folder marked kept (a failed rollback's replaced files) is never
 * removed.
 *
 * @module
 */
import { join } from "node:path";
import { STAGING_PREFIX } from "../../files/names.ts";
import { KEEP_NAME, LOCK_NAME } from "./staging.ts";

/** Ages of {@linkcode removeStaleStaging}. */
export interface StaleOptions {
  /** A staging folder with a free, empty lock file is removed once that file is this old, in ms. Default 2 000. */
  graceMs?: number;
  /** A staging folder without a lock file is removed once unchanged this long, in ms. Default 1 hour. */
  unlockedAfterMs?: number;
  /** The clock, in ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * Removes the dead staging folders directly inside `dir` and returns their
 * names. Live ones (their owner still holds the lock, in this process or
 * another) and kept ones are left alone; a missing `dir` is no error.
 *
 * @example
 * ```ts
 * import { removeStaleStaging } from "./stale.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/.up42-staging-999999-dead`);
 * await Deno.writeTextFile(`${dir}/.up42-staging-999999-dead/.up42-staging-lock`, "");
 * const removed = await removeStaleStaging(dir, { graceMs: 0 });
 * if (removed.join() !== ".up42-staging-999999-dead") throw new Error(removed.join());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function removeStaleStaging(
  dir: string,
  options: StaleOptions = {},
): Promise<string[]> {
  const graceMs = options.graceMs ?? 2_000;
  const unlockedAfterMs = options.unlockedAfterMs ?? 3_600_000;
  const now = options.now ?? Date.now;
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return removed;
    }
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith(STAGING_PREFIX)) continue;
    const folder = join(dir, entry.name);
    if (await exists(join(folder, KEEP_NAME))) continue;
    let lock: Deno.FsFile | undefined;
    try {
      lock = await Deno.open(join(folder, LOCK_NAME), { read: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) continue;
    }
    const ageOf = (info?: Deno.FileInfo | null) => now() - (info?.mtime?.getTime() ?? now());
    try {
      let dead: boolean;
      if (!lock) dead = ageOf(await Deno.lstat(folder).catch(() => null)) >= unlockedAfterMs;
      else if (!await lock.tryLock(true)) dead = false;
      else {
        const info = await lock.stat();
        dead = info.size > 0 || ageOf(info) >= graceMs;
      }
      if (!dead) continue;
      // Removed while holding its lock, so no other process takes it meanwhile.
      await Deno.remove(folder, { recursive: true });
      removed.push(entry.name);
    } catch {
      // Gone already, or not ours to remove: leave it.
    } finally {
      lock?.close();
    }
  }
  return removed;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}
