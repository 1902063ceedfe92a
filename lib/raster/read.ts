/**
 * Reads selected bands of a GeoTIFF decimated to an output grid: picks the
 * most reduced overview that still has about the output's detail, decodes
 * only the tiles or strips that hold sampled pixels and samples each one
 * straight into the output arrays: no full-resolution array of the image is
 * ever built. Every block's place in the file is checked against the file's
 * size and its decoded size against the budget before it is read; blocks
 * decode on worker threads when there are enough of them to pay off.
 *
 * @module
 */
import { errorLine, RasterError } from "../errors.ts";
import {
  blockBytes,
  type BlockSpec,
  cmykToRgba,
  decodeAndSample,
  decodeBlock,
  fitsFloat32,
  type Picks,
  sampleInto,
  type Values,
} from "./block.ts";
import type { Level, RasterInfo } from "./describe.ts";
import { tagNumbers } from "./ifd.ts";
import type { Budget } from "./limits.ts";
import { type DecodePool, PoolStopped, sharedPool, workQueue } from "./pool.ts";

/** Bands sampled onto the output grid; NaN marks nodata or masked pixels. */
export interface Decimated {
  /** Output width. */
  width: number;
  /** Output height. */
  height: number;
  /**
   * One array per requested sample, in request order: 32-bit floats when
   * they hold the values exactly, 16-bit integers with `integers`.
   */
  bands: Values[];
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
function chooseLevel(levels: Level[], outW: number, outH: number): Level {
  const full = levels[0];
  const wanted = Math.min(full.width / outW, full.height / outH) * 1.2;
  let pick = full;
  for (const l of levels) if (full.width / l.width <= wanted) pick = l;
  return pick;
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

/** Options of {@linkcode readDecimated}. */
export interface ReadOptions {
  /** Nodata overriding the file's. */
  nodata?: number;
  /** The render's budget. */
  budget: Budget;
  /** Decode on worker threads when worthwhile (default true). */
  workers?: boolean;
  /** Decode on this pool's workers (beside the main thread) whatever the amount. */
  pool?: DecodePool;
  /**
   * Allow 16-bit integer bands when every value is valid (unsigned samples of
   * at most 16 bits, no nodata, no mask): half the memory of 32-bit floats,
   * for a caller that marks no pixel NaN itself. Default false.
   */
  integers?: boolean;
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
 * import { Budget, DEFAULT_RASTER_LIMITS } from "./limits.ts";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const { tiff, name } = await openRaster({ name: "a.tif", bytes });
 * const info = await describeRaster(tiff, DEFAULT_RASTER_LIMITS);
 * const { bands } = await readDecimated(info, [0], 2, 1, { budget: new Budget(name, DEFAULT_RASTER_LIMITS) });
 * if (bands[0].join() !== "6,8") throw new Error(bands[0].join()); // second row, pixel centres
 * ```
 */
export async function readDecimated(
  info: RasterInfo,
  samples: number[],
  outW: number,
  outH: number,
  options: ReadOptions,
): Promise<Decimated> {
  const level = chooseLevel(info.levels, outW, outH);
  const nodata = "nodata" in options ? options.nodata : info.nodata;
  const mask = info.masks.find((m) => m.width === level.width && m.height === level.height);
  const { colour, format, bits } = level.codec;
  const integers = options.integers && colour === "raw" && format === "uint" && bits <= 16 &&
    nodata === undefined && !mask;
  const exact32 = fitsFloat32(level.codec);
  const bands = samples.map(() =>
    integers
      ? new Uint16Array(outW * outH)
      : exact32
      ? new Float32Array(outW * outH)
      : new Float64Array(outW * outH)
  );
  if (level.codec.colour === "cmyk" && level.codec.planar) {
    // Planes come one by one: read C, M, Y, K as stored, then convert like pixel-interleaved CMYK.
    const raw = { ...level, codec: { ...level.codec, colour: "raw" as const } };
    const inks = [0, 1, 2, 3].map(() => new Float64Array(outW * outH));
    await sampleLevel(info, raw, [0, 1, 2, 3], inks, outW, outH, undefined, options, false);
    const px = [0, 0, 0, 0];
    for (let i = 0; i < outW * outH; i++) {
      cmykToRgba(inks[0][i], inks[1][i], inks[2][i], inks[3][i], px);
      samples.forEach((s, k) => (bands[k][i] = s < 4 ? px[s] : NaN));
    }
  } else await sampleLevel(info, level, samples, bands, outW, outH, nodata, options, false);
  if (mask) await sampleLevel(info, mask, [0], bands, outW, outH, undefined, options, true);
  return { width: outW, height: outH, bands, level: { width: level.width, height: level.height } };
}

/** The block offsets and byte counts of a level, checked against the file. */
async function blockTable(
  info: RasterInfo,
  level: Level,
): Promise<{ offsets: Float64Array; counts: Float64Array; level: Level }> {
  const { tiff } = info, name = tiff.name;
  const planes = level.codec.planar ? level.spp : 1;
  const needed = level.across * level.down * planes;
  const [offTag, countTag] = level.tiled ? [324, 325] : [273, 279];
  const entry = level.ifd.entries.get(offTag);
  if (!entry) throw new RasterError({ file: name, reason: "corrupt", detail: "no block offsets" });
  // libtiff reads a lone strip that covers the whole image whatever RowsPerStrip says.
  const single = !level.tiled && planes === 1 && entry.count === 1 && needed > 1;
  const count = single ? 1 : needed;
  if (entry.count < count) {
    throw new RasterError({
      file: name,
      reason: "corrupt",
      detail: `the image needs ${count} block offsets, the file declares ${entry.count}`,
    });
  }
  const offsets = await tagNumbers(tiff, level.ifd, offTag, entry.count);
  if (!offsets) {
    throw new RasterError({
      file: name,
      reason: "corrupt",
      detail: "the block offsets lie outside the file (the file is truncated or damaged)",
    });
  }
  const counts = await tagNumbers(tiff, level.ifd, countTag, entry.count) ??
    new Float64Array(offsets.length).fill(Infinity); // missing or bogus: read to the end
  const fixed = single ? { ...level, blockHeight: level.height, down: 1 } : level;
  return { offsets, counts, level: fixed };
}

async function sampleLevel(
  info: RasterInfo,
  stored: Level,
  samples: number[],
  into: Values[],
  outW: number,
  outH: number,
  nodata: number | undefined,
  options: ReadOptions,
  isMask: boolean,
): Promise<void> {
  const { tiff } = info, name = tiff.name, budget = options.budget;
  const { offsets, counts, level } = await blockTable(info, stored);
  const W = level.width, H = level.height, tw = level.blockWidth, th = level.blockHeight;
  const planar = level.codec.planar;
  const xs = samplePositions(W, outW), ys = samplePositions(H, outH);
  const colSpans = spans(xs, tw, level.across), rowSpans = spans(ys, th, level.down);
  interface Job {
    tx: number;
    ty: number;
    index: number;
    spec: BlockSpec;
    picks: Picks;
    bands: number[];
  }
  const jobs: Job[] = [];
  let total = 0;
  for (let ty = 0; ty < level.down; ty++) {
    const r0 = rowSpans[2 * ty], r1 = rowSpans[2 * ty + 1];
    if (r0 === r1) continue;
    const rows = level.tiled ? th : Math.min(th, H - ty * th);
    const rowPicks = ys.slice(r0, r1).map((y) => y - ty * th);
    for (let tx = 0; tx < level.across; tx++) {
      const c0 = colSpans[2 * tx], c1 = colSpans[2 * tx + 1];
      if (c0 === c1) continue;
      const colPicks = xs.slice(c0, c1).map((x) => x - tx * tw);
      const spec: BlockSpec = {
        ...level.codec,
        width: tw,
        rows,
        nodata: isMask ? undefined : nodata,
      };
      const groups = planar
        ? samples.map((s, k) => ({ plane: s, samples: [0], bands: [k] }))
        : [{ plane: 0, samples, bands: samples.map((_, k) => k) }];
      for (const g of groups) {
        const index = g.plane * level.across * level.down + ty * level.across + tx;
        const picks = { rows: rowPicks, cols: colPicks, samples: g.samples };
        jobs.push({ tx, ty, index, spec, picks, bands: g.bands });
        total += blockBytes(spec);
      }
    }
  }
  const size = tiff.source.size;
  const fail = (job: Job, detail: string, cause?: unknown) =>
    new RasterError({
      file: name,
      reason: "corrupt",
      detail: `${level.tiled ? "tile" : "strip"} (${job.tx}, ${job.ty}) ${detail}`,
    }, { cause });
  const place = (job: Job, values: Values[]) => {
    const r0 = rowSpans[2 * job.ty], c0 = colSpans[2 * job.tx];
    const nr = job.picks.rows.length, nc = job.picks.cols.length;
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (isMask) {
        for (let j = 0; j < nr; j++) {
          for (let i = 0; i < nc; i++) {
            if (v[j * nc + i] === 0) { for (const b of into) b[(r0 + j) * outW + c0 + i] = NaN; }
          }
        }
        continue;
      }
      const dst = into[job.bands[k]];
      for (let j = 0; j < nr; j++) dst.set(v.subarray(j * nc, (j + 1) * nc), (r0 + j) * outW + c0);
    }
  };
  const fetchBlock = async (job: Job): Promise<Uint8Array | undefined> => {
    const expected = blockBytes(job.spec);
    budget.spend(expected);
    const offset = offsets[job.index], declared = counts[job.index];
    if (offset === 0 && declared === 0) return undefined; // sparse: never written
    if (!(offset >= 0 && offset < size)) {
      throw fail(
        job,
        `starts past the end of the file (offset ${offset}, size ${size}): the file is truncated or its block offsets are wrong`,
      );
    }
    // Never more than the file holds, nor far more than a block can compress to.
    const cap = job.spec.compression === 1 ? expected : expected * 4 + 65536;
    const length = Math.min(declared > 0 ? declared : Infinity, size - offset, cap);
    return await tiff.source.read(offset, length);
  };
  /** Decodes a block on a worker or here, and puts its samples in place. */
  const decode = async (job: Job, pool?: DecodePool): Promise<void> => {
    const bytes = await fetchBlock(job);
    if (!bytes) {
      const n = job.picks.rows.length * job.picks.cols.length;
      const fill = job.spec.nodata === undefined ? 0 : NaN;
      return place(job, job.picks.samples.map(() => new Float32Array(n).fill(isMask ? 255 : fill)));
    }
    try {
      if (pool) {
        try {
          return place(job, await pool.run(bytes, job.spec, job.picks));
        } catch (e) {
          if (!(e instanceof PoolStopped)) throw e;
        }
      }
      if (isMask) return place(job, await decodeAndSample(bytes, job.spec, job.picks));
      // Here, samples go straight into the output arrays.
      const data = await decodeBlock(bytes, job.spec, job.picks.rows);
      const at = rowSpans[2 * job.ty] * outW + colSpans[2 * job.tx];
      sampleInto(data, job.spec, job.picks, job.bands.map((b) => into[b]), at, outW);
    } catch (e) {
      if (e instanceof RasterError) throw e;
      const message = errorLine(e);
      if (/not supported/.test(message)) {
        throw new RasterError({ file: name, reason: "unsupported", detail: message }, { cause: e });
      }
      const truncated = bytes.length < Math.min(counts[job.index], 2 ** 53) ||
        offsets[job.index] + bytes.length >= size;
      throw fail(
        job,
        `cannot be decoded (${message})${
          truncated ? "; the file ends inside it, it is truncated" : ""
        }`,
        e,
      );
    }
  };
  budget.check();
  const shared = sharedPool(total, options.workers !== false && !options.pool);
  const pool = options.pool ?? shared.pool, done = shared.done;
  // Loaded only with workers, to let their answers in between blocks decoded here.
  const setImmediate = pool ? (await import("node:timers")).setImmediate : undefined;
  const queue = workQueue(jobs.length);
  // The main thread decodes from the start; each worker joins once it is ready.
  const lane = async (on?: DecodePool) => {
    if (on) await queue.ready(on);
    try {
      for (let k = queue.take(); k !== undefined; k = queue.take()) {
        budget.check();
        await decode(jobs[k], on);
        // Let the workers' answers in between blocks decoded here (a file read may not yield).
        if (setImmediate && !on) await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (e) {
      queue.stop(); // the other lanes stop too
      throw e;
    }
  };
  // Several reads in flight on the main thread (one decodes while the others wait for bytes,
  // which matters for URLs), and two blocks per worker, so none waits for the next one's bytes.
  const lanes = [
    ...Array.from({ length: 4 }, () => lane()),
    ...Array.from({ length: pool ? pool.size * 2 : 0 }, () => lane(pool)),
  ];
  try {
    await Promise.all(lanes);
  } finally {
    done();
  }
}
