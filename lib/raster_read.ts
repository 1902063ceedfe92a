/**
 * Reads selected bands of a GeoTIFF decimated to an output grid: picks the
 * most reduced overview that still has about the output's detail, decodes
 * only the tiles or strips that hold sampled pixels (a few at a time, so
 * memory stays flat) and samples each one straight into the output arrays:
 * no full-resolution array of the image is ever built.
 *
 * @module
 */

import { type GeoTIFF, type GeoTIFFImage, getDecoder } from "geotiff";
import { errorLine, RasterError } from "./errors.ts";

/** What a render needs to know about a GeoTIFF before reading pixels. */
export interface RasterInfo {
  /** Full-resolution width in pixels. */
  width: number;
  /** Full-resolution height in pixels. */
  height: number;
  /** Samples per pixel, alpha included (like GDAL's band count). */
  bandCount: number;
  /** Sample format: "uint8", "uint16", "int16", "uint32", "int32", "float32", ... */
  dtype: string;
  /** GDAL_NODATA value, if the file has one. */
  nodata?: number;
  /** 0-based index of an alpha sample (ExtraSamples 1 or 2), if any. */
  alphaSample?: number;
  /** Full image first, then its overviews, largest first. */
  levels: GeoTIFFImage[];
  /** Internal (GDAL) masks, matched to levels by size. */
  masks: GeoTIFFImage[];
}

const FORMATS: Record<number, string> = { 1: "uint", 2: "int", 3: "float" };

/**
 * Reads the directories of a GeoTIFF and sorts them into levels and masks.
 *
 * @example
 * ```ts ignore
 * import { openRaster } from "./raster_source.ts";
 * import { describeRaster } from "./raster_read.ts";
 * const { tiff, name } = await openRaster("scene.tif");
 * console.log((await describeRaster(tiff, name)).bandCount);
 * ```
 */
export async function describeRaster(tiff: GeoTIFF, name: string): Promise<RasterInfo> {
  let count: number;
  try {
    count = await tiff.getImageCount();
  } catch (e) {
    throw new RasterError(`${name}: corrupt TIFF directory (${errorLine(e)})`, { cause: e });
  }
  const main = await tiff.getImage(0);
  const spp = main.getSamplesPerPixel();
  const levels = [main], masks: GeoTIFFImage[] = [];
  for (let i = 1; i < count; i++) {
    const img = await tiff.getImage(i);
    const kind = Number(img.fileDirectory.getValue("NewSubfileType") ?? 0);
    const photometric = img.fileDirectory.getValue("PhotometricInterpretation");
    if ((kind & 4) !== 0 || photometric === 4) masks.push(img);
    else if ((kind & 1) !== 0 && img.getSamplesPerPixel() === spp) levels.push(img);
  }
  levels.sort((a, b) => b.getWidth() - a.getWidth());
  const bits = main.getBitsPerSample(0);
  const format = main.getSampleFormat(0);
  const extra = Array.from((main.fileDirectory.getValue("ExtraSamples") ?? []) as number[]);
  const alphaIndex = extra.findIndex((v) => v === 1 || v === 2);
  const nodata = main.getGDALNoData();
  return {
    width: main.getWidth(),
    height: main.getHeight(),
    bandCount: spp,
    dtype: `${FORMATS[format] ?? "uint"}${bits}`,
    nodata: nodata === null ? undefined : nodata,
    alphaSample: alphaIndex >= 0 ? spp - extra.length + alphaIndex : undefined,
    levels,
    masks,
  };
}

/** Bands sampled onto the output grid; NaN marks nodata or masked pixels. */
export interface Decimated {
  /** Output width. */
  width: number;
  /** Output height. */
  height: number;
  /** One array per requested sample, in request order. */
  bands: Float32Array[];
  /** Size of the level that was read, e.g. an overview. */
  level: { width: number; height: number };
}

/**
 * Source pixel index for each output pixel (nearest neighbour at pixel centres).
 *
 * @example
 * ```ts
 * import { samplePositions } from "./raster_read.ts";
 * console.log([...samplePositions(8, 4)]); // [1, 3, 5, 7]
 * ```
 */
export function samplePositions(src: number, out: number): Int32Array {
  const pos = new Int32Array(out);
  for (let i = 0; i < out; i++) pos[i] = Math.min(src - 1, Math.floor(((i + 0.5) * src) / out));
  return pos;
}

/**
 * Chooses the most reduced level whose reduction is at most 1.2 times the
 * one requested: GDAL's rule for nearest-neighbour reads, so an output a
 * little larger than an overview reads that overview, not one 4x larger.
 */
function chooseLevel(levels: GeoTIFFImage[], outW: number, outH: number): GeoTIFFImage {
  const full = levels[0];
  const wanted = Math.min(full.getWidth() / outW, full.getHeight() / outH) * 1.2;
  let pick = full;
  for (const l of levels) if (full.getWidth() / l.getWidth() <= wanted) pick = l;
  return pick;
}

async function decoderFor(image: GeoTIFFImage, name: string) {
  const fd = image.fileDirectory;
  const compression = Number(fd.getValue("Compression") ?? 1);
  const params: Record<string, unknown> = {
    tileWidth: image.getTileWidth(),
    tileHeight: image.isTiled ? image.getTileHeight() : (Number(
      await fd.loadValue("RowsPerStrip"),
    ) || image.getHeight()),
    planarConfiguration: image.planarConfiguration,
    bitsPerSample: await fd.loadValue("BitsPerSample"),
    predictor: Number(await fd.loadValue("Predictor")) || 1,
  };
  if (compression === 7) params.JPEGTables = await fd.loadValue("JPEGTables");
  if (compression === 34887) params.LercParameters = await fd.loadValue("LercParameters");
  try {
    return await getDecoder(compression, params as any);
  } catch (e) {
    throw new RasterError(
      `${name}: compression ${compression} is not supported (${
        errorLine(e)
      }): convert with DEFLATE`,
      { cause: e },
    );
  }
}

/** For each block index, the [first, end) output indices whose samples fall in it. */
function spans(pos: Int32Array, block: number, blocks: number): Int32Array {
  const out = new Int32Array(blocks * 2);
  let k = 0;
  for (let b = 0; b < blocks; b++) {
    out[2 * b] = k;
    while (k < pos.length && pos[k] < (b + 1) * block) k++;
    out[2 * b + 1] = k;
  }
  return out;
}

/**
 * Reads `samples` (0-based) of the raster onto a `outW` x `outH` grid that
 * spans the whole raster.
 *
 * @example
 * ```ts ignore
 * import { openRaster } from "./raster_source.ts";
 * import { describeRaster, readDecimated } from "./raster_read.ts";
 * const { tiff, name } = await openRaster("scene.tif");
 * const info = await describeRaster(tiff, name);
 * const { bands } = await readDecimated(info, name, [0, 1, 2], 512, 512);
 * ```
 */
export async function readDecimated(
  info: RasterInfo,
  name: string,
  samples: number[],
  outW: number,
  outH: number,
  nodata: number | undefined = info.nodata,
  concurrency = 6,
): Promise<Decimated> {
  const image = chooseLevel(info.levels, outW, outH);
  if (info.dtype === "float16") {
    throw new RasterError(`${name}: 16-bit float samples are not supported: convert to float32`);
  }
  const bands = samples.map(() => new Float32Array(outW * outH));
  const mask = info.masks.find((m) =>
    m.getWidth() === image.getWidth() && m.getHeight() === image.getHeight()
  );
  const targets: { image: GeoTIFFImage; samples: number[]; into: Float32Array[]; mask: boolean }[] =
    [{ image, samples, into: bands, mask: false }];
  if (mask) targets.push({ image: mask, samples: [0], into: bands, mask: true });
  for (const t of targets) {
    await sampleImage(t.image, name, t.samples, t.into, outW, outH, {
      nodata,
      mask: t.mask,
      concurrency,
    });
  }
  return {
    width: outW,
    height: outH,
    bands,
    level: { width: image.getWidth(), height: image.getHeight() },
  };
}

async function sampleImage(
  image: GeoTIFFImage,
  name: string,
  samples: number[],
  into: Float32Array[],
  outW: number,
  outH: number,
  opts: { nodata?: number; mask: boolean; concurrency: number },
): Promise<void> {
  const W = image.getWidth(), H = image.getHeight();
  const tw = image.getTileWidth(), th = image.getTileHeight();
  const spp = image.getSamplesPerPixel();
  const planar = image.planarConfiguration === 2;
  const xs = samplePositions(W, outW), ys = samplePositions(H, outH);
  const across = Math.ceil(W / tw), down = Math.ceil(H / th);
  const colSpans = spans(xs, tw, across), rowSpans = spans(ys, th, down);
  const decoder = await decoderFor(image, name);
  const float32 = image.getSampleFormat(0) === 3 && image.getBitsPerSample(0) === 32;
  const nd = opts.nodata === undefined
    ? undefined
    : float32
    ? Math.fround(opts.nodata)
    : opts.nodata;
  // JPEG-compressed YCbCr tiles decode to YCbCr; displays want RGB.
  const ycbcr = !planar && spp >= 3 &&
    image.fileDirectory.getValue("PhotometricInterpretation") === 6;
  const rgb = [0, 0, 0];
  const jobs: [number, number, number][] = [];
  for (let ty = 0; ty < down; ty++) {
    if (rowSpans[2 * ty] === rowSpans[2 * ty + 1]) continue;
    for (let tx = 0; tx < across; tx++) {
      if (colSpans[2 * tx] === colSpans[2 * tx + 1]) continue;
      if (planar) { for (const [si, s] of samples.entries()) jobs.push([tx, ty, s * 1000 + si]); }
      else jobs.push([tx, ty, -1]);
    }
  }
  const run = async ([tx, ty, code]: [number, number, number]) => {
    const sample = code < 0 ? 0 : Math.floor(code / 1000);
    let data: ArrayBufferLike;
    try {
      data = (await image.getTileOrStrip(tx, ty, sample, decoder as any)).data;
    } catch (e) {
      throw new RasterError(
        `${name}: corrupt tile or strip at block (${tx}, ${ty}) (${
          errorLine(e)
        }): the file is damaged, download it again`,
        { cause: e },
      );
    }
    const bytes = image.getBitsPerSample(sample) / 8;
    if (!image.littleEndian && bytes > 1) swapBytes(new Uint8Array(data), bytes);
    const view = image.getArrayForSample(
      sample,
      data.byteLength % bytes ? data.slice(0, data.byteLength - (data.byteLength % bytes)) : data,
    );
    const rows = image.isTiled ? th : Math.min(th, H - ty * th);
    const stride = planar ? 1 : spp;
    if (view.length < tw * rows * stride) {
      throw new RasterError(
        `${name}: corrupt tile or strip at block (${tx}, ${ty}) (decoded ${view.length} of ${
          tw * rows * stride
        } values): the file is damaged, download it again`,
      );
    }
    const list = code < 0 ? samples.map((s, i) => [s, i]) : [[sample, code % 1000]];
    const r0 = rowSpans[2 * ty], r1 = rowSpans[2 * ty + 1];
    const c0 = colSpans[2 * tx], c1 = colSpans[2 * tx + 1];
    const x0 = tx * tw, y0 = ty * th;
    if (opts.mask || ycbcr) {
      for (let j = r0; j < r1; j++) {
        const rowBase = (ys[j] - y0) * tw;
        for (let i = c0; i < c1; i++) {
          const p = (rowBase + xs[i] - x0) * stride, o = j * outW + i;
          if (opts.mask) {
            if (view[p] === 0) { for (const b of into) b[o] = NaN; }
            continue;
          }
          toRgb(view[p], view[p + 1], view[p + 2], rgb);
          for (const [s, k] of list) {
            const v = s < 3 ? rgb[s] : view[p + s];
            into[k][o] = v === nd ? NaN : v;
          }
        }
      }
      return;
    }
    // The hot loop: one pass per sample with plain index arithmetic.
    for (const [s, k] of list) {
      const dst = into[k], off = planar ? 0 : s;
      for (let j = r0; j < r1; j++) {
        const rowBase = (ys[j] - y0) * tw;
        const o = j * outW;
        for (let i = c0; i < c1; i++) {
          const v = view[(rowBase + xs[i] - x0) * stride + off];
          dst[o + i] = v === nd ? NaN : v;
        }
      }
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await run(jobs[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, jobs.length) }, worker));
}

/**
 * JFIF YCbCr to RGB, rounded and clamped to 0–255.
 *
 * @example
 * ```ts
 * import { toRgb } from "./raster_read.ts";
 * const rgb = [0, 0, 0];
 * toRgb(128, 128, 128, rgb);
 * console.log(rgb); // [128, 128, 128]
 * ```
 */
export function toRgb(y: number, cb: number, cr: number, out: number[]): void {
  const c = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  out[0] = c(y + 1.402 * (cr - 128));
  out[1] = c(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128));
  out[2] = c(y + 1.772 * (cb - 128));
}

function swapBytes(b: Uint8Array, n: number): void {
  for (let i = 0; i + n <= b.length; i += n) {
    for (let k = 0; k < n / 2; k++) {
      const t = b[i + k];
      b[i + k] = b[i + n - 1 - k];
      b[i + n - 1 - k] = t;
    }
  }
}
