/**
 * The results pipeline without a file system: source (signed URL →
 * resumable body → length and hash check) → archive (format → inflate →
 * tar or zip entries → policy). The sinks (`results.ts` to disk,
 * `stream.ts` to the caller or to memory) consume what it yields.
 *
 * @module
 */
import type { JobtaskContext } from "../client/types.ts";
import { type ArchiveLimits, checkedEntries, type CheckedEntry } from "./archive/mod.ts";
import { type HashCheck, openResults } from "./source/mod.ts";

/** Progress of a results download. */
export interface DownloadProgress {
  /** Archive bytes received so far. */
  bytes: number;
  /** The archive's size, when the storage announced it. */
  totalBytes?: number;
  /** Files completely unpacked so far. */
  files: number;
}

/** Options of the results pipeline, shared by `downloadResults`, `streamResults` and `readResults`. */
export interface StreamResultsOptions extends Partial<ArchiveLimits> {
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Called as bytes arrive and files complete. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Which announced hashes are checked. Default `auto` (crc32c, else md5). */
  hashes?: HashCheck;
  /** Reconnections after a dropped connection. Default 5. */
  maxResumes?: number;
}

/**
 * The checked entries (files and folders) of the jobtask's results archive.
 * Throws after the last entry when the archive fails its length or hash
 * check, so a consumer commits nothing before the iteration has ended.
 *
 * @example
 * ```ts
 * import { resultEntries } from "./pipeline.ts";
 * import { createContext, DEFAULT_LIMITS } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * const kinds = [];
 * for await (const entry of resultEntries(ctx, DEFAULT_LIMITS)) kinds.push(entry.kind);
 * if (!kinds.includes("file")) throw new Error();
 * ```
 */
export async function* resultEntries(
  ctx: JobtaskContext,
  limits: ArchiveLimits,
  options: StreamResultsOptions = {},
): AsyncGenerator<CheckedEntry> {
  const progress: DownloadProgress = { bytes: 0, files: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const source = await openResults(ctx, {
    signal: options.signal,
    hashes: options.hashes,
    maxResumes: options.maxResumes,
    onBytes: (n) => {
      progress.bytes = n;
      report();
    },
  });
  if (source.totalBytes !== undefined) progress.totalBytes = source.totalBytes;
  for await (const entry of checkedEntries(source.body, limits, { signal: options.signal })) {
    yield entry;
    if (entry.kind === "file") {
      progress.files++;
      report();
    }
  }
}
