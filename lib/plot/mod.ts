/**
 * Plots: PNG figures of GeoTIFF results and of quicklooks, laid out in a
 * titled grid like the Python SDK's `plot_results` and `plot_quicklooks`.
 *
 * @module
 */
export {
  type PlotOptions,
  plotQuicklooks,
  type PlotResult,
  plotResults,
  type PlotResultsOptions,
} from "./plot.ts";
export type { PlotInput } from "./inputs.ts";
export type { Stretch } from "../raster/stretch.ts";
export { DEFAULT_RASTER_LIMITS, type RasterLimits } from "../raster/limits.ts";
export type { NamedBytes } from "../files/named_bytes.ts";
