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
 * Decodes a block and reads the picked pixels: one array per picked sample,
 * `rows.length * cols.length` values each, NaN where the value is nodata.
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
): Promise<Float64Array[]> {
  const expected = blockBytes(spec);
  let data = await decompress(input, expected, spec);
  if (data.length < expected) {
    throw new Error(`the block decodes to ${data.length} of its ${expected} bytes`);
  }
  if (spec.compression === 7) return sample(data, { ...spec, bits: 8, format: "uint" }, picks);
  const inPlace = spec.predictor !== 1 ||
    (!spec.littleEndian && spec.bits % 8 === 0 && spec.bits > 8 && spec.bits !== 24);
  // Typed views need aligned offsets; in-place work must not touch the caller's bytes.
  if (data.byteOffset % 8 !== 0 || (inPlace && spec.compression === 1)) data = data.slice();
  if (inPlace) prepare(data, spec);
  return sample(data, spec, picks);
}

/** Byte order to the machine's (little-endian) and the predictor undone, in place. */
function prepare(data: Uint8Array, spec: BlockSpec): void {
  const { bits, predictor } = spec;
  const stride = spec.samples, perRow = spec.width * stride;
  if (predictor === 3) {
    // Floating point predictor: byte planes per row, most significant first; yields native order.
    const bps = bits / 8, rowLen = perRow * bps, copy = new Uint8Array(rowLen);
    for (let r = 0; r < spec.rows; r++) {
      const row = data.subarray(r * rowLen, (r + 1) * rowLen);
      for (let i = stride; i < rowLen; i++) row[i] = (row[i] + row[i - stride]) & 255;
      copy.set(row);
      for (let i = 0; i < perRow; i++) {
        for (let b = 0; b < bps; b++) row[i * bps + b] = copy[(bps - b - 1) * perRow + i];
      }
    }
    return;
  }
  if (!spec.littleEndian && bits % 8 === 0 && bits > 8 && bits !== 24) swapBytes(data, bits / 8);
  if (predictor !== 2) return;
  const { buffer, byteOffset: at, length } = data;
  if (bits === 8) accumulate8(data, perRow, stride, spec.rows);
  else if (bits === 16) {
    accumulate16(new Uint16Array(buffer, at, length >> 1), perRow, stride, spec.rows);
  } else if (bits === 32) {
    accumulate32(new Uint32Array(buffer, at, length >> 2), perRow, stride, spec.rows);
  } else if (bits === 64) {
    const a = new BigUint64Array(buffer, at, length >> 3);
    for (let r = 0; r < spec.rows; r++) {
      for (let i = r * perRow + stride; i < (r + 1) * perRow; i++) {
        a[i] = BigInt.asUintN(64, a[i] + a[i - stride]);
      }
    }
  } else throw new Error(`horizontal differencing with ${bits}-bit samples is not supported`);
}

// One function per array type, so that each loop stays monomorphic (several times faster).
function accumulate8(a: Uint8Array, perRow: number, stride: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const end = (r + 1) * perRow;
    for (let i = r * perRow + stride; i < end; i++) a[i] += a[i - stride];
  }
}

function accumulate16(a: Uint16Array, perRow: number, stride: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const end = (r + 1) * perRow;
    for (let i = r * perRow + stride; i < end; i++) a[i] += a[i - stride];
  }
}

function accumulate32(a: Uint32Array, perRow: number, stride: number, rows: number): void {
  for (let r = 0; r < rows; r++) {
    const end = (r + 1) * perRow;
    for (let i = r * perRow + stride; i < end; i++) a[i] += a[i - stride];
  }
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

function sample(data: Uint8Array, spec: BlockSpec, picks: Picks): Float64Array[] {
  const { rows, cols, samples } = picks;
  const nr = rows.length, nc = cols.length, spp = spec.samples;
  const out = samples.map(() => new Float64Array(nr * nc));
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
  const at = element
    ? (r: number, c: number, s: number) => element(r * perRow + c * spp + s)
    : (r: number, c: number, s: number) => bitsAt!(r * bitRow + (c * spp + s) * spec.bits);
  if (spec.colour !== "raw") {
    const px = [0, 0, 0, 0];
    for (let j = 0; j < nr; j++) {
      for (let i = 0; i < nc; i++) {
        const r = rows[j], c = cols[i], o = j * nc + i;
        if (spec.colour === "cmyk") {
          cmykToRgba(at(r, c, 0), at(r, c, 1), at(r, c, 2), at(r, c, 3), px);
        } else ycbcrToRgb(at(r, c, 0), at(r, c, 1), at(r, c, 2), px);
        for (let k = 0; k < samples.length; k++) {
          const s = samples[k];
          out[k][o] = s < (spec.colour === "cmyk" ? 4 : 3) ? px[s] : at(r, c, s);
        }
      }
    }
    return out;
  }
  for (let k = 0; k < samples.length; k++) {
    const s = samples[k], dst = out[k];
    // The common cases (uint8 and uint16 imagery), without the reader's indirection.
    if (element && spec.bits === 16 && spec.format === "uint") {
      const a = new Uint16Array(data.buffer, data.byteOffset, data.length >> 1);
      pick16(a, rows, cols, perRow, spp, s, nd ?? -1, dst);
      continue;
    }
    if (element && spec.bits === 8 && spec.format === "uint") {
      pick8(data, rows, cols, perRow, spp, s, nd ?? -1, dst);
      continue;
    }
    for (let j = 0; j < nr; j++) {
      for (let i = 0; i < nc; i++) {
        const v = at(rows[j], cols[i], s);
        dst[j * nc + i] = v === nd ? NaN : v;
      }
    }
  }
  return out;
}

function pick16(
  a: Uint16Array,
  rows: Int32Array,
  cols: Int32Array,
  perRow: number,
  spp: number,
  s: number,
  nd: number,
  dst: Float64Array,
): void {
  const nr = rows.length, nc = cols.length;
  for (let j = 0; j < nr; j++) {
    const base = rows[j] * perRow + s, o = j * nc;
    for (let i = 0; i < nc; i++) {
      const v = a[base + cols[i] * spp];
      dst[o + i] = v === nd ? NaN : v;
    }
  }
}

function pick8(
  a: Uint8Array,
  rows: Int32Array,
  cols: Int32Array,
  perRow: number,
  spp: number,
  s: number,
  nd: number,
  dst: Float64Array,
): void {
  const nr = rows.length, nc = cols.length;
  for (let j = 0; j < nr; j++) {
    const base = rows[j] * perRow + s, o = j * nc;
    for (let i = 0; i < nc; i++) {
      const v = a[base + cols[i] * spp];
      dst[o + i] = v === nd ? NaN : v;
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
