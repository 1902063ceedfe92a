/**
 * The results of a whole job as one FeatureCollection: every jobtask's
 * `data.json`, each feature tagged with the jobtask it came from.
 *
 * @module
 */
import { withJobtask } from "../client/context.ts";
import type { JobContext } from "../client/types.ts";
import type { JobtaskFailure } from "../errors.ts";
import { jobtaskFailure, throwIfFailed } from "../internal/job_failures.ts";
import { mapPool } from "../internal/pool.ts";
import { listJobtasks } from "./info.ts";
import { getResultsJson } from "./results_json.ts";
import { jobtaskName, selectJobtasks } from "./select.ts";
import { type FeatureTable, featureTable } from "./table.ts";
import type { CallOptions, Feature, FeatureCollection } from "./types.ts";

/** The property naming a feature's jobtask (its id) in {@linkcode getJobResultsJson}. */
export const JOBTASK_ID_PROPERTY = "up42.jobtask_id";
/** The property naming a feature's jobtask (its name, or `null`) in {@linkcode getJobResultsJson}. */
export const JOBTASK_NAME_PROPERTY = "up42.jobtask_name";

/** Options of {@linkcode getJobResultsJson}. */
export interface JobResultsJsonOptions extends CallOptions {
  /** Only these jobtasks (ids), in this order. Default every jobtask of the job. */
  jobtasks?: readonly string[];
  /** Return one flat row per feature instead of the FeatureCollection. Default false. */
  asTable?: boolean;
  /** Jobtasks asked for at once. Default 4. */
  concurrency?: number;
}

/**
 * All jobtasks' results as a table: one flat row per feature, with the
 * columns `up42.jobtask_id` and `up42.jobtask_name` right after the geometry.
 *
 * @example
 * ```ts
 * import { createContext, getJobResultsJson } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const table = await getJobResultsJson(createContext({ ...emulator.credentials, jobId: emulator.jobId }), { asTable: true });
 * if (table.columns[1] !== "up42.jobtask_id" || table.rows.length !== 5) throw new Error(table.columns.join());
 * ```
 */
export function getJobResultsJson(
  ctx: JobContext,
  options: JobResultsJsonOptions & { asTable: true },
): Promise<FeatureTable>;
/**
 * Every jobtask's results `data.json` of `ctx.jobId` (or of `jobtasks`)
 * as one GeoJSON FeatureCollection, in the job's order. Each feature's
 * properties start with `up42.jobtask_id` and `up42.jobtask_name`, so that
 * features of different jobtasks stay apart (a feature's `up42.data_path`
 * is relative to its jobtask's folder, `jobtask_{id}/` of a job download).
 * Jobtasks are asked for a few at a time; when some fail, the others are
 * still gathered and the failures thrown together as a `JobError` whose
 * `result` is the FeatureCollection of the rest.
 *
 * Permissions: `--allow-net` for the API.
 *
 * @example
 * ```ts
 * import { createContext, getJobResultsJson } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const fc = await getJobResultsJson(createContext({ ...emulator.credentials, jobId: emulator.jobId }));
 * const tasks = new Set(fc.features.map((f) => f.properties?.["up42.jobtask_id"]));
 * if (tasks.size !== 3) throw new Error([...tasks].join());
 * ```
 */
export function getJobResultsJson(
  ctx: JobContext,
  options?: JobResultsJsonOptions & { asTable?: false },
): Promise<FeatureCollection>;
export async function getJobResultsJson(
  ctx: JobContext,
  options: JobResultsJsonOptions = {},
): Promise<FeatureCollection | FeatureTable> {
  const listed = await listJobtasks(ctx, options);
  const chosen = selectJobtasks(listed, options.jobtasks, ctx.jobId);
  const settled = await mapPool(
    chosen,
    options.concurrency ?? 4,
    (task) =>
      getResultsJson(withJobtask(ctx, { jobtaskId: task.id }), {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      }),
  );
  if (options.signal?.aborted) throw options.signal.reason;
  const features: Feature[] = [];
  const failures: JobtaskFailure[] = [];
  settled.forEach((outcome, i) => {
    const task = chosen[i];
    const name = jobtaskName(task);
    if (outcome.status === "rejected") {
      failures.push(jobtaskFailure(outcome.reason, task.id, name));
      return;
    }
    for (const feature of outcome.value.features) {
      features.push({ ...feature, properties: tagged(feature.properties, task.id, name) });
    }
  });
  const collection: FeatureCollection = { type: "FeatureCollection", features };
  throwIfFailed({
    jobId: ctx.jobId,
    action: "results JSON",
    failures,
    total: chosen.length,
    result: collection,
  });
  return options.asTable ? featureTable(collection) : collection;
}

function tagged(
  properties: Record<string, unknown> | null,
  id: string,
  name: string | null,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    [JOBTASK_ID_PROPERTY]: id,
    [JOBTASK_NAME_PROPERTY]: name,
  };
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (key !== JOBTASK_ID_PROPERTY && key !== JOBTASK_NAME_PROPERTY) out[key] = value;
  }
  return out;
}
