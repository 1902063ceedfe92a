/**
 * Reads selected bands of a GeoTIFF decimated to an output grid: picks the
 * most reduced overview that still has about the output's detail, decodes
 * only the tiles or strips that hold sampled pixels (a few at a time, so
 * memory stays flat) and samples each one straight into the output arrays:
 * no full-resolution array of the image is ever built.
 *
 * @module
 */

import { type GeoTIFFImage, getDecoder } from "geotiff";
import { errorLine, RasterError } from "../errors.ts";
import type { RasterInfo } from "./describe.ts";

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
 * import { samplePositions } from "./read.ts";
 * if (samplePositions(8, 4).join() !== "1,3,5,7") throw new Error();
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
    throw new RasterError({
      file: name,
      reason: "unsupported",
      detail: `compression ${compression} is not supported (${errorLine(e)})`,
    }, { cause: e });
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
 * ```ts
 * import { openRaster } from "./source.ts";
 * import { describeRaster } from "./describe.ts";
 * import { readDecimated } from "./read.ts";
 * import { writeGeoTiff } from "../emulator/tiff/writer.ts";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const { tiff, name } = await openRaster({ name: "a.tif", bytes });
 * const { bands } = await readDecimated(await describeRaster(tiff, name), name, [0], 2, 1);
 * if (bands[0].join() !== "6,8") throw new Error(bands[0].join()); // second row, pixel centres
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
    throw new RasterError({
      file: name,
      reason: "unsupported",
      detail: "16-bit float samples are not supported",
      fix: "convert to float32, e.g. with gdal_translate -ot Float32",
    });
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
  // One job per block (per block and sample when planar): [tx, ty, sample, output band].
  const jobs: [number, number, number, number][] = [];
  for (let ty = 0; ty < down; ty++) {
    if (rowSpans[2 * ty] === rowSpans[2 * ty + 1]) continue;
    for (let tx = 0; tx < across; tx++) {
      if (colSpans[2 * tx] === colSpans[2 * tx + 1]) continue;
      if (planar) { for (const [k, s] of samples.entries()) jobs.push([tx, ty, s, k]); }
      else jobs.push([tx, ty, -1, -1]);
    }
  }
  const run = async ([tx, ty, planarSample, band]: [number, number, number, number]) => {
    const sample = planarSample < 0 ? 0 : planarSample;
    let data: ArrayBufferLike;
    try {
      data = (await image.getTileOrStrip(tx, ty, sample, decoder as any)).data;
    } catch (e) {
      throw new RasterError({
        file: name,
        reason: "corrupt",
        detail: `undecodable tile or strip at block (${tx}, ${ty}) (${errorLine(e)})`,
      }, { cause: e });
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
      throw new RasterError({
        file: name,
        reason: "corrupt",
        detail: `tile or strip at block (${tx}, ${ty}) decoded to ${view.length} of ${
          tw * rows * stride
        } values`,
      });
    }
    const list = planarSample < 0 ? samples.map((s, i) => [s, i]) : [[sample, band]];
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
 * import { toRgb } from "./read.ts";
 * const rgb = [0, 0, 0];
 * toRgb(128, 128, 128, rgb);
 * if (rgb.join() !== "128,128,128") throw new Error();
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
