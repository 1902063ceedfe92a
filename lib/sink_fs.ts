/**
 * Writing results to disk atomically: files go into a staging folder inside
 * the output directory and are moved into place (same file system, so each
 * move is a rename) only once the whole archive has arrived and verified.
 *
 * @module
 */
import { join } from "node:path";
import { STAGING_PREFIX } from "./entry_path.ts";
import { ConfigError } from "./errors.ts";

// Two buffers per file: one is being written while the other fills, so
// inflating and disk writes overlap and memory stays at 2 × this. Larger
// buffers bought no speed here and cost peak memory.
const BUFFER_BYTES = 256 * 1024;

/** A staging folder inside an output directory. */
export interface Staging {
  /** The staging folder's path. */
  readonly dir: string;
  /** Creates the folder `path` (relative) inside the staging folder. */
  mkdir(path: string): Promise<void>;
  /** Writes the file `path` (relative) from `read`, which returns `null` at the end. */
  writeFile(path: string, read: () => Promise<Uint8Array | null>): Promise<void>;
  /**
   * Moves the staged `files` (relative paths) into the output directory and
   * removes the staging folder. With `overwrite: false` an existing file of
   * the same name is an error, found before anything is moved.
   */
  commit(files: string[], options?: { overwrite?: boolean }): Promise<void>;
  /** Removes the staging folder and everything in it. */
  discard(): Promise<void>;
}

/**
 * Creates a staging folder `.up42-staging-<random>` inside `outputDirectory`
 * (which must exist).
 *
 * @example
 * ```ts ignore
 * import { createStaging } from "./sink_fs.ts";
 * const staging = await createStaging("results");
 * await staging.writeFile("a.txt", async () => null);
 * await staging.commit(["a.txt"]);
 * ```
 */
export async function createStaging(outputDirectory: string): Promise<Staging> {
  const dir = await Deno.makeTempDir({ dir: outputDirectory, prefix: STAGING_PREFIX });
  const made = new Set<string>([""]);
  const ensureFolder = async (path: string) => {
    if (made.has(path)) return;
    await Deno.mkdir(join(dir, path), { recursive: true });
    for (let p = path; p && !made.has(p); p = parentOf(p)) made.add(p);
  };
  const folders: string[] = [];
  return {
    dir,
    async mkdir(path) {
      await ensureFolder(path);
      folders.push(path);
    },
    async writeFile(path, read) {
      await ensureFolder(parentOf(path));
      // createNew: never open something that already exists (a link cannot sneak in).
      const file = await Deno.open(join(dir, path), { write: true, createNew: true });
      try {
        await copyInto(file, read);
      } finally {
        file.close();
      }
    },
    async commit(files, options = {}) {
      await checkTargets(outputDirectory, files, folders, options.overwrite ?? true);
      await moveAll(dir, outputDirectory, files, folders);
      await Deno.remove(dir, { recursive: true });
    },
    async discard() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function copyInto(file: Deno.FsFile, read: () => Promise<Uint8Array | null>) {
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
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

/** Refuses targets that would write through a link or onto a folder, and (optionally) existing files. */
async function checkTargets(
  out: string,
  files: string[],
  folders: string[],
  overwrite: boolean,
): Promise<void> {
  const known = new Map<string, "missing" | "folder" | "file" | "link">();
  const kindOf = async (path: string) => {
    if (!known.has(path)) {
      try {
        const info = await Deno.lstat(join(out, path));
        known.set(path, info.isSymlink ? "link" : info.isDirectory ? "folder" : "file");
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        known.set(path, "missing");
      }
    }
    return known.get(path)!;
  };
  const conflict = (path: string, why: string): never => {
    throw new ConfigError(
      `cannot place results file ${join(out, path)}: ${why}; nothing was written, ` +
        "choose another output directory or remove it",
    );
  };
  for (const path of [...folders, ...files]) {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      const kind = await kindOf(parent);
      if (kind === "missing") break;
      if (kind !== "folder") conflict(path, `${parent} exists and is not a folder`);
    }
  }
  for (const path of folders) {
    const kind = await kindOf(path);
    if (kind !== "missing" && kind !== "folder") conflict(path, "a file of that name exists");
  }
  for (const path of files) {
    const kind = await kindOf(path);
    if (kind === "folder") conflict(path, "a folder of that name exists");
    if (kind !== "missing" && !overwrite) {
      throw new ConfigError(
        `results file ${
          join(out, path)
        } already exists; nothing was written, pass overwrite (or drop --no-overwrite) to replace it, or choose another output directory`,
      );
    }
  }
}

/** Moves whole top-level trees when nothing of theirs exists yet, else file by file. */
async function moveAll(staging: string, out: string, files: string[], folders: string[]) {
  const byTop = new Map<string, { files: string[]; folders: string[] }>();
  const group = (top: string) => {
    if (!byTop.has(top)) byTop.set(top, { files: [], folders: [] });
    return byTop.get(top)!;
  };
  for (const file of files) group(file.split("/")[0]).files.push(file);
  for (const folder of folders) group(folder.split("/")[0]).folders.push(folder);
  for (const [top, inside] of byTop) {
    let exists = true;
    try {
      await Deno.lstat(join(out, top));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      exists = false;
    }
    if (!exists || inside.files[0] === top) {
      await Deno.rename(join(staging, top), join(out, top));
      continue;
    }
    for (const folder of inside.folders) {
      await Deno.mkdir(join(out, folder), { recursive: true });
    }
    for (const file of inside.files) {
      await Deno.mkdir(join(out, parentOf(file)), { recursive: true });
      await Deno.rename(join(staging, file), join(out, file));
    }
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}
