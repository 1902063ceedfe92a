/**
 * Downloads: a jobtask's results archive streamed, verified and unpacked
 * (to disk atomically, to the caller as streams, or into memory), and its
 * quicklooks written to disk. The pipeline reads source → verify → inflate
 * → unpack → sink; see the folders of the same names.
 *
 * @module
 */
export { downloadResults, type DownloadResultsOptions } from "./results.ts";
export { readResults, type ResultEntry, streamResults } from "./stream.ts";
export type { DownloadProgress, StreamResultsOptions } from "./pipeline.ts";
export { downloadQuicklooks, type DownloadQuicklooksOptions } from "./quicklooks.ts";
export { type ArchiveLimits, DEFAULT_LIMITS, DEFAULT_MEMORY_LIMITS } from "./archive/mod.ts";
export type { HashCheck } from "./source/mod.ts";
