/**
 * Downloads: a jobtask's (or a whole job's) results archive streamed,
 * verified and unpacked (to disk atomically and incrementally, to the
 * caller as streams, or into memory), and its quicklooks written to disk. The pipeline reads source → verify → inflate
 * → unpack → sink; see the folders of the same names.
 *
 * @module
 */
export { downloadResults, type DownloadResultsOptions } from "./results.ts";
export {
  downloadJobResults,
  type DownloadJobResultsOptions,
  type JobDownload,
  type JobProgress,
  type JobtaskDownload,
  type JobtaskProgress,
  type JobtaskState,
} from "./job.ts";
export { type Shard, shardOf } from "./shard.ts";
export { cancelOnSignals, type SignalCancel } from "./signals.ts";
export type { VerifyFiles } from "./up_to_date.ts";
export {
  MANIFEST_NAME,
  type ManifestArchive,
  type ManifestFile,
  readManifest,
  type ResultsManifest,
} from "../files/manifest.ts";
export { readResults, type ResultEntry, streamResults } from "./stream.ts";
export type { DownloadProgress, DownloadState, StreamResultsOptions } from "./pipeline.ts";
export { downloadQuicklooks, type DownloadQuicklooksOptions } from "./quicklooks.ts";
export { type ArchiveLimits, DEFAULT_LIMITS, DEFAULT_MEMORY_LIMITS } from "./archive/mod.ts";
export type { HashCheck } from "./source/mod.ts";
export type { WrittenFile } from "./quicklooks.ts";
