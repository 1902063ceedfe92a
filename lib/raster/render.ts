/**
 * Renders a GeoTIFF (path, bytes or URL) to RGBA pixels: the building block
 * of the plots and of the map overlays. The result is plain data; encode it
 * with `encodePng`.
 *
 * @module
 */
import { RasterError } from "../errors.ts";
import { describeRaster, type RasterInfo } from "./describe.ts";
import { type Georeference, georeference } from "./georef.ts";
import { Budget, type RasterLimits, resolveLimits } from "./limits.ts";
import { checkBands, outputSize, type SizeOptions } from "./options.ts";
import { type DecodePool, PoolStopped, withinBudget } from "./pool.ts";
import { readDecimated } from "./read.ts";
import { openRaster, type RasterSource, sourceName } from "./source.ts";
import { applyStretch, integerRange, type Stretch, stretchLimits } from "./stretch.ts";

/** Options of {@linkcode renderRaster}. */
export interface RenderOptions extends SizeOptions {
  /** 1-based bands: three for RGB or one for a colour-mapped band. Default [1, 2, 3], or [1] when the file has fewer than three bands. */
  bands?: number[];
  /** Contrast stretch; default "auto" (uint8 as-is, otherwise a 2–98 percentile cut per band). */
  stretch?: Stretch;
  /** Colour map for one band; default "gray". Any d3-scale-chromatic name, e.g. "viridis". */
  cmap?: string;
  /** Nodata value overriding the file's GDAL_NODATA tag (NaN is always nodata for floats). */
  nodata?: number;
  /** Decoding budgets; each unset one is `DEFAULT_RASTER_LIMITS`' value. */
  limits?: Partial<RasterLimits>;
  /** Decode tiles on worker threads too when there is much to decode (1 GiB or more); default true. */
  workers?: boolean;
}

/** A rendered raster: plain data. */
export interface RenderedRaster extends Georeference {
  /** Output width in pixels. */
  width: number;
  /** Output height in pixels. */
  height: number;
  /** width * height * 4 bytes; nodata and masked pixels have alpha 0. */
  rgba: Uint8ClampedArray;
  /** Bands of the file (alpha included). */
  bandCount: number;
  /** For a single band drawn through a colour map: the values mapped to its ends, [low, high]. */
  range?: [number, number];
}

/**
 * Renders bands of a GeoTIFF to RGBA at the requested size, reading only
 * what that size needs (the right overview, only sampled tiles).
 *
 * @example
 * ```ts
 * import { encodePng, renderRaster } from "@up42/jobtask/raster";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 64, height: 32, bands: [new Uint16Array(2048).map((_, i) => i)], epsg: 32633, origin: [500000, 5000000], pixelSize: [10, 10] });
 * const r = await renderRaster({ name: "ramp.tif", bytes }, { width: 32, cmap: "viridis" });
 * if (r.width !== 32 || r.height !== 16 || r.crs !== "EPSG:32633") throw new Error();
 * if (encodePng(r)[1] !== 0x50) throw new Error();
 * ```
 */
export async function renderRaster(
  source: RasterSource,
  options: RenderOptions = {},
): Promise<RenderedRaster> {
  if (options.bands) checkBands(options.bands);
  if (options.cmap) await colourTable(options.cmap);
  const limits = resolveLimits(options.limits);
  const [width0, height0] = [options.width, options.height];
  if (width0 !== undefined || height0 !== undefined) outputSize(1, 1, options);
  const budget = new Budget(sourceName(source), limits);
  return await withinBudget(budget, async () => {
    const opened = await openRaster(source, limits);
    try {
      const info = await describeRaster(opened.tiff, limits);
      return await draw(info, opened.name, options, budget);
    } finally {
      await opened.close();
    }
  });
}

/** In-memory rasters up to this size may be copied to a worker thread to render there. */
const COPY_TO_THREAD_BYTES = 16 * 2 ** 20;

/**
 * Renders like {@linkcode renderRaster}, on a worker of `pool` when there is
 * one (the worker reads the file itself, within the same budget), here
 * otherwise, or when the raster is in memory and large, or when the pool
 * was stopped.
 *
 * @example
 * ```ts
 * import { renderRasterOn } from "./render.ts";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 8, height: 8, bands: [new Uint8Array(64)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * if ((await renderRasterOn(undefined, { name: "a.tif", bytes }, { width: 4 })).width !== 4) throw new Error();
 * ```
 */
export async function renderRasterOn(
  pool: DecodePool | undefined,
  source: RasterSource,
  options: RenderOptions = {},
): Promise<RenderedRaster> {
  const size = source instanceof Uint8Array || source instanceof ArrayBuffer
    ? source.byteLength
    : typeof source === "object" && "bytes" in source
    ? source.bytes.byteLength
    : 0;
  if (!pool || size > COPY_TO_THREAD_BYTES) return await renderRaster(source, options);
  // URL objects do not cross threads; their text does (a file: URL as its path).
  const portable = source instanceof URL
    ? source.protocol === "file:" ? decodeURIComponent(source.pathname) : source.href
    : source;
  const budget = new Budget(sourceName(source), resolveLimits(options.limits));
  try {
    return await withinBudget(budget, () => pool.render(portable, options));
  } catch (e) {
    if (e instanceof PoolStopped) return await renderRaster(source, options);
    throw e;
  }
}

async function draw(
  info: RasterInfo,
  name: string,
  options: RenderOptions,
  budget: Budget,
): Promise<RenderedRaster> {
  const colour = info.bandCount - (info.alphaSample === undefined ? 0 : 1);
  const bands = options.bands ?? (colour >= 3 ? [1, 2, 3] : [1]);
  for (const b of bands) {
    if (b > info.bandCount) {
      throw new RasterError({
        file: name,
        reason: "bands",
        detail: `band ${b} does not exist (the file has ${info.bandCount} band${
          info.bandCount === 1 ? "" : "s"
        })`,
        fix: `pass bands between 1 and ${info.bandCount}`,
      });
    }
  }
  const [width, height] = outputSize(info.width, info.height, options);
  const samples = bands.map((b) => b - 1);
  const alpha = info.alphaSample !== undefined && !samples.includes(info.alphaSample);
  if (alpha) samples.push(info.alphaSample!);
  const read = await readDecimated(info, samples, width, height, {
    nodata: options.nodata ?? info.nodata,
    budget,
    workers: options.workers,
    integers: !alpha,
  });
  if (alpha) {
    const a = read.bands.pop()!;
    for (let i = 0; i < a.length; i++) {
      if (!(a[i] > 0)) { for (const band of read.bands) band[i] = NaN; }
    }
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  const georef = await georeference(info.tiff, info.levels[0].ifd, info.width, info.height);
  const result = { width, height, rgba, ...georef, bandCount: info.bandCount };
  const values = read.bands;
  if (info.palette && bands.length === 1 && bands[0] === 1 && !options.cmap) {
    // Through the file's colour table, as GDAL expands it.
    const table = info.palette, n = table.length / 4, v = values[0];
    for (let i = 0; i < width * height; i++) {
      const k = v[i];
      if (!(k >= 0 && k < n)) continue;
      rgba.set(table.subarray(k * 4, k * 4 + 4), i * 4);
    }
    return result;
  }
  const stretch = options.stretch ?? "auto";
  const limits = values.map((v, i) => stretchLimits(v, stretch, info.dtype, i));
  const lut = values.length === 1 ? await colourTable(options.cmap) : undefined;
  const range = integerRange(info.dtype);
  if (range && values.every((v) => v instanceof Uint16Array)) {
    // Integers, all valid: every value's byte looked up, in one pass over the pixels.
    const tables = limits.map((l) => stretchTable(range, l));
    if (lut) colourByTable16(values[0] as Uint16Array, tables[0], lut, rgba);
    else rgbByTable16(values as Uint16Array[], tables, rgba);
  } else if (range && values.every((v) => v instanceof Float32Array)) {
    // Small integer types: every value's byte looked up, in one pass over the pixels.
    const tables = limits.map((l) => stretchTable(range, l));
    if (lut) colourByTable(values[0] as Float32Array, range[0], tables[0], lut, rgba);
    else rgbByTable(values as Float32Array[], range[0], tables, rgba);
  } else {
    const bytes = values.map((v, i) => applyStretch(v, ...limits[i]));
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
  }
  return lut ? { ...result, range: limits[0] } : result;
}

const GRAY = Uint8Array.from({ length: 768 }, (_, k) => Math.floor(k / 3));

/**
 * A colour map's table; the named maps (d3-scale-chromatic) load only when one is asked for.
 *
 * @example
 * ```ts
 * import { colourTable } from "./render.ts";
 * if ((await colourTable())[765] !== 255) throw new Error();
 * ```
 */
export async function colourTable(name = "gray"): Promise<Uint8Array> {
  if (/^gr[ae]y$/i.test(name.trim())) return GRAY;
  const { colormapLut } = await import("./colormap.ts");
  return colormapLut(name);
}

/** The stretched byte of every value of an integer range (as `applyStretch` maps it). */
function stretchTable([base, size]: [number, number], [lo, hi]: [number, number]): Uint8Array {
  const values = new Float64Array(size);
  for (let k = 0; k < size; k++) values[k] = base + k;
  return applyStretch(values, lo, hi);
}

/** Three bands through their tables; a pixel is drawn when any band holds a value (not NaN). */
function rgbByTable(
  bands: Float32Array[],
  base: number,
  tables: Uint8Array[],
  rgba: Uint8ClampedArray,
): void {
  const [r, g, b] = bands, [tr, tg, tb] = tables;
  for (let i = 0, o = 0; i < r.length; i++, o += 4) {
    const x = r[i], y = g[i], z = b[i];
    if (x !== x && y !== y && z !== z) continue;
    rgba[o] = x === x ? tr[x - base] : 0;
    rgba[o + 1] = y === y ? tg[y - base] : 0;
    rgba[o + 2] = z === z ? tb[z - base] : 0;
    rgba[o + 3] = 255;
  }
}

/** Three all-valid integer bands through their tables. */
function rgbByTable16(bands: Uint16Array[], tables: Uint8Array[], rgba: Uint8ClampedArray): void {
  const [r, g, b] = bands, [tr, tg, tb] = tables;
  for (let i = 0, o = 0; i < r.length; i++, o += 4) {
    rgba[o] = tr[r[i]];
    rgba[o + 1] = tg[g[i]];
    rgba[o + 2] = tb[b[i]];
    rgba[o + 3] = 255;
  }
}

/** One all-valid integer band through its table and a colour map. */
function colourByTable16(
  band: Uint16Array,
  table: Uint8Array,
  lut: Uint8Array,
  rgba: Uint8ClampedArray,
): void {
  for (let i = 0, o = 0; i < band.length; i++, o += 4) {
    const k = table[band[i]] * 3;
    rgba[o] = lut[k];
    rgba[o + 1] = lut[k + 1];
    rgba[o + 2] = lut[k + 2];
    rgba[o + 3] = 255;
  }
}

/** One band through its table and a colour map. */
function colourByTable(
  band: Float32Array,
  base: number,
  table: Uint8Array,
  lut: Uint8Array,
  rgba: Uint8ClampedArray,
): void {
  for (let i = 0, o = 0; i < band.length; i++, o += 4) {
    const x = band[i];
    if (x !== x) continue;
    const k = table[x - base] * 3;
    rgba[o] = lut[k];
    rgba[o + 1] = lut[k + 1];
    rgba[o + 2] = lut[k + 2];
    rgba[o + 3] = 255;
  }
}
