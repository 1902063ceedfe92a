/**
 * Jobtask metadata and results JSON: the read-only calls of the jobs API.
 *
 * @module
 */
import type { Up42Context } from "./context.ts";
import { Up42ApiError } from "./errors.ts";
import { apiPath, validateId } from "./ids.ts";
import { request } from "./request.ts";
import { type FeatureTable, featureTable } from "./table.ts";

/** A jobtask as the API lists it. Fields beyond these are kept as they come. */
export interface JobtaskInfo {
  /** The jobtask id. */
  id: string;
  /** The block's name and version, e.g. `sentinelhub-s2:1`. */
  name?: string;
  /** E.g. `SUCCEEDED`. */
  status?: string;
  /** Every other field the API sent. */
  [key: string]: unknown;
}

/** A GeoJSON Feature. */
export interface Feature {
  /** Always `Feature`. */
  type: "Feature";
  /** The geometry, in EPSG:4326 for UP42 results. */
  geometry: { type: string; coordinates?: unknown; geometries?: unknown } | null;
  /** The feature's properties. */
  properties: Record<string, unknown> | null;
  /** Optional id. */
  id?: string | number;
  /** Optional bounding box. */
  bbox?: number[];
}

/** A GeoJSON FeatureCollection. */
export interface FeatureCollection {
  /** Always `FeatureCollection`. */
  type: "FeatureCollection";
  /** The features. */
  features: Feature[];
}

/** Options shared by the calls in this file. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Time limit of each attempt, in ms. Default `ctx.timeoutMs`. */
  timeoutMs?: number;
}

/**
 * Lists all jobtasks of `ctx.jobId` (GET `/projects/{p}/jobs/{j}/tasks/`).
 *
 * @example
 * ```ts ignore
 * import { createContext, listJobtasks } from "../mod.ts";
 * const tasks = await listJobtasks(createContext({ jobId: "de5806aa-5ef1-4dc9-ab1d-06d7ec1a5021" }));
 * console.log(tasks.map((t) => `${t.id} ${t.name}`));
 * ```
 */
export async function listJobtasks(
  ctx: Up42Context,
  options: CallOptions = {},
): Promise<JobtaskInfo[]> {
  const path = jobPath(ctx, "tasks", "");
  const tasks = await request<unknown>(ctx, path, options);
  if (!Array.isArray(tasks)) {
    throw new Up42ApiError({
      method: "GET",
      path,
      status: 200,
      message: "expected a list of jobtasks",
    });
  }
  return tasks as JobtaskInfo[];
}

/**
 * The metadata of `ctx.jobtaskId`: the entry of {@linkcode listJobtasks}
 * whose id matches. Throws {@linkcode Up42ApiError} (status 404) when the job
 * has no such jobtask.
 *
 * @example
 * ```ts ignore
 * import { createContext, jobtaskInfo } from "../mod.ts";
 * const info = await jobtaskInfo(createContext({ jobId: "j", jobtaskId: "t" }));
 * console.log(info.status);
 * ```
 */
export async function jobtaskInfo(
  ctx: Up42Context,
  options: CallOptions = {},
): Promise<JobtaskInfo> {
  const jobtaskId = validateId("jobtask id", ctx.jobtaskId);
  const tasks = await listJobtasks(ctx, options);
  const found = tasks.find((t) => t.id === jobtaskId);
  if (!found) {
    throw new Up42ApiError({
      method: "GET",
      path: jobPath(ctx, "tasks", ""),
      status: 404,
      message: `job ${ctx.jobId} has no jobtask ${jobtaskId}`,
      hint: `its jobtasks are: ${tasks.map((t) => t.id).join(", ") || "none"}`,
    });
  }
  return found;
}

/** Options of {@linkcode getResultsJson}. */
export interface ResultsJsonOptions extends CallOptions {
  /** Return one flat row per feature instead of the FeatureCollection. Default false. */
  asTable?: boolean;
}

/**
 * The jobtask's results `data.json`, a GeoJSON FeatureCollection in EPSG:4326
 * (GET `.../tasks/{t}/outputs/data-json/`); with `asTable` one flat row per
 * feature, which displays as a table in a Jupyter notebook.
 *
 * @example
 * ```ts ignore
 * import { createContext, getResultsJson } from "../mod.ts";
 * const ctx = createContext({ jobId: "j", jobtaskId: "t" });
 * const fc = await getResultsJson(ctx);
 * const table = await getResultsJson(ctx, { asTable: true });
 * console.log(fc.features.length, table.rows.length);
 * ```
 */
export function getResultsJson(
  ctx: Up42Context,
  options: ResultsJsonOptions & { asTable: true },
): Promise<FeatureTable>;
/**
 * The jobtask's results `data.json` as a GeoJSON FeatureCollection in EPSG:4326.
 *
 * @example
 * ```ts ignore
 * import { createContext, getResultsJson } from "../mod.ts";
 * const fc = await getResultsJson(createContext({ jobId: "j", jobtaskId: "t" }));
 * console.log(fc.features.length);
 * ```
 */
export function getResultsJson(
  ctx: Up42Context,
  options?: ResultsJsonOptions & { asTable?: false },
): Promise<FeatureCollection>;
export async function getResultsJson(
  ctx: Up42Context,
  options: ResultsJsonOptions = {},
): Promise<FeatureCollection | FeatureTable> {
  const path = jobtaskPath(ctx, "outputs", "data-json", "");
  const body = await request<FeatureCollection>(ctx, path, {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (!body || body.type !== "FeatureCollection" || !Array.isArray(body.features)) {
    throw new Up42ApiError({
      method: "GET",
      path,
      status: 200,
      message: "expected a GeoJSON FeatureCollection",
    });
  }
  return options.asTable ? featureTable(body) : body;
}

/**
 * The path `/projects/{p}/jobs/{j}/...rest`, every id validated.
 *
 * @example
 * ```ts ignore
 * import { jobPath } from "./api.ts";
 * jobPath(ctx, "tasks", ""); // "/projects/p/jobs/j/tasks/"
 * ```
 */
export function jobPath(ctx: Up42Context, ...rest: string[]): string {
  return apiPath("projects", ["project id", ctx.projectId], "jobs", ["job id", ctx.jobId], ...rest);
}

/**
 * The path `/projects/{p}/jobs/{j}/tasks/{t}/...rest`, every id validated.
 *
 * @example
 * ```ts ignore
 * import { jobtaskPath } from "./api.ts";
 * jobtaskPath(ctx, "downloads", "results", ""); // "/projects/p/jobs/j/tasks/t/downloads/results/"
 * ```
 */
export function jobtaskPath(ctx: Up42Context, ...rest: string[]): string {
  return jobPath(ctx, "tasks", validateId("jobtask id", ctx.jobtaskId), ...rest);
}
