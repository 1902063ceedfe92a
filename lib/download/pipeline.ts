/**
 * The results pipeline without a file system: source (signed URL →
 * resumable body → length and hash check) → archive (format → inflate →
 * tar or zip entries → policy). The sinks (`results.ts` to disk,
 * `stream.ts` to the caller or to memory) consume what it yields.
 *
 * @module
 */
import type { JobtaskContext } from "../client/types.ts";
import {
  type ArchiveLimits,
  checkedEntries,
  type CheckedEntry,
  type CheckOptions,
} from "./archive/mod.ts";
import { type HashCheck, openResults, type ResultsSource } from "./source/mod.ts";

/**
 * Where a results download is: `checking` whether the folder is up to date
 * (a probe of the storage and the manifest's files), `downloading`, and at
 * the end `written` or `up-to-date` (nothing downloaded).
 */
export type DownloadState = "checking" | "downloading" | "written" | "up-to-date";

/** Progress of a results download. */
export interface DownloadProgress {
  /** Archive bytes received so far. */
  bytes: number;
  /** The archive's size, when the storage announced it. */
  totalBytes?: number;
  /** Files completely unpacked so far. */
  files: number;
  /** Where the download is; absent from `streamResults` and `readResults`, which only download. */
  state?: DownloadState;
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

/** What a disk download needs from the source beyond its entries. */
export interface SourceHooks {
  /** The signed URL, when a probe already asked for it. */
  url?: string;
  /** Called once the archive is opened, with what the storage announced. */
  onOpen?: (source: ResultsSource) => void;
  /** Fields every progress report carries (e.g. `state`). */
  progress?: Partial<DownloadProgress>;
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
  options: StreamResultsOptions & Pick<CheckOptions, "disk"> = {},
  source: SourceHooks = {},
): AsyncGenerator<CheckedEntry> {
  const progress: DownloadProgress = { bytes: 0, files: 0, ...source.progress };
  const report = () => options.onProgress?.({ ...progress });
  const opened = await openResults(ctx, {
    signal: options.signal,
    hashes: options.hashes,
    maxResumes: options.maxResumes,
    url: source.url,
    onBytes: (n) => {
      progress.bytes = n;
      report();
    },
  });
  source.onOpen?.(opened);
  if (opened.totalBytes !== undefined) progress.totalBytes = opened.totalBytes;
  // A tar without its end-of-archive block is accepted, as GNU tar accepts it, only when
  // the download's length or hash was checked: then its clean end is the archive's end.
  const entries = checkedEntries(opened.body, limits, {
    signal: options.signal,
    endMarker: opened.verified ? "optional" : "required",
    archiveBytes: opened.totalBytes,
    disk: options.disk,
    readRange: opened.readRange,
  });
  for await (const entry of entries) {
    yield entry;
    if (entry.kind === "file") {
      progress.files++;
      report();
    }
  }
}
