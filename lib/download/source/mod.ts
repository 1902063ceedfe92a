/**
 * The source stage of a results download: the signed URL, a body that
 * resumes after dropped connections, and verification of its length and
 * hashes as it streams.
 *
 * @module
 */
import type { JobtaskContext } from "../../client/types.ts";
import { fetchRange } from "./range.ts";
import { openResumable } from "./resumable.ts";
import { resultsUrl } from "./signed_url.ts";
import { transportOf } from "./transport.ts";
import { checksEnd, type HashCheck, parseGoogHash, verifiedStream } from "./verify.ts";

export type { HashCheck } from "./verify.ts";
export { type ObjectProbe, probeObject } from "./probe.ts";
export { resultsUrl } from "./signed_url.ts";
export { type Transport, transportOf } from "./transport.ts";

/** Options of {@linkcode openResults}. */
export interface SourceOptions {
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Which announced hashes are checked. Default `auto` (crc32c, else md5). */
  hashes?: HashCheck;
  /** Reconnections after a dropped connection. Default 5. */
  maxResumes?: number;
  /** Called with the running count of archive bytes received. */
  onBytes?: (bytes: number) => void;
  /** The signed URL, when already asked for (e.g. by a probe). Default: asked for. */
  url?: string;
}

/** The verified archive bytes and what the storage announced about them. */
export interface ResultsSource {
  /** The archive's bytes (views of a reused buffer, valid until the next read); errors at the end when its length or hash is wrong. */
  body: ReadableStream<Uint8Array>;
  /** The archive's size, when announced. */
  totalBytes?: number;
  /** The `x-goog-hash` header, when sent. */
  googHash: string | null;
  /** The `ETag` header, when sent. */
  etag: string | null;
  /**
   * Whether the body's end is checked (an announced length, or a hash that
   * is checked): then a body that ends cleanly is complete.
   */
  verified: boolean;
  /** Reads a byte range of the archive with a `Range` request (`undefined` where the server will not, or it fails). */
  readRange(start: number, end: number): Promise<Uint8Array | undefined>;
}

/**
 * Opens the jobtask's results archive: signed URL → resumable body →
 * length and hash check.
 *
 * @example
 * ```ts
 * import { openResults } from "./mod.ts";
 * import { createContext } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * const source = await openResults(ctx);
 * let bytes = 0;
 * for await (const chunk of source.body) bytes += chunk.length; // chunks are reused views
 * if (bytes !== source.totalBytes) throw new Error();
 * ```
 */
export async function openResults(
  ctx: JobtaskContext,
  options: SourceOptions = {},
): Promise<ResultsSource> {
  const url = options.url ?? await resultsUrl(ctx, { signal: options.signal });
  const request = transportOf(ctx, options.signal);
  const opened = await openResumable(url, { ...request, maxResumes: options.maxResumes });
  const verify = {
    length: opened.totalBytes,
    hashes: parseGoogHash(opened.googHash),
    check: options.hashes,
    onBytes: options.onBytes,
  };
  const body = await verifiedStream(opened.body, verify);
  return {
    body,
    totalBytes: opened.totalBytes,
    googHash: opened.googHash,
    etag: opened.etag,
    verified: checksEnd(verify),
    // Best effort, like what it serves (reading a zip's directory ahead): a failed
    // range request leaves the download to its own checks; only a cancel ends it.
    readRange: (start, end) =>
      fetchRange(url, start, end, request).catch((error) => {
        if (options.signal?.aborted) throw error;
        return undefined;
      }),
  };
}
