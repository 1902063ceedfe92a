/**
 * The disk sink of a results download: files go into a staging folder
 * inside the output directory and are moved into place (same file system,
 * so each move is a rename) only once the whole archive has arrived and
 * verified. The move is journaled: if a rename fails half-way, the ones
 * done are undone (files moved back, replaced files restored, folders
 * created removed), so the output directory is as it was.
 *
 * A staging folder is named `.up42-staging-{pid}-{random}` and holds an
 * exclusive lock on its file `.up42-staging-lock` (which then gets the pid
 * written into it) for as long as its owner works in it. The kernel releases that lock when the owner ends, however
 * it ends (SIGKILL and power loss included), which is how the next
 * download tells a live staging folder from a dead one (see `stale.ts`);
 * the pid is there for people reading `ls`.
 *
 * @module
 */
import { join } from "node:path";
import { ConfigError, errorLine, Up42Error } from "../../errors.ts";
import { createChecksum } from "../../files/checksum.ts";
import { STAGING_PREFIX } from "../../files/names.ts";

/** The lock file inside a staging folder; its lock is held while the owner is alive. */
export const LOCK_NAME = ".up42-staging-lock";

/** Marks a staging folder kept on purpose (it holds replaced files a failed rollback left). */
export const KEEP_NAME = ".up42-staging-keep";

// Two buffers per file: one is being written while the other fills, so
// inflating and disk writes overlap and memory stays at 2 × this. Larger
// buffers bought no speed here and cost peak memory.
const BUFFER_BYTES = 256 * 1024;

/** Options of {@linkcode Staging.commit}. */
export interface CommitOptions {
  /** Replace existing files of the same name. Default true. */
  overwrite?: boolean;
  /** The rename used for every move; a test injects failures through it. Default `Deno.rename`. */
  rename?: (from: string, to: string) => Promise<void>;
  /** Files (relative paths) replaced even with `overwrite: false`, e.g. the manifest. */
  replace?: string[];
}

/** What {@linkcode Staging.writeFile} wrote. */
export interface StagedFile {
  /** Bytes written. */
  size: number;
  /** CRC-32 of the bytes, 8 hex digits, computed as they were written. */
  crc32: string;
  /** The file's modification time in ms (a rename keeps it). */
  mtimeMs: number;
}

/** A staging folder inside an output directory. */
export interface Staging {
  /** Creates the folder `path` (relative) inside the staging folder. */
  mkdir(path: string): Promise<void>;
  /**
   * Writes the file `path` (relative) from `read`, which returns `null` at
   * the end; `signal` is checked between pieces. Returns its size, checksum
   * and modification time.
   */
  writeFile(
    path: string,
    read: () => Promise<Uint8Array | null>,
    signal?: AbortSignal,
  ): Promise<StagedFile>;
  /**
   * Moves the staged `files` (relative paths) into the output directory and
   * removes the staging folder. A conflict (a folder where a file goes, a
   * link on the way, an existing file with `overwrite: false`) is found
   * before anything moves; a failure during the moves is rolled back.
   */
  commit(files: string[], options?: CommitOptions): Promise<void>;
  /** Removes the staging folder and everything in it. */
  discard(): Promise<void>;
  /**
   * Leaves the staging folder in place for a person to look at (after an
   * {@linkcode IncompleteMoveError}): marked kept, so no later download
   * removes it, and unlocked.
   */
  keep(): Promise<void>;
}

/**
 * Creates a staging folder `.up42-staging-{pid}-{random}` inside
 * `outputDirectory` (which must exist) and locks it.
 *
 * @example
 * ```ts
 * import { createStaging } from "./staging.ts";
 * const dir = await Deno.makeTempDir();
 * const staging = await createStaging(dir);
 * let sent = false;
 * await staging.writeFile("a/b.txt", async () => sent ? null : (sent = true, new Uint8Array([104, 105])));
 * await staging.commit(["a/b.txt"]);
 * if (await Deno.readTextFile(`${dir}/a/b.txt`) !== "hi") throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function createStaging(outputDirectory: string): Promise<Staging> {
  const dir = await Deno.makeTempDir({
    dir: outputDirectory,
    prefix: `${STAGING_PREFIX}${Deno.pid}-`,
  });
  let lock: Deno.FsFile | undefined;
  try {
    lock = await Deno.open(join(dir, LOCK_NAME), { write: true, createNew: true });
    await lock.lock(true);
    // Written only once locked: a lock file with content had an owner that held it.
    await lock.write(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch (error) {
    lock?.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
  const unlock = () => {
    try {
      lock?.close();
    } catch {
      // Already closed.
    }
    lock = undefined;
  };
  const made = new Set<string>([""]);
  const ensureFolder = async (path: string) => {
    if (made.has(path)) return;
    await Deno.mkdir(join(dir, path), { recursive: true });
    for (let p = path; p && !made.has(p); p = parentOf(p)) made.add(p);
  };
  const folders: string[] = [];
  return {
    async mkdir(path) {
      await ensureFolder(path);
      folders.push(path);
    },
    async writeFile(path, read, signal) {
      await ensureFolder(parentOf(path));
      // createNew: never open something that already exists (a link cannot sneak in).
      const file = await Deno.open(join(dir, path), { write: true, createNew: true });
      try {
        const { size, crc32 } = await copyInto(file, read, signal);
        return { size, crc32, mtimeMs: (await file.stat()).mtime?.getTime() ?? 0 };
      } finally {
        file.close();
      }
    },
    async commit(files, options = {}) {
      const replace = new Set(options.replace);
      await checkTargets(outputDirectory, files, folders, options.overwrite ?? true, replace);
      await moveAll(dir, outputDirectory, files, folders, options.rename ?? Deno.rename);
      await Deno.remove(dir, { recursive: true });
      unlock();
    },
    async discard() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      unlock();
    },
    async keep() {
      await Deno.writeTextFile(join(dir, KEEP_NAME), "").catch(() => {});
      await Deno.remove(join(dir, LOCK_NAME)).catch(() => {});
      unlock();
    },
  };
}

async function copyInto(
  file: Deno.FsFile,
  read: () => Promise<Uint8Array | null>,
  signal?: AbortSignal,
): Promise<{ size: number; crc32: string }> {
  const checksum = await createChecksum();
  let size = 0;
  let filling = new Uint8Array(BUFFER_BYTES);
  let spare = new Uint8Array(BUFFER_BYTES);
  let used = 0;
  let pending: Promise<void> = Promise.resolve();
  const flush = async () => {
    await pending;
    pending = writeAll(file, filling.subarray(0, used));
    [filling, spare] = [spare, filling];
    used = 0;
  };
  try {
    for (let piece = await read(); piece; piece = await read()) {
      signal?.throwIfAborted();
      checksum.update(piece);
      size += piece.length;
      let at = 0;
      while (at < piece.length) {
        const n = Math.min(piece.length - at, BUFFER_BYTES - used);
        filling.set(piece.subarray(at, at + n), used);
        used += n;
        at += n;
        if (used === BUFFER_BYTES) await flush();
      }
    }
    if (used > 0) await flush();
  } finally {
    await pending;
  }
  return { size, crc32: checksum.digest() };
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

type Kind = "missing" | "folder" | "file" | "link";

async function kindOf(path: string): Promise<Kind> {
  try {
    const info = await Deno.lstat(path);
    return info.isSymlink ? "link" : info.isDirectory ? "folder" : "file";
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return "missing";
  }
}

/** Refuses targets that would write through a link or onto a folder, and (optionally) existing files. */
async function checkTargets(
  out: string,
  files: string[],
  folders: string[],
  overwrite: boolean,
  replace: Set<string> = new Set(),
): Promise<void> {
  const known = new Map<string, Kind>();
  const kind = async (path: string) => {
    if (!known.has(path)) known.set(path, await kindOf(join(out, path)));
    return known.get(path)!;
  };
  const conflict = (problem: string, fix: string): never => {
    throw new ConfigError({ setting: "outputDirectory", problem, fix });
  };
  const blocked = (path: string, why: string) =>
    conflict(
      `cannot place results file ${join(out, path)}: ${why}; nothing was written`,
      "choose another output directory or remove it",
    );
  for (const path of [...folders, ...files]) {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      const k = await kind(parent);
      if (k === "missing") break;
      if (k !== "folder") blocked(path, `${parent} exists and is not a folder`);
    }
  }
  for (const path of folders) {
    const k = await kind(path);
    if (k !== "missing" && k !== "folder") blocked(path, "a file of that name exists");
  }
  for (const path of files) {
    const k = await kind(path);
    if (k === "folder") blocked(path, "a folder of that name exists");
    if (k !== "missing" && !overwrite && !replace.has(path)) {
      conflict(
        `results file ${join(out, path)} already exists; nothing was written`,
        "pass overwrite (or drop --no-overwrite) to replace it, or choose another output directory",
      );
    }
  }
}

/**
 * A move into place failed and could not be fully undone; what remains is
 * listed. The staging folder is then kept, as it may hold replaced files.
 */
export class IncompleteMoveError extends Up42Error {
  /** What could not be undone, one entry per step. */
  readonly remains: string[];

  /** Builds the message from the failure and what remains. */
  constructor(remains: string[], cause: unknown) {
    super(
      `moving the results into place failed (${errorLine(cause)}) and could not be fully undone: ${
        remains.slice(0, 3).join("; ")
      }${remains.length > 3 ? "; …" : ""}; check the output directory`,
      { cause },
    );
    this.remains = remains;
  }
}

/** One step done by {@linkcode moveAll}, and how to undo it. */
type Step =
  | { kind: "moved"; from: string; to: string }
  | { kind: "backed-up"; target: string; backup: string }
  | { kind: "made-folder"; path: string };

/**
 * Moves whole top-level trees when nothing of theirs exists yet, else file
 * by file (an existing file is first moved aside into the staging folder).
 * On a failure every step is undone in reverse order.
 */
async function moveAll(
  staging: string,
  out: string,
  files: string[],
  folders: string[],
  rename: (from: string, to: string) => Promise<void>,
): Promise<void> {
  const journal: Step[] = [];
  const backups = join(staging, ".replaced");
  let backupCount = 0;
  const makeFolder = async (path: string) => {
    const missing: string[] = [];
    for (let p = path; p !== "" && await kindOf(join(out, p)) === "missing"; p = parentOf(p)) {
      missing.unshift(p);
    }
    for (const p of missing) {
      await Deno.mkdir(join(out, p));
      journal.push({ kind: "made-folder", path: join(out, p) });
    }
  };
  try {
    const byTop = new Map<string, { files: string[]; folders: string[] }>();
    const group = (top: string) => {
      if (!byTop.has(top)) byTop.set(top, { files: [], folders: [] });
      return byTop.get(top)!;
    };
    for (const file of files) group(file.split("/")[0]).files.push(file);
    for (const folder of folders) group(folder.split("/")[0]).folders.push(folder);
    for (const [top, inside] of byTop) {
      const existing = await kindOf(join(out, top));
      if (existing === "missing") {
        await rename(join(staging, top), join(out, top));
        journal.push({ kind: "moved", from: join(staging, top), to: join(out, top) });
        continue;
      }
      for (const folder of inside.folders) await makeFolder(folder);
      for (const file of inside.files) {
        await makeFolder(parentOf(file));
        const target = join(out, file);
        if (await kindOf(target) !== "missing") {
          await Deno.mkdir(backups, { recursive: true });
          const backup = join(backups, String(backupCount++));
          await rename(target, backup);
          journal.push({ kind: "backed-up", target, backup });
        }
        await rename(join(staging, file), target);
        journal.push({ kind: "moved", from: join(staging, file), to: target });
      }
    }
  } catch (error) {
    const left = await rollBack(journal);
    if (left.length === 0) throw error;
    throw new IncompleteMoveError(left, error);
  }
}

/** Undoes the journal in reverse; returns what could not be undone. */
async function rollBack(journal: Step[]): Promise<string[]> {
  const left: string[] = [];
  for (const step of journal.reverse()) {
    try {
      if (step.kind === "moved") await Deno.rename(step.to, step.from);
      else if (step.kind === "backed-up") await Deno.rename(step.backup, step.target);
      else await Deno.remove(step.path);
    } catch (error) {
      const what = step.kind === "moved"
        ? `${step.to} stays in place`
        : step.kind === "backed-up"
        ? `${step.target} is kept as ${step.backup}`
        : `folder ${step.path} stays`;
      left.push(`${what} (${errorLine(error)})`);
    }
  }
  return left;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}
