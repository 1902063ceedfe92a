/**
 * `downloadJobResults`: every jobtask of a job (or a subset, or a shard)
 * downloaded into one job folder, a few at a time. Each jobtask is its own
 * incremental download (see `jobtask.ts`); one failing does not stop or
 * undo the others, and all failures are reported together at the end.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { jobPath } from "../client/ids.ts";
import { withJobtask } from "../client/context.ts";
import type { JobContext } from "../client/types.ts";
import { ConfigError, errorLine, type JobtaskFailure, PermissionError } from "../errors.ts";
import { refuseBroadOutput } from "../files/output_folder.ts";
import { ensurePermission } from "../files/permission.ts";
import { jobtaskFailure, throwIfFailed } from "../internal/job_failures.ts";
import { mapPool } from "../internal/pool.ts";
import { listJobtasks } from "../jobtask/info.ts";
import { jobtaskName, selectJobtasks } from "../jobtask/select.ts";
import { downloadJobtask } from "./jobtask.ts";
import type { DownloadResultsOptions } from "./options.ts";
import type { DownloadProgress, DownloadState } from "./pipeline.ts";
import { checkShard, type Shard, shardOf } from "./shard.ts";

/** Options of {@linkcode downloadJobResults}. */
export interface DownloadJobResultsOptions
  extends Omit<DownloadResultsOptions, "outputDirectory" | "onProgress"> {
  /**
   * The job's folder; each jobtask goes into `jobtask_{jobtaskId}` inside
   * it. Default `{cwd}/project_{projectId}/job_{jobId}`, so that a jobtask's
   * folder is where `downloadResults` puts it by default.
   */
  outputDirectory?: string;
  /** Only these jobtasks (ids), in this order. Default every jobtask of the job. */
  jobtasks?: readonly string[];
  /** Jobtasks downloaded at once. Default 2. */
  concurrency?: number;
  /**
   * Only share `index` of `count` (0-based, see {@linkcode shardOf}), for
   * fanning a job out over machines. Default the whole job (or subset).
   */
  shard?: Shard;
  /** Called as any jobtask's download moves, with the state of all. */
  onProgress?: (progress: JobProgress) => void;
}

/** Where one jobtask of a job download is. */
export type JobtaskState = "queued" | DownloadState | "failed";

/** Progress of one jobtask of a job download. */
export interface JobtaskProgress {
  /** The jobtask. */
  jobtaskId: string;
  /** Its name, when the API gave one. */
  jobtaskName: string | null;
  /** Where its download is. */
  state: JobtaskState;
  /** Archive bytes received so far. */
  bytes: number;
  /** Its archive's size, once announced. */
  totalBytes?: number;
  /** Files written so far. */
  files: number;
}

/** Progress of a job download: totals over all jobtasks, and each one's. */
export interface JobProgress {
  /** Archive bytes received so far, all jobtasks together. */
  bytes: number;
  /** The sizes announced so far, added up (grows as downloads start). */
  totalBytes?: number;
  /** Files written so far, all jobtasks together. */
  files: number;
  /** Each jobtask's progress, in the order they are downloaded. */
  jobtasks: JobtaskProgress[];
}

/** What a job download did for one jobtask. */
export interface JobtaskDownload {
  /** The jobtask. */
  jobtaskId: string;
  /** Its name, when the API gave one. */
  jobtaskName: string | null;
  /** Its folder (absolute). */
  directory: string;
  /** `written` now, already `up-to-date`, or `failed` (see `error`). */
  state: "written" | "up-to-date" | "failed";
  /** Its files' absolute paths, sorted (none when it failed). */
  files: string[];
  /** Archive bytes downloaded now. */
  bytes: number;
  /** Why it failed, one line. */
  error?: string;
}

/** What {@linkcode downloadJobResults} did. */
export interface JobDownload {
  /** The job. */
  jobId: string;
  /** The job's folder (absolute). */
  directory: string;
  /** One entry per jobtask worked on, in the order of the job's list (or of `jobtasks`). */
  jobtasks: JobtaskDownload[];
}

/**
 * Downloads the results of every jobtask of `ctx.jobId` (or of
 * `jobtasks`, or of one `shard`) into `{outputDirectory}/jobtask_{id}/`
 * each, `concurrency` at a time, and says per jobtask what was written,
 * what was already up to date, and what failed.
 *
 * Each jobtask is downloaded as `downloadResults` does it (streamed,
 * verified, atomic, incremental with its manifest; `force`, `unpack`,
 * `verify`, `overwrite`, `hashes` and the limits apply to each). Memory
 * stays that of one download per concurrent jobtask. A jobtask that fails
 * leaves its folder as it was and does not stop the others; when all have
 * ended, the failures are thrown together as one `JobError` whose
 * `failures` carry each error and whose `result` is this call's
 * {@linkcode JobDownload} (what the others wrote). Running the call again
 * downloads only what is not up to date. `signal` cancels every download
 * (each removes its staging folder) and rejects with the abort reason.
 *
 * Permissions: as `downloadResults`, with `--allow-read` and
 * `--allow-write` for the job's folder. A missing permission is no
 * jobtask's failure: it starts no further jobtask and is thrown as the
 * `PermissionError` it is.
 *
 * @example
 * ```ts
 * import { createContext, downloadJobResults } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId });
 * const dir = await Deno.makeTempDir();
 * const job = await downloadJobResults(ctx, { outputDirectory: dir });
 * if (job.jobtasks.length !== 3 || job.jobtasks.some((t) => t.state !== "written")) throw new Error();
 * const again = await downloadJobResults(ctx, { outputDirectory: dir });
 * if (again.jobtasks.some((t) => t.state !== "up-to-date")) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function downloadJobResults(
  ctx: JobContext,
  options: DownloadJobResultsOptions = {},
): Promise<JobDownload> {
  jobPath(ctx); // validates the ids before anything else
  const shard = options.shard && checkShard(options.shard);
  const concurrency = options.concurrency ?? 2;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new ConfigError({
      setting: "concurrency",
      problem: `concurrency ${concurrency} is not a whole number of at least 1`,
      fix: "pass e.g. 2",
    });
  }
  const out = resolve(
    options.outputDirectory ??
      join(options.cwd ?? ".", `project_${ctx.projectId}`, `job_${ctx.jobId}`),
  );
  refuseBroadOutput(out, options.allowRootOrHomeOutput);
  await ensurePermission("write", out, `downloading job results into ${out}`);
  await ensurePermission("read", out, `downloading job results into ${out}`);
  const listed = await listJobtasks(ctx, { signal: options.signal });
  let chosen = selectJobtasks(listed, options.jobtasks, ctx.jobId);
  if (shard) chosen = chosen.filter((t) => shardOf(t.id, shard.count) === shard.index);

  const states: JobtaskProgress[] = chosen.map((t) => ({
    jobtaskId: t.id,
    jobtaskName: jobtaskName(t),
    state: "queued",
    bytes: 0,
    files: 0,
  }));
  // Totals kept as each jobtask's figures change, not summed again on every chunk.
  let bytes = 0, files = 0, totalBytes: number | undefined;
  const report = () => {
    if (!options.onProgress) return;
    const progress: JobProgress = { bytes, files, jobtasks: states.map((s) => ({ ...s })) };
    if (totalBytes !== undefined) progress.totalBytes = totalBytes;
    options.onProgress(progress);
  };
  const { jobtasks: _subset, concurrency: _c, shard: _s, ...perJobtask } = options;
  // A missing permission is the same for every jobtask: the first one ends the call as itself.
  let denied: PermissionError | undefined;
  const settled = await mapPool(chosen, concurrency, async (task, i) => {
    if (denied) throw denied;
    const state = states[i];
    const update = (p: DownloadProgress) => {
      bytes += p.bytes - state.bytes;
      files += p.files - state.files;
      if (p.totalBytes !== undefined) {
        totalBytes = (totalBytes ?? 0) + p.totalBytes - (state.totalBytes ?? 0);
        state.totalBytes = p.totalBytes;
      }
      Object.assign(state, { bytes: p.bytes, files: p.files, state: p.state ?? state.state });
      report();
    };
    try {
      return await downloadJobtask(withJobtask(ctx, { jobtaskId: task.id }), {
        ...perJobtask,
        outputDirectory: join(out, `jobtask_${task.id}`),
        onProgress: update,
      }, { jobtaskName: state.jobtaskName });
    } catch (error) {
      if (error instanceof PermissionError) denied ??= error;
      throw error;
    }
  });
  if (options.signal?.aborted) throw options.signal.reason;
  if (denied) throw denied;
  const failures: JobtaskFailure[] = [];
  const result: JobDownload = {
    jobId: ctx.jobId,
    directory: out,
    jobtasks: settled.map((outcome, i) => {
      const { jobtaskId, jobtaskName } = states[i];
      if (outcome.status === "fulfilled") {
        const { directory, state, files, bytes } = outcome.value;
        return { jobtaskId, jobtaskName, directory, state, files, bytes };
      }
      const failure = jobtaskFailure(outcome.reason, jobtaskId, jobtaskName);
      failures.push(failure);
      states[i].state = "failed";
      return {
        jobtaskId,
        jobtaskName,
        directory: join(out, `jobtask_${jobtaskId}`),
        state: "failed",
        files: [],
        bytes: 0,
        error: errorLine(failure.error),
      };
    }),
  };
  report();
  throwIfFailed({ jobId: ctx.jobId, action: "download", failures, total: chosen.length, result });
  return result;
}
