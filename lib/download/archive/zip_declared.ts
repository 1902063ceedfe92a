/**
 * What a zip declares it unpacks to, read from its end (the end record, the
 * Zip64 end record where sizes overflow, the central directory) before its
 * entries stream, as `unzip` seeks to them. A zip whose entries give their
 * sizes only after their data shows a decompression bomb otherwise only as
 * it inflates: a 10 GiB one took 7.5 s to reach the ratio limit, the same
 * refused from its directory takes one round trip. Best effort: anything
 * that does not parse gives `undefined`, and the checks made as entries
 * stream stay the rule (a directory that lies is caught there).
 *
 * @module
 */
import { CENTRAL, END, END64, LOCATOR64 } from "./zip_central.ts";
import { extraField, u16, u32, u64 } from "./zip_records.ts";

/** Reads bytes `start` to `end` (inclusive) of the archive, or `undefined` when it cannot. */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array | undefined>;

/** The end record (22 bytes) with the longest comment a zip can have. */
export const TAIL_BYTES = 22 + 0xffff;

/** Central directories larger than this are not read ahead. */
export const MAX_DIRECTORY_BYTES = 16 * 2 ** 20;

/**
 * The sum of the uncompressed sizes the central directory of a zip of
 * `size` bytes declares, or `undefined`.
 *
 * @example
 * ```ts
 * import { declaredZipBytes } from "./zip_declared.ts";
 * import { zipSync } from "fflate";
 * const zip = zipSync({ "a.txt": new Uint8Array(1000), "b.txt": new Uint8Array(24) });
 * const read = (start: number, end: number) => Promise.resolve(zip.slice(start, end + 1));
 * if (await declaredZipBytes(zip.length, read) !== 1024) throw new Error();
 * ```
 */
export async function declaredZipBytes(size: number, read: ReadRange): Promise<number | undefined> {
  if (size < 22) return undefined;
  const tailStart = Math.max(0, size - TAIL_BYTES);
  const tail = await read(tailStart, size - 1);
  if (!tail) return undefined;
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === END && u16(tail, i + 20) === tail.length - i - 22) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  let entries = u16(tail, end + 10);
  let directoryBytes = u32(tail, end + 12);
  let directoryEnd = tailStart + end;
  if (entries === 0xffff || directoryBytes === 0xffffffff) {
    // Zip64: the locator just before the end record, the Zip64 end record before it.
    if (end < 20 || u32(tail, end - 20) !== LOCATOR64) return undefined;
    const at = tailStart + end - 20 - 56;
    const record = at >= tailStart
      ? tail.subarray(at - tailStart, at - tailStart + 56)
      : await read(at, at + 55);
    if (!record || record.length !== 56) return undefined;
    if (u32(record, 0) !== END64) return undefined;
    entries = u64(record, 32);
    directoryBytes = u64(record, 40);
    directoryEnd = at;
  }
  // Measured from the end, so a leading stub (a self-extracting zip) shifts nothing.
  const directoryStart = directoryEnd - directoryBytes;
  if (directoryStart < 0 || directoryBytes > MAX_DIRECTORY_BYTES) return undefined;
  const directory = directoryStart >= tailStart
    ? tail.subarray(directoryStart - tailStart, directoryEnd - tailStart)
    : await read(directoryStart, directoryEnd - 1);
  if (!directory || directory.length !== directoryBytes) return undefined;
  return sumSizes(directory, entries);
}

function sumSizes(directory: Uint8Array, entries: number): number | undefined {
  let total = 0, p = 0;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > directory.length || u32(directory, p) !== CENTRAL) return undefined;
    let bytes = u32(directory, p + 24);
    const nameLength = u16(directory, p + 28), extraLength = u16(directory, p + 30);
    const commentLength = u16(directory, p + 32);
    if (bytes === 0xffffffff) {
      // The Zip64 extra field's first value is the uncompressed size when that overflows.
      const extraStart = p + 46 + nameLength, extraEnd = extraStart + extraLength;
      if (extraEnd > directory.length) return undefined;
      const zip64 = extraField(directory.subarray(extraStart, extraEnd), 1);
      if (!zip64 || zip64.length < 8) return undefined;
      bytes = u64(zip64, 0);
    }
    total += bytes;
    p += 46 + nameLength + extraLength + commentLength;
  }
  return total;
}
