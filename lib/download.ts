/**
 * `downloadResults`: the jobtask's results archive streamed, verified and
 * unpacked into a folder, atomically: either every file arrives, or nothing
 * is left behind.
 *
 * @module
 */
import { join } from "node:path";
import { jobtaskPath } from "./api.ts";
import type { Up42Context } from "./context.ts";
import { ConfigError } from "./errors.ts";
import { createStaging } from "./sink_fs.ts";
import { checkedEntries, type StreamResultsOptions } from "./stream_results.ts";

/** Options of {@linkcode downloadResults}. */
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
}

/**
 * Downloads the jobtask's results and unpacks them, returning the written
 * files' paths (files only, sorted; `outputDirectory` joined with each
 * entry's path, UP42's leading `output/` folder removed).
 *
 * The archive (tar, tar.gz or zip, told apart by its bytes) is streamed from
 * the signed URL straight into a staging folder inside the output directory:
 * no temporary archive, memory independent of its size. A dropped connection
 * resumes with a `Range` request. Only when the whole archive has arrived and
 * its length and `x-goog-hash` match are the files moved into place; on any
 * failure (an unsafe entry: absolute, `..`, link, device; corrupt or
 * truncated data; a hash mismatch; `signal` aborted) the staging folder is
 * removed and files already in the output directory are untouched.
 *
 * Permissions: `--allow-net` for the API and the storage host,
 * `--allow-read` and `--allow-write` for the output directory.
 *
 * @example
 * ```ts ignore
 * import { createContext, downloadResults } from "../mod.ts";
 * const ctx = createContext({ jobId: "j", jobtaskId: "t" });
 * const files = await downloadResults(ctx, {
 *   outputDirectory: "results",
 *   onProgress: ({ bytes, totalBytes }) => console.log(bytes, totalBytes),
 * });
 * console.log(files);
 * ```
 */
export async function downloadResults(
  ctx: Up42Context,
  options: DownloadResultsOptions = {},
): Promise<string[]> {
  jobtaskPath(ctx); // validates the ids before anything touches the disk
  const out = options.outputDirectory ??
    join(
      options.cwd ?? ".",
      `project_${ctx.projectId}`,
      `job_${ctx.jobId}`,
      `jobtask_${ctx.jobtaskId}`,
    );
  const existed = await Deno.stat(out).then(() => true, () => false);
  await Deno.mkdir(out, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    throw new ConfigError(
      `output directory ${out} exists and is not a folder; choose another output directory`,
    );
  });
  const staging = await createStaging(out);
  const files: string[] = [];
  try {
    for await (const entry of checkedEntries(ctx, options)) {
      if (entry.kind === "directory") {
        await staging.mkdir(entry.path);
      } else {
        await staging.writeFile(entry.path, entry.read);
        files.push(entry.path);
      }
    }
    options.signal?.throwIfAborted();
    await staging.commit(files, { overwrite: options.overwrite });
  } catch (error) {
    await staging.discard();
    // A folder this call created is removed again when it stayed empty.
    if (!existed) await Deno.remove(out).catch(() => {});
    throw error;
  }
  return files.sort().map((path) => join(out, path));
}
