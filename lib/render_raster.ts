/**
 * Renders a GeoTIFF (path, bytes or URL) to RGBA pixels: the building block
 * of the plots and of the map overlays.
 *
 * @module
 */

import type { GeoTIFFImage } from "geotiff";
import { ConfigError, RasterError } from "./errors.ts";
import { base64, JUPYTER_DISPLAY, toPng } from "./png.ts";
import { colormapLut } from "./raster_colormap.ts";
import { describeRaster, readDecimated } from "./raster_read.ts";
import { openRaster, type RasterSource } from "./raster_source.ts";
import { applyStretch, type Stretch, stretchLimits } from "./raster_stretch.ts";

export type { NamedBytes, RasterSource } from "./raster_source.ts";
export type { Stretch } from "./raster_stretch.ts";

/** Options of {@linkcode renderRaster}. */
export interface RenderOptions {
  /** 1-based bands: three for RGB or one for a colour-mapped band. Default [1, 2, 3], or [1] when the file has fewer than three bands. */
  bands?: number[];
  /** Output width; with only one of width/height the raster's aspect ratio is kept. */
  width?: number;
  /** Output height. Without width, height and fit the longest side is min(raster size, 1024). */
  height?: number;
  /** Largest [width, height] box to fit in, keeping the aspect ratio (used without width/height). */
  fit?: [number, number];
  /** Contrast stretch; default "auto" (uint8 as-is, otherwise a 2–98 percentile cut per band). */
  stretch?: Stretch;
  /** Colour map for one band; default "gray". Any d3-scale-chromatic name, e.g. "viridis". */
  cmap?: string;
  /** Nodata value overriding the file's GDAL_NODATA tag (NaN is always nodata for floats). */
  nodata?: number;
}

/** A rendered raster: plain data plus PNG encoding. */
export interface RenderedRaster {
  /** Output width in pixels. */
  width: number;
  /** Output height in pixels. */
  height: number;
  /** width * height * 4 bytes; nodata and masked pixels have alpha 0. */
  rgba: Uint8ClampedArray;
  /** Outer edges of the raster [minX, minY, maxX, maxY] in CRS units; the grid spans exactly these. */
  bounds: [number, number, number, number];
  /** "EPSG:nnnn" from the GeoKeys, undefined when the file has none. */
  crs?: string;
  /** Bands of the file (alpha included). */
  bandCount: number;
  /** Encodes the pixels as a PNG. */
  toPng(): Uint8Array;
}

/**
 * Checks a `bands` option: one or three integers of at least 1.
 *
 * @example
 * ```ts
 * import { checkBands } from "./render_raster.ts";
 * checkBands([4, 3, 2]); // fine
 * ```
 */
export function checkBands(bands: number[]): void {
  if (bands.length !== 1 && bands.length !== 3) {
    throw new ConfigError(
      `bands must list one or three band numbers, got ${bands.length} (${
        bands.join(",")
      }): e.g. [1, 2, 3] or [1]`,
    );
  }
  for (const b of bands) {
    if (!Number.isInteger(b) || b < 1) {
      throw new ConfigError(`band ${b} is not a band number: bands count from 1`);
    }
  }
}

function outputSize(w: number, h: number, o: RenderOptions): [number, number] {
  for (const [k, v] of [["width", o.width], ["height", o.height]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 20000)) {
      throw new ConfigError(`${k} ${v} is not a whole number of pixels between 1 and 20000`);
    }
  }
  if (o.width && o.height) return [o.width, o.height];
  if (o.width) return [o.width, Math.max(1, Math.round((o.width * h) / w))];
  if (o.height) return [Math.max(1, Math.round((o.height * w) / h)), o.height];
  const scale = o.fit ? Math.min(o.fit[0] / w, o.fit[1] / h) : Math.min(1, 1024 / Math.max(w, h));
  return [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
}

function georef(image: GeoTIFFImage): Pick<RenderedRaster, "bounds" | "crs"> {
  const keys = image.getGeoKeys() ?? {};
  const code = Number(keys.ProjectedCSTypeGeoKey ?? keys.GeographicTypeGeoKey);
  const crs = code > 0 && code < 32767 ? `EPSG:${code}` : undefined;
  const w = image.getWidth(), h = image.getHeight();
  try {
    if (image.fileDirectory.getValue("ModelTransformation")) {
      return { bounds: image.getBoundingBox() as RenderedRaster["bounds"], crs };
    }
    let [ox, oy] = image.getOrigin();
    const [rx, ry] = image.getResolution();
    if (keys.GTRasterTypeGeoKey === 2) {
      // PixelIsPoint: the tie point is a pixel centre; move it to the corner.
      ox -= rx / 2;
      oy -= ry / 2;
    }
    const xs = [ox, ox + rx * w], ys = [oy, oy + ry * h];
    return {
      bounds: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
      crs,
    };
  } catch {
    return { bounds: [0, 0, w, h], crs };
  }
}

/**
 * Renders bands of a GeoTIFF to RGBA at the requested size, reading only
 * what that size needs (the right overview, only sampled tiles).
 *
 * @example
 * ```ts ignore
 * import { renderRaster } from "./render_raster.ts";
 * const r = await renderRaster("scene.tif", { width: 800, bands: [4, 3, 2] });
 * await Deno.writeFile("scene.png", r.toPng());
 * console.log(r.bounds, r.crs);
 * ```
 */
export async function renderRaster(
  source: RasterSource,
  options: RenderOptions = {},
): Promise<RenderedRaster> {
  if (options.bands) checkBands(options.bands);
  if (options.cmap) colormapLut(options.cmap);
  const opened = await openRaster(source);
  const { name } = opened;
  try {
    const info = await describeRaster(opened.tiff, name);
    const colour = info.bandCount - (info.alphaSample === undefined ? 0 : 1);
    const bands = options.bands ?? (colour >= 3 ? [1, 2, 3] : [1]);
    for (const b of bands) {
      if (b > info.bandCount) {
        throw new RasterError(
          `${name}: band ${b} does not exist (the file has ${info.bandCount} band${
            info.bandCount === 1 ? "" : "s"
          }): pass bands between 1 and ${info.bandCount}`,
        );
      }
    }
    const [width, height] = outputSize(info.width, info.height, options);
    const samples = bands.map((b) => b - 1);
    const alpha = info.alphaSample !== undefined && !samples.includes(info.alphaSample);
    if (alpha) samples.push(info.alphaSample!);
    const nodata = options.nodata ?? info.nodata;
    const read = await readDecimated(info, name, samples, width, height, nodata);
    if (alpha) {
      const a = read.bands.pop()!;
      const bands = read.bands;
      for (let i = 0; i < a.length; i++) {
        if (!(a[i] > 0)) {
          for (let k = 0; k < bands.length; k++) bands[k][i] = NaN;
        }
      }
    }
    const stretch = options.stretch ?? "auto";
    const bytes = read.bands.map((values, i) => {
      const [lo, hi] = stretchLimits(values, stretch, info.dtype, i);
      return applyStretch(values, lo, hi);
    });
    const rgba = new Uint8ClampedArray(width * height * 4);
    const lut = bytes.length === 1 ? colormapLut(options.cmap ?? "gray") : undefined;
    const values = read.bands;
    for (let i = 0; i < width * height; i++) {
      // NaN marks nodata: a pixel is drawn when any band holds a value.
      let valid = false;
      for (let k = 0; k < values.length && !valid; k++) valid = values[k][i] === values[k][i];
      if (!valid) continue;
      if (lut) {
        const k = bytes[0][i] * 3;
        rgba[i * 4] = lut[k];
        rgba[i * 4 + 1] = lut[k + 1];
        rgba[i * 4 + 2] = lut[k + 2];
      } else {
        rgba[i * 4] = bytes[0][i];
        rgba[i * 4 + 1] = bytes[1][i];
        rgba[i * 4 + 2] = bytes[2][i];
      }
      rgba[i * 4 + 3] = 255;
    }
    const main = info.levels[0];
    return withPng({ width, height, rgba, ...georef(main), bandCount: info.bandCount });
  } finally {
    await opened.close();
  }
}

/**
 * Adds `toPng()` and the Jupyter display hook to RGBA data.
 *
 * @example
 * ```ts
 * import { withPng } from "./render_raster.ts";
 * const r = withPng({ width: 1, height: 1, rgba: new Uint8ClampedArray(4) });
 * console.log(r.toPng().length > 0); // true
 * ```
 */
export function withPng<T extends { width: number; height: number; rgba: Uint8ClampedArray }>(
  data: T,
): T & { toPng(): Uint8Array } {
  const out = data as T & { toPng(): Uint8Array };
  Object.defineProperty(out, "toPng", { value: () => toPng(data), enumerable: false });
  Object.defineProperty(out, JUPYTER_DISPLAY, {
    value: () => ({ "image/png": base64(toPng(data)) }),
    enumerable: false,
  });
  return out;
}
