/**
 * Maps: a self-contained Leaflet HTML page of results — features with
 * their properties, an AOI, and every result GeoTIFF warped to Web
 * Mercator — like the Python SDK's `map_results`.
 *
 * @module
 */
export { type MapJobtask, type MapResult, mapResults, type MapResultsOptions } from "./map.ts";
export type { MapInput } from "./inputs.ts";
export type { Stretch } from "../raster/stretch.ts";
export { DEFAULT_RASTER_LIMITS, type RasterLimits } from "../raster/limits.ts";
export type { NamedBytes } from "../files/named_bytes.ts";
