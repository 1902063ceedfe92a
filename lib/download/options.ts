/**
 * The options of a download to disk, shared by `downloadResults` and
 * `downloadJobResults`.
 *
 * @module
 */
import type { StreamResultsOptions } from "./pipeline.ts";
import type { VerifyFiles } from "./up_to_date.ts";

/** Options of `downloadResults`. */
export interface DownloadResultsOptions extends StreamResultsOptions {
  /**
   * The folder to unpack into (created when missing). Default
   * `{cwd}/project_{projectId}/job_{jobId}/jobtask_{jobtaskId}`, as in the Python SDK.
   */
  outputDirectory?: string;
  /** Base of the default output directory. Default `.` (the working directory). */
  cwd?: string;
  /**
   * What happens to an existing file of the same name: `true` (the default)
   * replaces it, `false` fails before anything is moved.
   */
  overwrite?: boolean;
  /**
   * Space to leave free on the output's file system: the download stops,
   * nothing written, before the results would take it. Default a tenth of
   * the free space when the download starts, at most 1 GiB. Checked where
   * the free space can be told (`--allow-sys=statfs`).
   */
  minFreeBytes?: number;
  /**
   * Unpack even into the file system root or the home folder, where
   * results would mix with (and by default replace) the system's or your
   * own files. Default false: such an output directory is a `ConfigError`.
   */
  allowRootOrHomeOutput?: boolean;
  /**
   * Download even when the folder's manifest says it holds the current
   * results. Default false: a folder whose manifest matches the storage's
   * object and whose files are intact is left as it is ("up to date").
   */
  force?: boolean;
  /**
   * `false` saves the verified archive itself (`output.tgz`, `output.zip`
   * or `output.tar`, named by its format) instead of unpacking it; a partial
   * archive a failed or killed run left is resumed with a `Range` request.
   * Default true.
   */
  unpack?: boolean;
  /**
   * How an up-to-date folder's files are checked: `quick` (the default)
   * compares sizes and modification times and re-reads only files whose
   * time changed; `full` re-reads and checksums every file.
   */
  verify?: VerifyFiles;
}
