/**
 * The TIFF container, read with a bound on everything the file declares:
 * the directory chain is walked once with a visited set (a loop ends the
 * chain, as in libtiff) and at most `maxIfds` directories; an entry count,
 * a value's count and its offset are checked against the file's size
 * before anything is read or allocated. Values are read on demand, so a
 * huge tag nobody needs (a 4 GiB ImageDescription) costs nothing.
 *
 * geotiff.js parses directories eagerly and follows a looping chain
 * forever; this reader replaces that part of it.
 *
 * @module
 */
import { RasterError } from "../errors.ts";
import type { ByteSource } from "./bytes.ts";
import { limitError, type RasterLimits } from "./limits.ts";

/** One directory entry: where its values are. */
export interface Entry {
  /** TIFF field type (3 SHORT, 4 LONG, 16 LONG8, ...). */
  type: number;
  /** Number of values. */
  count: number;
  /** File offset of the values (or of the entry's inline value field). */
  offset: number;
}

/** One image file directory. */
export interface Ifd {
  /** Its file offset. */
  offset: number;
  /** Entries by tag. */
  entries: Map<number, Entry>;
}

/** A TIFF file's byte order, flavour and directories. */
export interface TiffFile {
  /** Where its bytes come from. */
  source: ByteSource;
  /** Name for messages. */
  name: string;
  /** Byte order. */
  littleEndian: boolean;
  /** BigTIFF (8-byte offsets). */
  bigTiff: boolean;
  /** The directories in chain order. */
  ifds: Ifd[];
}

/** libtiff's sanity bound on entries per directory. */
const MAX_ENTRIES = 4096;
const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

function corrupt(name: string, detail: string): RasterError {
  return new RasterError({ file: name, reason: "corrupt", detail });
}

/**
 * Reads the header and walks the directory chain.
 *
 * @example
 * ```ts
 * import { memorySource } from "./bytes.ts";
 * import { readTiff } from "./ifd.ts";
 * import { DEFAULT_RASTER_LIMITS } from "@up42/jobtask/raster";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array(8)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const tiff = await readTiff(memorySource(bytes), "a.tif", DEFAULT_RASTER_LIMITS);
 * if (tiff.ifds.length !== 1) throw new Error();
 * ```
 */
export async function readTiff(
  source: ByteSource,
  name: string,
  limits: RasterLimits,
): Promise<TiffFile> {
  const head = await source.read(0, Math.min(16, source.size));
  if (head.length < 8) throw corrupt(name, "the file is truncated inside its TIFF header");
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const littleEndian = head[0] === 0x49;
  const magic = view.getUint16(2, littleEndian);
  const bigTiff = magic === 43;
  let first: number;
  if (bigTiff) {
    if (head.length < 16) throw corrupt(name, "the file is truncated inside its BigTIFF header");
    if (view.getUint16(4, littleEndian) !== 8) {
      throw corrupt(name, `bad BigTIFF offset size ${view.getUint16(4, littleEndian)}`);
    }
    first = Number(view.getBigUint64(8, littleEndian));
  } else first = view.getUint32(4, littleEndian);
  if (first === 0) throw corrupt(name, "the file holds no image (first directory offset is 0)");
  const tiff: TiffFile = { source, name, littleEndian, bigTiff, ifds: [] };
  const seen = new Set<number>();
  for (let offset = first; offset !== 0 && !seen.has(offset);) {
    if (tiff.ifds.length >= limits.maxIfds) {
      throw limitError(
        name,
        "maxIfds",
        `the file has more than ${limits.maxIfds} image directories`,
        limits.maxIfds,
      );
    }
    seen.add(offset);
    const parsed = await readIfd(tiff, offset, tiff.ifds.length === 0);
    if (!parsed) break;
    tiff.ifds.push(parsed.ifd);
    offset = parsed.next;
  }
  return tiff;
}

/** One directory; a broken one after the first ends the chain (as libtiff reads on). */
async function readIfd(
  tiff: TiffFile,
  offset: number,
  required: boolean,
): Promise<{ ifd: Ifd; next: number } | undefined> {
  const { source, name, littleEndian: le, bigTiff } = tiff;
  const countSize = bigTiff ? 8 : 2, entrySize = bigTiff ? 20 : 12, offSize = bigTiff ? 8 : 4;
  const fail = (detail: string) => {
    if (required) throw corrupt(name, detail);
    return undefined;
  };
  if (offset + countSize > source.size) {
    return fail(`the image directory at offset ${offset} lies past the end of the file`);
  }
  const countBytes = await source.read(offset, countSize);
  const cv = new DataView(countBytes.buffer, countBytes.byteOffset, countSize);
  const count = bigTiff ? Number(cv.getBigUint64(0, le)) : cv.getUint16(0, le);
  if (count === 0 || count > MAX_ENTRIES) {
    return fail(`the image directory at offset ${offset} declares ${count} entries`);
  }
  const size = count * entrySize + offSize;
  if (offset + countSize + size > source.size) {
    return fail(`the image directory at offset ${offset} runs past the end of the file`);
  }
  const bytes = await source.read(offset + countSize, size);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = new Map<number, Entry>();
  for (let i = 0; i < count; i++) {
    const p = i * entrySize;
    const tag = v.getUint16(p, le), type = v.getUint16(p + 2, le);
    const n = bigTiff ? Number(v.getBigUint64(p + 4, le)) : v.getUint32(p + 4, le);
    const typeSize = TYPE_SIZES[type];
    if (!typeSize || entries.has(tag)) continue; // unknown types and duplicates: first wins
    const valueField = offset + countSize + p + (bigTiff ? 12 : 8);
    const inline = n * typeSize <= offSize;
    const at = inline
      ? valueField
      : bigTiff
      ? Number(v.getBigUint64(p + 12, le))
      : v.getUint32(p + 8, le);
    entries.set(tag, { type, count: n, offset: at });
  }
  const next = bigTiff
    ? Number(v.getBigUint64(count * entrySize, le))
    : v.getUint32(count * entrySize, le);
  return { ifd: { offset, entries }, next };
}

/** Whether the values of `entry` lie inside the file and are at most `maxCount`. */
function readable(tiff: TiffFile, entry: Entry, maxCount: number): boolean {
  const bytes = entry.count * TYPE_SIZES[entry.type];
  return entry.count <= maxCount && entry.offset + bytes <= tiff.source.size;
}

/**
 * The numeric values of a tag (rationals as quotients), or undefined when
 * it is absent, has more than `maxCount` values or lies outside the file.
 *
 * @example
 * ```ts
 * import { memorySource } from "./bytes.ts";
 * import { readTiff, tagNumbers } from "./ifd.ts";
 * import { DEFAULT_RASTER_LIMITS } from "@up42/jobtask/raster";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array(8)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const tiff = await readTiff(memorySource(bytes), "a.tif", DEFAULT_RASTER_LIMITS);
 * if ((await tagNumbers(tiff, tiff.ifds[0], 256))?.[0] !== 4) throw new Error();
 * ```
 */
export async function tagNumbers(
  tiff: TiffFile,
  ifd: Ifd,
  tag: number,
  maxCount = 65536,
): Promise<Float64Array | undefined> {
  const e = ifd.entries.get(tag);
  if (!e || !readable(tiff, e, maxCount)) return undefined;
  return await numbersOf(tiff, e);
}

async function numbersOf(tiff: TiffFile, e: Entry): Promise<Float64Array | undefined> {
  const size = TYPE_SIZES[e.type];
  const bytes = await tiff.source.read(e.offset, e.count * size);
  if (bytes.length < e.count * size) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = tiff.littleEndian;
  const out = new Float64Array(e.count);
  for (let i = 0; i < e.count; i++) {
    const p = i * size;
    switch (e.type) {
      case 1:
      case 2:
      case 7:
        out[i] = v.getUint8(p);
        break;
      case 6:
        out[i] = v.getInt8(p);
        break;
      case 3:
        out[i] = v.getUint16(p, le);
        break;
      case 8:
        out[i] = v.getInt16(p, le);
        break;
      case 4:
      case 13:
        out[i] = v.getUint32(p, le);
        break;
      case 9:
        out[i] = v.getInt32(p, le);
        break;
      case 5:
        out[i] = v.getUint32(p, le) / v.getUint32(p + 4, le);
        break;
      case 10:
        out[i] = v.getInt32(p, le) / v.getInt32(p + 4, le);
        break;
      case 11:
        out[i] = v.getFloat32(p, le);
        break;
      case 12:
        out[i] = v.getFloat64(p, le);
        break;
      case 16:
      case 18:
        out[i] = Number(v.getBigUint64(p, le));
        break;
      case 17:
        out[i] = Number(v.getBigInt64(p, le));
        break;
    }
  }
  return out;
}

/** The first value of a numeric tag, or `fallback`. */
export async function tagNumber(
  tiff: TiffFile,
  ifd: Ifd,
  tag: number,
  fallback: number,
): Promise<number> {
  const e = ifd.entries.get(tag);
  if (!e || e.count < 1) return fallback;
  const first = { ...e, count: 1 };
  if (!readable(tiff, first, 1)) return fallback;
  const values = await numbersOf(tiff, first);
  return values?.length ? values[0] : fallback;
}

/** A tag's raw bytes (e.g. JPEGTables), or undefined when absent, too long or outside the file. */
export async function tagBytes(
  tiff: TiffFile,
  ifd: Ifd,
  tag: number,
  maxBytes = 1 << 20,
): Promise<Uint8Array | undefined> {
  const e = ifd.entries.get(tag);
  if (!e || !readable(tiff, e, maxBytes / TYPE_SIZES[e.type])) return undefined;
  const n = e.count * TYPE_SIZES[e.type];
  const bytes = await tiff.source.read(e.offset, n);
  return bytes.length === n ? bytes.slice() : undefined;
}

/** An ASCII tag's text up to its first NUL, or undefined (absent, longer than `maxBytes`, outside the file). */
export async function tagText(
  tiff: TiffFile,
  ifd: Ifd,
  tag: number,
  maxBytes = 1 << 20,
): Promise<string | undefined> {
  const bytes = await tagBytes(tiff, ifd, tag, maxBytes);
  if (!bytes) return undefined;
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}
