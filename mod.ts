/**
 * UP42 job task results for Deno: metadata, results GeoJSON (also as a
 * table), streamed and verified downloads, PNG plots and a self-contained
 * Leaflet map. Every function takes an explicit context (see
 * {@linkcode createContext}) and returns plain data.
 *
 * @example
 * ```ts ignore
 * import { createContext, getResultsJson, jobtaskInfo } from "@up42/jobtask";
 *
 * const ctx = createContext({ jobId: "de5806aa-...", jobtaskId: "3f772637-..." }); // credentials from env
 * console.log(await jobtaskInfo(ctx));
 * console.log((await getResultsJson(ctx)).features.length);
 * ```
 *
 * @module
 */
export {
  type ContextOptions,
  createContext,
  DEFAULT_API_URL,
  type Up42Context,
  withJobtask,
} from "./lib/context.ts";
export {
  type CallOptions,
  type Feature,
  type FeatureCollection,
  getResultsJson,
  type JobtaskInfo,
  jobtaskInfo,
  listJobtasks,
  type ResultsJsonOptions,
} from "./lib/api.ts";
export { type FeatureRow, type FeatureTable, featureTable } from "./lib/table.ts";
export { request, type RequestOptions, requestResponse } from "./lib/request.ts";
export { DEFAULT_RETRY, type RetryPolicy } from "./lib/retry.ts";
export { type TokenSource } from "./lib/auth.ts";
export {
  ArchiveError,
  AuthError,
  ConfigError,
  IntegrityError,
  MapError,
  RasterError,
  Up42ApiError,
  Up42Error,
} from "./lib/errors.ts";
export { downloadResults, type DownloadResultsOptions } from "./lib/download.ts";
export {
  type CheckedEntry,
  type DownloadProgress,
  readResults,
  type ResultEntry,
  streamResults,
  type StreamResultsOptions,
} from "./lib/stream_results.ts";
export { type ArchiveLimits, DEFAULT_LIMITS } from "./lib/archive_entry.ts";
export type { HashCheck } from "./lib/verify.ts";
export {
  downloadQuicklooks,
  type DownloadQuicklooksOptions,
  listQuicklooks,
  type Quicklook,
  readQuicklook,
} from "./lib/quicklooks.ts";
export {
  type NamedBytes,
  type RasterSource,
  type RenderedRaster,
  type RenderOptions,
  renderRaster,
  type Stretch,
} from "./lib/render_raster.ts";
export {
  type PlotInput,
  type PlotOptions,
  plotQuicklooks,
  type PlotResult,
  plotResults,
  type PlotResultsOptions,
} from "./lib/plot.ts";
export {
  jupyterFrame,
  type MapInput,
  type MapResult,
  mapResults,
  type MapResultsOptions,
} from "./lib/map.ts";
export { colormapNames } from "./lib/raster_colormap.ts";
export { type Emulator, type EmulatorOptions, startEmulator } from "./lib/emulator/server.ts";
export { MODULE_VERSION } from "./lib/version.ts";
