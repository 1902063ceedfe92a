/**
 * Rendering GeoTIFF results: read (only the overview and tiles an output
 * size needs) → stretch → colour map → RGBA, as plain data, and PNG
 * encoding of the result.
 *
 * @example
 * ```ts
 * import { colormapNames, encodePng, renderRaster } from "@up42/jobtask/raster";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 8, height: 8, bands: [new Uint8Array(64).fill(7)], epsg: 4326, origin: [13, 52], pixelSize: [0.001, 0.001] });
 * const rendered = await renderRaster({ name: "a.tif", bytes }, { cmap: "magma" });
 * if (!colormapNames().includes("magma") || encodePng(rendered).length === 0) throw new Error();
 * ```
 *
 * @module
 */
export { type RenderedRaster, type RenderOptions, renderRaster } from "./render.ts";
export type { SizeOptions } from "./options.ts";
export { DEFAULT_RASTER_LIMITS, type RasterLimits } from "./limits.ts";
export type { Georeference } from "./georef.ts";
export type { RasterSource } from "./source.ts";
export type { Stretch } from "./stretch.ts";
export { parseStretch } from "./stretch.ts";
export { colormapNames } from "./colormap.ts";
export { encodePng, type PngOptions } from "../image/png.ts";
export type { RgbaImage } from "../image/rgba.ts";
export type { NamedBytes } from "../files/named_bytes.ts";
