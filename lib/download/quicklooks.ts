/**
 * `downloadQuicklooks`: the jobtask's quicklook images written to disk, a
 * few at a time. Each arrives in a temporary file; once all have arrived
 * they are renamed into place in the API's order, each under a name no
 * other quicklook of the call has, with the extension of its real format.
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { JobtaskContext } from "../client/types.ts";
import { makeOutputFolder } from "../files/output_folder.ts";
import { stageFile } from "../files/atomic_write.ts";
import { ensurePermission } from "../files/permission.ts";
import { mapPool } from "../internal/pool.ts";
import { listQuicklooks, readQuicklook } from "../jobtask/quicklooks.ts";
import { createChecksum } from "../files/checksum.ts";

/** A file a download wrote, as `onFile` receives it. */
export interface WrittenFile {
  /** Absolute path, where the file is now. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** CRC-32 of the bytes (8 lowercase hex digits), as a results manifest records it. */
  crc32: string;
}

/** Options of {@linkcode downloadQuicklooks}. */
export interface DownloadQuicklooksOptions {
  /**
   * The folder to write into (created when missing). Default
   * `{cwd}/project_{projectId}/job_{jobId}`, as in the Python SDK.
   */
  outputDirectory?: string;
  /** Base of the default output directory. Default `.` (the working directory). */
  cwd?: string;
  /** Quicklooks downloaded at once. Default 4. */
  concurrency?: number;
  /** Cancels the downloads. */
  signal?: AbortSignal;
  /**
   * Called for each quicklook once it is in place, in the order of the
   * returned paths, with its size and CRC-32 (computed from the bytes that
   * were written, not read back). Computed only when this is given.
   */
  onFile?: (file: WrittenFile) => void;
}

/**
 * Lists the jobtask's quicklooks and downloads them, returning the written
 * paths in the API's order. Each arrives in a temporary file (the one
 * atomic writer, `files/atomic_write.ts`) and is renamed once all are in. A file is named `quicklook_{id}` plus the
 * extension of its format (told from its bytes) unless the id already ends
 * in it; a name another quicklook of the call took gets `_2`, `_3`, ...
 * before its extension. A quicklook that fails (or is not an image) fails
 * the call with its id named, after the others that arrived are in place;
 * no partial file is left.
 *
 * Permissions: `--allow-net` for the API, `--allow-read` and
 * `--allow-write` for the output directory.
 *
 * @example
 * ```ts
 * import { createContext, downloadQuicklooks } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.dataBlock });
 * const dir = await Deno.makeTempDir();
 * const paths = await downloadQuicklooks(ctx, { outputDirectory: dir });
 * if (paths.length !== 2) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function downloadQuicklooks(
  ctx: JobtaskContext,
  options: DownloadQuicklooksOptions = {},
): Promise<string[]> {
  const out = resolve(
    options.outputDirectory ??
      join(options.cwd ?? ".", `project_${ctx.projectId}`, `job_${ctx.jobId}`),
  );
  const ids = await listQuicklooks(ctx, { signal: options.signal });
  await ensurePermission("write", out, `writing quicklooks into ${out}`);
  await ensurePermission("read", out, `writing quicklooks into ${out}`);
  await makeOutputFolder(out);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const arrived = await mapPool(ids, options.concurrency ?? 4, async (id) => {
    try {
      const quicklook = await readQuicklook(ctx, id, { signal });
      return {
        staged: await stageFile(out, quicklook.name, quicklook.bytes),
        name: quicklook.name,
        digest: options.onFile ? await checksumOf(quicklook.bytes) : undefined,
      };
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  }, { stopOnError: true });
  const taken = new Set<string>();
  const paths: string[] = [];
  for (const result of arrived) {
    if (result?.status !== "fulfilled") continue;
    const path = await result.value.staged.commit(join(out, uniqueName(result.value.name, taken)));
    paths.push(path);
    if (result.value.digest) options.onFile?.({ path, ...result.value.digest });
  }
  const failed = arrived.find((r) => r?.status === "rejected") as PromiseRejectedResult | undefined;
  if (failed) throw failed.reason;
  return paths;
}

function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem}_${n}${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

async function checksumOf(bytes: Uint8Array): Promise<{ size: number; crc32: string }> {
  const sum = await createChecksum();
  sum.update(bytes);
  return { size: bytes.length, crc32: sum.digest() };
}
