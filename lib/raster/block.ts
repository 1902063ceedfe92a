/**
 * One tile or strip from compressed bytes to sampled values: decompress to
 * its declared size, undo the predictor, bring multi-byte samples to the
 * machine's byte order, then read the sampled pixels as numbers, whatever
 * the sample layout (1–32 bits packed, 24-bit, 16-bit floats, 64-bit
 * integers). Plain functions over plain data, so the same code runs on the
 * main thread and in decoding workers.
 *
 * @module
 */
import { type CodecParams, decompress } from "./compression/mod.ts";

/** How a block's samples are laid out. */
export interface BlockSpec extends CodecParams {
  /** Bits per sample. */
  bits: number;
  /** Sample format. */
  format: "uint" | "int" | "float";
  /** TIFF Predictor (1 none, 2 horizontal, 3 floating point). */
  predictor: number;
  /** The file's byte order. */
  littleEndian: boolean;
  /** How pixels become values: as stored, 8-bit CMYK to RGBA, or JPEG YCbCr to RGB. */
  colour: "raw" | "cmyk" | "ycbcr";
  /** Nodata compared at the sample's own precision; undefined for none. */
  nodata?: number;
}

/** Which pixels of a block to read: in-block rows and columns, and samples. */
export interface Picks {
  /** In-block row of each output row. */
  rows: Int32Array;
  /** In-block column of each output column. */
  cols: Int32Array;
  /** In-block sample of each output band. */
  samples: number[];
}

/** Bytes per row of a block (rows start on a byte boundary). */
export function rowBytes(spec: BlockSpec): number {
  const bits = spec.compression === 7 ? 8 : spec.bits;
  return Math.ceil((spec.width * spec.samples * bits) / 8);
}

/**
 * Bytes one block decodes to.
 *
 * @example
 * ```ts
 * import { blockBytes } from "./block.ts";
 * const spec = { compression: 1, width: 10, rows: 2, samples: 1, planar: false, bits: 12, format: "uint", predictor: 1, littleEndian: true, colour: "raw" } as const;
 * if (blockBytes(spec) !== 30) throw new Error();
 * ```
 */
export function blockBytes(spec: BlockSpec): number {
  return rowBytes(spec) * spec.rows;
}

/**
 * Where sampled values go: floats of either precision (NaN marks nodata),
 * or 16-bit integers when every value is known valid (no nodata, no mask).
 */
export type Values = Float32Array | Float64Array | Uint16Array;

/**
 * Whether every value of such samples is exact as a 32-bit float (at most
 * 24-bit integers, 16- and 32-bit floats): then half the memory holds them.
 *
 * @example
 * ```ts
 * import { fitsFloat32 } from "./block.ts";
 * if (!fitsFloat32({ bits: 16, format: "uint", colour: "raw" }) || fitsFloat32({ bits: 32, format: "int", colour: "raw" })) throw new Error();
 * ```
 */
export function fitsFloat32(spec: Pick<BlockSpec, "bits" | "format" | "colour">): boolean {
  if (spec.colour !== "raw") return true;
  return spec.format === "float" ? spec.bits <= 32 : spec.bits <= 24;
}

/**
 * Decompresses a block to its declared size and brings its samples (of
 * `rows`, sorted, or all rows) to the machine's order with the predictor
 * undone; JPEG blocks come out as 8-bit.
 *
 * @example
 * ```ts
 * import { decodeBlock } from "./block.ts";
 * const spec = { compression: 1, width: 2, rows: 1, samples: 1, planar: false, bits: 8, format: "uint", predictor: 2, littleEndian: true, colour: "raw" } as const;
 * if ((await decodeBlock(new Uint8Array([3, 4]), spec)).join() !== "3,7") throw new Error();
 * ```
 */
export async function decodeBlock(
  input: Uint8Array,
  spec: BlockSpec,
  rows?: Int32Array,
): Promise<Uint8Array> {
  const expected = blockBytes(spec);
  let data = await decompress(input, expected, spec);
  if (data.length < expected) {
    throw new Error(`the block decodes to ${data.length} of its ${expected} bytes`);
  }
  if (spec.compression === 7) return data;
  const inPlace = spec.predictor !== 1 ||
    (!spec.littleEndian && spec.bits % 8 === 0 && spec.bits > 8 && spec.bits !== 24);
  // Typed views need aligned offsets; in-place work must not touch the caller's bytes.
  if (data.byteOffset % 8 !== 0 || (inPlace && spec.compression === 1)) data = data.slice();
  if (inPlace) prepare(data, spec, rows);
  return data;
}

/**
 * Decodes a block and reads the picked pixels: one array per picked sample,
 * `rows.length * cols.length` values each, NaN where the value is nodata
 * (32-bit floats when they hold the values exactly, see {@linkcode fitsFloat32}).
 *
 * @example
 * ```ts
 * import { decodeAndSample } from "./block.ts";
 * const spec = { compression: 1, width: 4, rows: 1, samples: 1, planar: false, bits: 4, format: "uint", predictor: 1, littleEndian: true, colour: "raw", nodata: 2 } as const;
 * const picks = { rows: Int32Array.of(0), cols: Int32Array.of(0, 1, 3), samples: [0] };
 * const [v] = await decodeAndSample(new Uint8Array([0x12, 0x34]), spec, picks);
 * if (v.join() !== "1,NaN,4") throw new Error(v.join());
 * ```
 */
export async function decodeAndSample(
  input: Uint8Array,
  spec: BlockSpec,
  picks: Picks,
): Promise<Values[]> {
  const n = picks.rows.length * picks.cols.length;
  const out = picks.samples.map(() =>
    fitsFloat32(spec) ? new Float32Array(n) : new Float64Array(n)
  );
  sampleInto(await decodeBlock(input, spec, picks.rows), spec, picks, out, 0, picks.cols.length);
  return out;
}

/** The distinct rows of sorted row picks (all rows without picks). */
function distinctRows(rows: Int32Array | undefined, count: number): Int32Array {
  if (!rows) return Int32Array.from({ length: count }, (_, r) => r);
  const out = new Int32Array(rows.length);
  let n = 0;
  for (let j = 0; j < rows.length; j++) if (n === 0 || rows[j] !== out[n - 1]) out[n++] = rows[j];
  return out.subarray(0, n);
}

/**
 * Byte order to the machine's (little-endian) and the predictor undone, in
 * place, on the given rows only (both work row by row, and a decimated read
 * samples a few rows of each block).
 */
function prepare(data: Uint8Array, spec: BlockSpec, rows?: Int32Array): void {
  const { bits, predictor } = spec;
  const stride = spec.samples, perRow = spec.width * stride;
  const todo = distinctRows(rows, spec.rows);
  if (predictor === 3) {
    // Floating point predictor: byte planes per row, most significant first; yields native order.
    const bps = bits / 8, rowLen = perRow * bps, copy = new Uint8Array(rowLen);
    for (const r of todo) {
      const row = data.subarray(r * rowLen, (r + 1) * rowLen);
      for (let i = stride; i < rowLen; i++) row[i] = (row[i] + row[i - stride]) & 255;
      copy.set(row);
      for (let i = 0; i < perRow; i++) {
        for (let b = 0; b < bps; b++) row[i * bps + b] = copy[(bps - b - 1) * perRow + i];
      }
    }
    return;
  }
  if (predictor === 2 && bits !== 8 && bits !== 16 && bits !== 32 && bits !== 64) {
    throw new Error(`horizontal differencing with ${bits}-bit samples is not supported`);
  }
  const swap = !spec.littleEndian && bits % 8 === 0 && bits > 8 && bits !== 24;
  const rowLen = perRow * (bits / 8);
  const { buffer, byteOffset: at, length } = data;
  const a = bits === 16
    ? new Uint16Array(buffer, at, length >> 1)
    : bits === 32
    ? new Uint32Array(buffer, at, length >> 2)
    : undefined;
  for (const r of todo) {
    if (swap) swapBytes(data.subarray(r * rowLen, (r + 1) * rowLen), bits / 8);
    if (predictor !== 2) continue;
    const from = r * perRow + stride, end = (r + 1) * perRow;
    if (bits === 8) accumulate8(data, from, end, stride);
    else if (bits === 16) accumulate16(a as Uint16Array, from, end, stride);
    else if (bits === 32) accumulate32(a as Uint32Array, from, end, stride);
    else {
      const b = new BigUint64Array(buffer, at, length >> 3);
      for (let i = from; i < end; i++) b[i] = BigInt.asUintN(64, b[i] + b[i - stride]);
    }
  }
}

// One function per array type, so that each loop stays monomorphic (several times faster).
function accumulate8(a: Uint8Array, from: number, end: number, stride: number): void {
  for (let i = from; i < end; i++) a[i] += a[i - stride];
}

function accumulate16(a: Uint16Array, from: number, end: number, stride: number): void {
  for (let i = from; i < end; i++) a[i] += a[i - stride];
}

function accumulate32(a: Uint32Array, from: number, end: number, stride: number): void {
  for (let i = from; i < end; i++) a[i] += a[i - stride];
}

function swapBytes(b: Uint8Array, n: number): void {
  for (let i = 0; i + n <= b.length; i += n) {
    for (let k = 0; k < n >> 1; k++) {
      const t = b[i + k];
      b[i + k] = b[i + n - 1 - k];
      b[i + n - 1 - k] = t;
    }
  }
}

/**
 * IEEE 754 half precision to a number.
 *
 * @example
 * ```ts
 * import { halfToNumber } from "./block.ts";
 * if (halfToNumber(0x3c00) !== 1 || halfToNumber(0x7bff) !== 65504 || halfToNumber(0xfc00) !== -Infinity) throw new Error();
 * ```
 */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 31, frac = h & 1023;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A reader of sample `i` (an element index for byte-aligned layouts). */
function elementReader(data: Uint8Array, spec: BlockSpec): (i: number) => number {
  const { bits, format } = spec;
  const buf = data.buffer, off = data.byteOffset, n = data.length;
  if (bits === 8) {
    const a = format === "int" ? new Int8Array(buf, off, n) : data;
    return (i) => a[i];
  }
  if (bits === 16) {
    const a = new Uint16Array(buf, off, n >> 1);
    if (format === "float") return (i) => halfToNumber(a[i]);
    if (format === "int") {
      const s = new Int16Array(buf, off, n >> 1);
      return (i) => s[i];
    }
    return (i) => a[i];
  }
  if (bits === 32) {
    const a = format === "float"
      ? new Float32Array(buf, off, n >> 2)
      : format === "int"
      ? new Int32Array(buf, off, n >> 2)
      : new Uint32Array(buf, off, n >> 2);
    return (i) => a[i];
  }
  if (bits === 64) {
    if (format === "float") {
      const a = new Float64Array(buf, off, n >> 3);
      return (i) => a[i];
    }
    const a = format === "int"
      ? new BigInt64Array(buf, off, n >> 3)
      : new BigUint64Array(buf, off, n >> 3);
    return (i) => Number(a[i]);
  }
  throw new Error("not byte-aligned");
}

/** A reader of the sample at bit offset `bit` of an MSB-first bit stream. */
function bitReader(data: Uint8Array, bits: number, signed: boolean): (bit: number) => number {
  return (bit) => {
    let v = 0;
    for (let k = 0; k < bits;) {
      const byte = data[(bit + k) >> 3], shift = (bit + k) & 7;
      const take = Math.min(8 - shift, bits - k);
      v = v * (1 << take) + ((byte >> (8 - shift - take)) & ((1 << take) - 1));
      k += take;
    }
    return signed && v >= 2 ** (bits - 1) ? v - 2 ** bits : v;
  };
}

/**
 * Reads the picked pixels of a decoded block into `out` (one array per
 * picked sample): the value of picked row j, column i lands at
 * `at + j * stride + i`; NaN where the value is nodata.
 *
 * @example
 * ```ts
 * import { sampleInto } from "./block.ts";
 * const spec = { compression: 1, width: 2, rows: 2, samples: 1, planar: false, bits: 8, format: "uint", predictor: 1, littleEndian: true, colour: "raw" } as const;
 * const out = new Float32Array(6);
 * sampleInto(new Uint8Array([1, 2, 3, 4]), spec, { rows: Int32Array.of(0, 1), cols: Int32Array.of(1), samples: [0] }, [out], 1, 3);
 * if (out.join() !== "0,2,0,0,4,0") throw new Error(out.join());
 * ```
 */
export function sampleInto(
  data: Uint8Array,
  spec: BlockSpec,
  picks: Picks,
  out: Values[],
  at: number,
  stride: number,
): void {
  if (spec.compression === 7) spec = { ...spec, bits: 8, format: "uint" };
  const { rows, cols, samples } = picks;
  const nr = rows.length, nc = cols.length, spp = spec.samples;
  const nd = spec.nodata === undefined
    ? undefined
    : spec.format === "float" && spec.bits <= 32
    ? Math.fround(spec.nodata)
    : spec.nodata;
  // 24-bit samples are read most significant byte first, like the packed N-bit ones (as GDAL does).
  const aligned = spec.bits % 8 === 0 && spec.bits !== 24;
  const perRow = aligned ? spec.width * spp : 0;
  const bitRow = rowBytes(spec) * 8;
  const element = aligned ? elementReader(data, spec) : undefined;
  const bitsAt = aligned ? undefined : bitReader(data, spec.bits, spec.format === "int");
  const read = element
    ? (r: number, c: number, s: number) => element(r * perRow + c * spp + s)
    : (r: number, c: number, s: number) => bitsAt!(r * bitRow + (c * spp + s) * spec.bits);
  if (spec.colour !== "raw") {
    const px = [0, 0, 0, 0];
    const colours = spec.colour === "cmyk" ? 4 : 3;
    for (let j = 0; j < nr; j++) {
      for (let i = 0; i < nc; i++) {
        const r = rows[j], c = cols[i], o = at + j * stride + i;
        if (spec.colour === "cmyk") {
          cmykToRgba(read(r, c, 0), read(r, c, 1), read(r, c, 2), read(r, c, 3), px);
        } else ycbcrToRgb(read(r, c, 0), read(r, c, 1), read(r, c, 2), px);
        for (let k = 0; k < samples.length; k++) {
          const s = samples[k];
          out[k][o] = s < colours ? px[s] : read(r, c, s);
        }
      }
    }
    return;
  }
  // The common cases (uint8 and uint16 imagery into 32-bit floats), column offsets computed once.
  if (element && spec.format === "uint" && (spec.bits === 8 || spec.bits === 16)) {
    if (spec.bits === 16 && samples.length === 3 && out.every((o) => o instanceof Uint16Array)) {
      const a = new Uint16Array(data.buffer, data.byteOffset, data.length >> 1);
      const [r, g, b] = out as Uint16Array[];
      const offsets = Int32Array.from(cols, (c) => c * spp);
      pick16x3to16(a, rows, offsets, perRow, Int32Array.from(samples), r, g, b, at, stride);
      return;
    }
    if (out.every((o) => o instanceof Float32Array)) {
      const offsets = Int32Array.from(cols, (c) => c * spp);
      const picked = Int32Array.from(samples);
      const nodata = nd ?? -1;
      if (spec.bits === 16) {
        const a = new Uint16Array(data.buffer, data.byteOffset, data.length >> 1);
        if (samples.length === 3) {
          // RGB from pixel-interleaved bands: one pass over the block, not one per band.
          const [r, g, b] = out as Float32Array[];
          pick16x3(a, rows, offsets, perRow, picked, nodata, r, g, b, at, stride);
        } else pick16(a, rows, offsets, perRow, picked, nodata, out as Float32Array[], at, stride);
      } else pick8(data, rows, offsets, perRow, picked, nodata, out as Float32Array[], at, stride);
      return;
    }
  }
  for (let k = 0; k < samples.length; k++) {
    const s = samples[k], dst = out[k];
    for (let j = 0; j < nr; j++) {
      const o = at + j * stride;
      for (let i = 0; i < nc; i++) {
        const v = read(rows[j], cols[i], s);
        dst[o + i] = v === nd ? NaN : v;
      }
    }
  }
}

// One function per array type, so that each loop stays monomorphic (several times faster).
function pick16(
  a: Uint16Array,
  rows: Int32Array,
  offsets: Int32Array,
  perRow: number,
  samples: Int32Array,
  nd: number,
  out: Float32Array[],
  at: number,
  stride: number,
): void {
  const nr = rows.length, nc = offsets.length;
  for (let k = 0; k < samples.length; k++) {
    const s = samples[k], dst = out[k];
    for (let j = 0; j < nr; j++) {
      const base = rows[j] * perRow + s, o = at + j * stride;
      for (let i = 0; i < nc; i++) {
        const v = a[base + offsets[i]];
        dst[o + i] = v === nd ? NaN : v;
      }
    }
  }
}

function pick16x3(
  a: Uint16Array,
  rows: Int32Array,
  offsets: Int32Array,
  perRow: number,
  samples: Int32Array,
  nd: number,
  r: Float32Array,
  g: Float32Array,
  b: Float32Array,
  at: number,
  stride: number,
): void {
  const nr = rows.length, nc = offsets.length;
  const s0 = samples[0], s1 = samples[1], s2 = samples[2];
  for (let j = 0; j < nr; j++) {
    const base = rows[j] * perRow, o = at + j * stride;
    for (let i = 0; i < nc; i++) {
      const p = base + offsets[i];
      const x = a[p + s0], y = a[p + s1], z = a[p + s2];
      r[o + i] = x === nd ? NaN : x;
      g[o + i] = y === nd ? NaN : y;
      b[o + i] = z === nd ? NaN : z;
    }
  }
}

function pick16x3to16(
  a: Uint16Array,
  rows: Int32Array,
  offsets: Int32Array,
  perRow: number,
  samples: Int32Array,
  r: Uint16Array,
  g: Uint16Array,
  b: Uint16Array,
  at: number,
  stride: number,
): void {
  const nr = rows.length, nc = offsets.length;
  const s0 = samples[0], s1 = samples[1], s2 = samples[2];
  for (let j = 0; j < nr; j++) {
    const base = rows[j] * perRow, o = at + j * stride;
    for (let i = 0; i < nc; i++) {
      const p = base + offsets[i];
      r[o + i] = a[p + s0];
      g[o + i] = a[p + s1];
      b[o + i] = a[p + s2];
    }
  }
}

function pick8(
  a: Uint8Array,
  rows: Int32Array,
  offsets: Int32Array,
  perRow: number,
  samples: Int32Array,
  nd: number,
  out: Float32Array[],
  at: number,
  stride: number,
): void {
  const nr = rows.length, nc = offsets.length;
  for (let k = 0; k < samples.length; k++) {
    const s = samples[k], dst = out[k];
    for (let j = 0; j < nr; j++) {
      const base = rows[j] * perRow + s, o = at + j * stride;
      for (let i = 0; i < nc; i++) {
        const v = a[base + offsets[i]];
        dst[o + i] = v === nd ? NaN : v;
      }
    }
  }
}

/**
 * 8-bit CMYK to RGBA as libtiff's RGBA interface does it (GDAL's default
 * for such files): `R = (255 - K) * (255 - C) / 255`, truncated; alpha 255.
 *
 * @example
 * ```ts
 * import { cmykToRgba } from "./block.ts";
 * const px = [0, 0, 0, 0];
 * cmykToRgba(0, 255, 0, 0, px);
 * if (px.join() !== "255,0,255,255") throw new Error();
 * ```
 */
export function cmykToRgba(c: number, m: number, y: number, k: number, px: number[]): void {
  const w = 255 - k;
  px[0] = Math.floor((w * (255 - c)) / 255);
  px[1] = Math.floor((w * (255 - m)) / 255);
  px[2] = Math.floor((w * (255 - y)) / 255);
  px[3] = 255;
}

/**
 * JFIF YCbCr to RGB, rounded and clamped to 0–255.
 *
 * @example
 * ```ts
 * import { ycbcrToRgb } from "./block.ts";
 * const px = [0, 0, 0];
 * ycbcrToRgb(128, 128, 128, px);
 * if (px.join() !== "128,128,128") throw new Error();
 * ```
 */
export function ycbcrToRgb(y: number, cb: number, cr: number, px: number[]): void {
  const c = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  px[0] = c(y + 1.402 * (cr - 128));
  px[1] = c(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128));
  px[2] = c(y + 1.772 * (cb - 128));
}
