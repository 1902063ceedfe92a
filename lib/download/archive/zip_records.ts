/**
 * Zip record helpers: little-endian numbers, zip64 sizes, entry names, exact
 * reads, and the errors the zip reader throws.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";
import type { ByteReader } from "./byte_reader.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * The `[size, compressed]` of an entry whose local header says 0xffffffff,
 * from its zip64 extra field.
 *
 * @example
 * ```ts
 * import { zip64Sizes } from "./zip_records.ts";
 * const extra = new Uint8Array([1, 0, 16, 0, 5, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
 * const [size, compressed] = zip64Sizes(extra, 0xffffffff, 0xffffffff, "output/big.tif");
 * if (size !== 5 || compressed !== 3) throw new Error();
 * ```
 */
export function zip64Sizes(
  extra: Uint8Array,
  size: number,
  compressed: number,
  name: string,
): [size: number, compressed: number] {
  for (let i = 0; i + 4 <= extra.length;) {
    const id = u16(extra, i);
    const length = u16(extra, i + 2);
    if (id === 1) {
      const view = new DataView(extra.buffer, extra.byteOffset + i + 4, length);
      let at = 0;
      const next = () => {
        if (at + 8 > length) throw corrupt("a short zip64 field", name);
        const value = Number(view.getBigUint64(at, true));
        at += 8;
        return value;
      };
      const s = size === 0xffffffff ? next() : size;
      const c = compressed === 0xffffffff ? next() : compressed;
      return [s, c];
    }
    i += 4 + length;
  }
  throw corrupt("no zip64 sizes", name);
}

/**
 * An entry name: UTF-8 (required when flag bit 11 says so), else Latin-1.
 *
 * @example
 * ```ts
 * import { decodeName } from "./zip_records.ts";
 * if (decodeName(new TextEncoder().encode("output/a.tif"), 0x800) !== "output/a.tif") throw new Error();
 * ```
 */
export function decodeName(bytes: Uint8Array, flags: number): string {
  if (flags & 0x800) {
    try {
      return utf8.decode(bytes);
    } catch {
      throw corrupt("an entry name that is not UTF-8 although flagged so");
    }
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
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
 * Whether an extra field block holds a zip64 field (id 1).
 *
 * @example
 * ```ts
 * import { hasZip64Field } from "./zip_records.ts";
 * if (!hasZip64Field(new Uint8Array([1, 0, 0, 0]))) throw new Error();
 * ```
 */
export function hasZip64Field(extra: Uint8Array): boolean {
  for (let i = 0; i + 4 <= extra.length; i += 4 + u16(extra, i + 2)) {
    if (u16(extra, i) === 1) return true;
  }
  return false;
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
