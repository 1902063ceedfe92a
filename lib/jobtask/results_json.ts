/**
 * The jobtask's results `data.json`: a GeoJSON FeatureCollection, or one
 * flat row per feature.
 *
 * @module
 */
import { jobtaskPath } from "../client/ids.ts";
import { request } from "../client/request.ts";
import type { JobtaskContext } from "../client/types.ts";
import { Up42ApiError } from "../errors.ts";
import { type FeatureTable, featureTable } from "./table.ts";
import type { CallOptions, FeatureCollection } from "./types.ts";

/** Options of {@linkcode getResultsJson}. */
export interface ResultsJsonOptions extends CallOptions {
  /** Return one flat row per feature instead of the FeatureCollection. Default false. */
  asTable?: boolean;
}

/**
 * The jobtask's results `data.json` as a table: one flat row per feature.
 *
 * @example
 * ```ts
 * import { createContext, getResultsJson } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * const table = await getResultsJson(ctx, { asTable: true });
 * if (table.rows.length !== 2 || !table.columns.includes("up42.data_path")) throw new Error();
 * ```
 */
export function getResultsJson(
  ctx: JobtaskContext,
  options: ResultsJsonOptions & { asTable: true },
): Promise<FeatureTable>;
/**
 * The jobtask's results `data.json` as a GeoJSON FeatureCollection in
 * EPSG:4326 (GET `.../tasks/{t}/outputs/data-json/`).
 *
 * @example
 * ```ts
 * import { createContext, getResultsJson } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * if ((await getResultsJson(ctx)).features.length !== 2) throw new Error();
 * ```
 */
export function getResultsJson(
  ctx: JobtaskContext,
  options?: ResultsJsonOptions & { asTable?: false },
): Promise<FeatureCollection>;
export async function getResultsJson(
  ctx: JobtaskContext,
  options: ResultsJsonOptions = {},
): Promise<FeatureCollection | FeatureTable> {
  const path = jobtaskPath(ctx, "outputs", "data-json", "");
  const body = await request<FeatureCollection>(ctx, path, {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  checkCollection(body, path);
  return options.asTable ? featureTable(body) : body;
}

/** Refuses what is not a FeatureCollection of Features, naming the first bad feature. */
function checkCollection(body: unknown, path: string): asserts body is FeatureCollection {
  const malformed = (message: string) =>
    new Up42ApiError({ method: "GET", path, status: 200, message });
  const fc = body as Partial<FeatureCollection> | null;
  if (!fc || fc.type !== "FeatureCollection" || !Array.isArray(fc.features)) {
    throw malformed("expected a GeoJSON FeatureCollection");
  }
  fc.features.forEach((feature, i) => {
    if (!feature || typeof feature !== "object" || feature.type !== "Feature") {
      throw malformed(`feature ${i} is not a GeoJSON Feature`);
    }
  });
}
