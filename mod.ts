/**
 * UP42 job task results for Deno: job task metadata, the results GeoJSON
 * (also as a table), and streamed, verified downloads of result archives
 * and quicklooks. Every function takes an explicit context (see
 * {@linkcode createContext}) and returns plain data.
 *
 * This entry point loads no image, raster, map or emulator code. Rendering
 * is in `@up42/jobtask/raster`, plots in `@up42/jobtask/plot`, maps in
 * `@up42/jobtask/map`, notebook display in `@up42/jobtask/notebook`, the
 * local UP42 emulator in `@up42/jobtask/emulator`, the command line in
 * `@up42/jobtask/cli`.
 *
 * @example
 * ```ts
 * import { createContext, getResultsJson, jobtaskInfo } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 *
 * await using emulator = await startEmulator(); // or credentials from UP42_PROJECT_ID / UP42_PROJECT_API_KEY
 * const ctx = createContext({
 *   ...emulator.credentials,
 *   jobId: emulator.jobId,
 *   jobtaskId: emulator.jobtasks.processing,
 * });
 * const info = await jobtaskInfo(ctx);
 * const results = await getResultsJson(ctx);
 * if (info.status !== "SUCCEEDED" || results.features.length === 0) throw new Error();
 * ```
 *
 * @module
 */
export * from "./lib/client/mod.ts";
export * from "./lib/jobtask/mod.ts";
export * from "./lib/download/mod.ts";
export type { NamedBytes } from "./lib/files/named_bytes.ts";
export {
  type ApiFailure,
  ArchiveError,
  type ArchiveFailure,
  type ArchiveProblem,
  AuthError,
  ConfigError,
  type ConfigProblem,
  type IntegrityCheck,
  IntegrityError,
  JobError,
  type JobFailure,
  type JobtaskFailure,
  MapError,
  NetworkError,
  type NetworkProblem,
  PermissionError,
  RasterError,
  type RasterProblem,
  Up42ApiError,
  Up42Error,
} from "./lib/errors.ts";
export { MODULE_NAME, MODULE_VERSION } from "./lib/version.ts";
