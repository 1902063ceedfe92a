/**
 * Zip record helpers: little-endian numbers, zip64 and Unicode-path extra
 * fields, entry names (UTF-8 or CP437), CRC-32, exact reads, and the errors
 * the zip reader throws.
 *
 * @module
 */
import { crc32 } from "../../internal/crc32.ts";
import { ArchiveError } from "../../errors.ts";
import type { ByteReader } from "./byte_reader.ts";

/** CRC-32 (zip's); see internal/crc32.ts. */
export { crc32 };

const utf8 = new TextDecoder("utf-8", { fatal: true });

// Code page 437, bytes 0x80-0xFF: the encoding of names without the UTF-8 flag.
const CP437_HIGH = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐" +
  "└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

/** The 32-bit fields of a header that zip64 extends, in the order its extra field lists them. */
export interface Zip64Fields {
  /** Uncompressed size. */
  size: number;
  /** Compressed size. */
  compressed: number;
  /** Offset of the local header (central directory only). */
  offset?: number;
}

/**
 * `fields` with the zip64 extra field (id 1) applied: each field that holds
 * 0xFFFFFFFF takes the next 8-byte value. A local header's field lists both
 * sizes when it is 16 bytes or longer, whichever of them was 0xFFFFFFFF.
 *
 * @example
 * ```ts
 * import { withZip64 } from "./zip_records.ts";
 * const extra = new Uint8Array([1, 0, 16, 0, 5, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
 * const { size, compressed } = withZip64(extra, { size: 0xffffffff, compressed: 0xffffffff }, "big.tif", true);
 * if (size !== 5 || compressed !== 3) throw new Error();
 * ```
 */
export function withZip64<F extends Zip64Fields>(
  extra: Uint8Array,
  fields: F,
  name: string,
  local: boolean,
): F {
  const field = extraField(extra, 1);
  const wide = (value: number | undefined) => value === 0xffffffff;
  if (!wide(fields.size) && !wide(fields.compressed) && !wide(fields.offset)) return fields;
  if (!field) throw corrupt("no zip64 sizes", name);
  let at = 0;
  const next = () => {
    if (at + 8 > field.length) throw corrupt("a short zip64 field", name);
    const value = u64(field, at);
    at += 8;
    return value;
  };
  const out = { ...fields };
  if (local && field.length >= 16) {
    [out.size, out.compressed] = [next(), next()];
    return out;
  }
  if (wide(fields.size)) out.size = next();
  if (wide(fields.compressed)) out.compressed = next();
  if (wide(fields.offset)) out.offset = next();
  return out;
}

/**
 * The data of the extra field `id` in an extra block, or `undefined`.
 *
 * @example
 * ```ts
 * import { extraField } from "./zip_records.ts";
 * if (extraField(new Uint8Array([1, 0, 1, 0, 7]), 1)?.[0] !== 7) throw new Error();
 * ```
 */
export function extraField(extra: Uint8Array, id: number): Uint8Array | undefined {
  for (let i = 0; i + 4 <= extra.length;) {
    const length = u16(extra, i + 2);
    if (u16(extra, i) === id) return extra.subarray(i + 4, Math.min(i + 4 + length, extra.length));
    i += 4 + length;
  }
  return undefined;
}

/**
 * An entry name: the Info-ZIP Unicode path (extra field 0x7075) when it
 * belongs to this name (its CRC-32 matches), else UTF-8 when flag bit 11
 * says so or the bytes are valid UTF-8, else CP437, as unzip reads it.
 *
 * @example
 * ```ts
 * import { entryName } from "./zip_records.ts";
 * if (entryName(new Uint8Array([0x72, 0x82]), new Uint8Array(), 0) !== "ré") throw new Error();
 * ```
 */
export function entryName(bytes: Uint8Array, extra: Uint8Array, flags: number): string {
  const unicode = extraField(extra, 0x7075);
  if (unicode && unicode.length > 5 && unicode[0] === 1 && u32(unicode, 1) === crc32(bytes)) {
    try {
      return utf8.decode(unicode.subarray(5));
    } catch {
      // A broken Unicode path is ignored, as unzip ignores it.
    }
  }
  try {
    return utf8.decode(bytes);
  } catch {
    if (flags & 0x800) throw corrupt("an entry name that is not UTF-8 although flagged so");
    let name = "";
    for (const b of bytes) name += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
    return name;
  }
}

/**
 * Exactly `n` bytes (a copy) or an {@linkcode ArchiveError} saying the zip
 * data ends `where`.
 *
 * @example
 * ```ts
 * import { byteReader } from "./byte_reader.ts";
 * import { exact } from "./zip_records.ts";
 * const bytes = await exact(byteReader(new Blob(["PK"]).stream()), 2, "in a header");
 * if (bytes.length !== 2) throw new Error();
 * ```
 */
export async function exact(reader: ByteReader, n: number, where: string): Promise<Uint8Array> {
  const bytes = await reader.readExact(n);
  if (bytes.length < n) throw truncated(where);
  return bytes.slice(); // views are only valid until the next read
}

/**
 * Little-endian unsigned 64-bit number at `at` (exact below 2^53).
 *
 * @example
 * ```ts
 * import { u64 } from "./zip_records.ts";
 * if (u64(new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0]), 0) !== 4294967297) throw new Error();
 * ```
 */
export function u64(bytes: Uint8Array, at: number): number {
  return u32(bytes, at) + u32(bytes, at + 4) * 2 ** 32;
}

/**
 * Little-endian unsigned 16-bit number at `at`.
 *
 * @example
 * ```ts
 * import { u16 } from "./zip_records.ts";
 * if (u16(new Uint8Array([0x34, 0x12]), 0) !== 0x1234) throw new Error();
 * ```
 */
export function u16(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8);
}

/**
 * Little-endian unsigned 32-bit number at `at`.
 *
 * @example
 * ```ts
 * import { u32 } from "./zip_records.ts";
 * if (u32(new Uint8Array([0x50, 0x4b, 3, 4]), 0) !== 0x04034b50) throw new Error();
 * ```
 */
export function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/**
 * The error for a zip entry this reader cannot unpack.
 *
 * @example
 * ```ts
 * import { unsupported } from "./zip_records.ts";
 * if (unsupported("output/a.tif", "it is encrypted").reason !== "unsupported") throw new Error();
 * ```
 */
export function unsupported(name: string, why: string): ArchiveError {
  return new ArchiveError({ reason: "unsupported", entry: name, detail: why });
}

/**
 * The error for zip data that ends `where` (in `entry`, when one is named).
 *
 * @example
 * ```ts
 * import { truncated } from "./zip_records.ts";
 * if (truncated("in a local header").reason !== "truncated") throw new Error();
 * ```
 */
export function truncated(where: string, entry?: string): ArchiveError {
  return new ArchiveError({ reason: "truncated", entry, detail: `the zip data ends ${where}` });
}

/**
 * The error for zip data that has `what` wrong (in `entry`, when one is named).
 *
 * @example
 * ```ts
 * import { corrupt } from "./zip_records.ts";
 * if (corrupt("a CRC-32 mismatch").reason !== "corrupt") throw new Error();
 * ```
 */
export function corrupt(what: string, entry?: string): ArchiveError {
  return new ArchiveError({ reason: "corrupt", entry, detail: `the zip data has ${what}` });
}
