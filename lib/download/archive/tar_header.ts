/**
 * Tar header blocks and pax extended headers, decoded as GNU tar 1.34
 * decodes them. The header kinds differ in the bytes after the magic: POSIX
 * ustar (and star, which GNU tar treats the same way) keeps a 155-byte name
 * prefix at byte 345, GNU and old GNU (`ustar  \0`) keep access and change
 * times and the old sparse map there, v7 has no magic and no prefix. Every
 * name field is a C string: it ends at its first NUL, as in GNU tar, bsdtar,
 * Python's tarfile and Go's archive/tar.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";

/** Size of a tar block. */
export const BLOCK = 512;

/** How the bytes after the magic are laid out. */
export type HeaderFormat = "ustar" | "gnu" | "v7";

/** A decoded header block. */
export interface TarHeader {
  /** Which layout the block has. */
  format: HeaderFormat;
  /** The type flag (`"0"`, `"5"`, `"x"`, ...; `"\0"` for an old regular file). */
  flag: string;
  /** The name: prefix and name field for ustar, the name field otherwise. */
  name: string;
  /** The size field. */
  size: number;
  /** The block itself (GNU sparse headers keep their map in it). */
  block: Uint8Array;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * Decodes the header block `block` found at byte `at` of the archive (for
 * messages): checksum, magic, name and size. Throws an `ArchiveError`
 * (`corrupt`) for a wrong checksum or a malformed number.
 *
 * @example
 * ```ts
 * import { packTar } from "modern-tar";
 * import { parseHeader } from "./tar_header.ts";
 * const tar = await packTar([{ header: { name: "a.txt", size: 2, type: "file" }, body: "hi" }]);
 * const header = parseHeader(tar.subarray(0, 512), 0);
 * if (header.name !== "a.txt" || header.size !== 2 || header.format !== "ustar") throw new Error();
 * ```
 */
export function parseHeader(block: Uint8Array, at: number): TarHeader {
  if (!checksumMatches(block)) throw corrupt(`a header checksum mismatch at byte ${at}`);
  const magic = latin1.decode(block.subarray(257, 263));
  const format: HeaderFormat = magic === "ustar\0" ? "ustar" : magic === "ustar " ? "gnu" : "v7";
  const name = cString(block.subarray(0, 100));
  const prefix = format === "ustar" ? cString(block.subarray(345, 500)) : new Uint8Array(0);
  return {
    format,
    flag: String.fromCharCode(block[156]),
    name: decodeName(prefix.length ? new Uint8Array([...prefix, 0x2f, ...name]) : name),
    size: numberField(block, 124, 12),
    block,
  };
}

/**
 * Whether `block`'s checksum field matches its bytes (summed unsigned, or
 * signed as some old tars did). Also tells a v7 tar, which has no magic.
 *
 * @example
 * ```ts
 * import { checksumMatches } from "./tar_header.ts";
 * if (checksumMatches(new Uint8Array(512))) throw new Error("a zero block has no valid checksum");
 * ```
 */
export function checksumMatches(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  let stored: number;
  try {
    stored = numberField(block, 148, 8);
  } catch {
    return false;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return block.subarray(148, 156).some((b) => b !== 0) &&
    (stored === unsigned || stored === signed);
}

/**
 * The records of a pax extended header, in order (a keyword may repeat: the
 * GNU sparse format 0.0 repeats its offsets). Malformed records, as GNU tar
 * reports them, are `corrupt`.
 *
 * @example
 * ```ts
 * import { parsePax } from "./tar_header.ts";
 * const records = parsePax(new TextEncoder().encode("13 path=a.tx\n"));
 * if (records[0][0] !== "path" || records[0][1] !== "a.tx") throw new Error();
 * ```
 */
export function parsePax(data: Uint8Array): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < data.length) {
    // A NUL where a record would start ends the header (some writers pad with NULs).
    if (data[i] === 0) break;
    const space = data.indexOf(0x20, i);
    const digits = latin1.decode(data.subarray(i, space));
    const length = Number(digits);
    if (
      space < 0 || !/^\d{1,9}$/.test(digits) || length <= space - i + 1 ||
      i + length > data.length || data[i + length - 1] !== 0x0a
    ) {
      throw corrupt("a malformed pax extended header");
    }
    const record = decodeName(data.subarray(space + 1, i + length - 1));
    const eq = record.indexOf("=");
    if (eq <= 0) throw corrupt("a pax record without a keyword");
    out.push([record.slice(0, eq), record.slice(eq + 1)]);
    i += length;
  }
  return out;
}

/**
 * A non-negative decimal number of a pax record (at most 2^53), else `corrupt`.
 *
 * @example
 * ```ts
 * import { paxNumber } from "./tar_header.ts";
 * if (paxNumber("size", "4096") !== 4096) throw new Error();
 * ```
 */
export function paxNumber(keyword: string, value: string): number {
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw corrupt(`a pax ${keyword} ${JSON.stringify(value.slice(0, 20))}`);
  }
  return Number(value);
}

/**
 * A numeric header field: octal (leading spaces, trailing spaces or NULs
 * allowed) or GNU base-256; negative and huge values are `corrupt`.
 *
 * @example
 * ```ts
 * import { numberField } from "./tar_header.ts";
 * if (numberField(new TextEncoder().encode("0000644 \0"), 0, 8) !== 0o644) throw new Error();
 * ```
 */
export function numberField(block: Uint8Array, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if (field[0] & 0x80) {
    // GNU base-256: big-endian, top bit set; negative or > 2^53 values are refused.
    if (field[0] !== 0x80) throw corrupt("a negative or huge base-256 number");
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    if (!Number.isSafeInteger(value)) throw corrupt("a huge base-256 number");
    return value;
  }
  const text = latin1.decode(field).replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt(`a non-octal number ${JSON.stringify(text)}`);
  const value = parseInt(text, 8);
  if (!Number.isSafeInteger(value)) throw corrupt("a huge octal number");
  return value;
}

/**
 * The bytes before the first NUL.
 *
 * @example
 * ```ts
 * import { cString } from "./tar_header.ts";
 * if (cString(new Uint8Array([97, 0, 98])).length !== 1) throw new Error();
 * ```
 */
export function cString(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end < 0 ? bytes : bytes.subarray(0, end);
}

/**
 * A name as text: UTF-8 when it is valid UTF-8, else Latin-1 (tars made
 * under a Latin-1 locale store raw bytes).
 *
 * @example
 * ```ts
 * import { decodeName } from "./tar_header.ts";
 * if (decodeName(new Uint8Array([0x63, 0x61, 0x66, 0xe9])) !== "café") throw new Error();
 * ```
 */
export function decodeName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/**
 * The error for tar data that ends `where` (in `entry`, when one is named).
 *
 * @example
 * ```ts
 * import { truncated } from "./tar_header.ts";
 * if (truncated("in a header").reason !== "truncated") throw new Error();
 * ```
 */
export function truncated(where: string, entry?: string): ArchiveError {
  return new ArchiveError({ reason: "truncated", entry, detail: `the tar data ends ${where}` });
}

/**
 * The error for tar data that has `what` wrong (in `entry`, when one is named).
 *
 * @example
 * ```ts
 * import { corrupt } from "./tar_header.ts";
 * if (corrupt("a bad number").reason !== "corrupt") throw new Error();
 * ```
 */
export function corrupt(what: string, entry?: string): ArchiveError {
  return new ArchiveError({ reason: "corrupt", entry, detail: `the tar data has ${what}` });
}

/**
 * The error for a tar entry this reader does not unpack.
 *
 * @example
 * ```ts
 * import { unsupported } from "./tar_header.ts";
 * if (unsupported("a.bin", "a multi-volume continuation").reason !== "unsupported") throw new Error();
 * ```
 */
export function unsupported(entry: string, what: string): ArchiveError {
  return new ArchiveError({ reason: "unsupported", entry, detail: `it is ${what}` });
}
