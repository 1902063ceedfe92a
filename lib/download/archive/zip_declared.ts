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

/** Reads bytes `start` to `end` (inclusive) of the archive, or `undefined` when it cannot. */
export type ReadRange = (start: number, end: number) => Promise<Uint8Array | undefined>;

/** The end record (22 bytes) with the longest comment a zip can have. */
export const TAIL_BYTES = 22 + 0xffff;

/** Central directories larger than this are not read ahead. */
export const MAX_DIRECTORY_BYTES = 16 * 2 ** 20;

const END = 0x06054b50, END64 = 0x06064b50, LOCATOR64 = 0x07064b50, CENTRAL = 0x02014b50;

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
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let end = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === END && view.getUint16(i + 20, true) === tail.length - i - 22) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  let entries = view.getUint16(end + 10, true);
  let directoryBytes = view.getUint32(end + 12, true);
  let directoryEnd = tailStart + end;
  if (entries === 0xffff || directoryBytes === 0xffffffff) {
    // Zip64: the locator just before the end record, the Zip64 end record before it.
    if (end < 20 || view.getUint32(end - 20, true) !== LOCATOR64) return undefined;
    const at = tailStart + end - 20 - 56;
    const record = at >= tailStart
      ? tail.subarray(at - tailStart, at - tailStart + 56)
      : await read(at, at + 55);
    if (!record || record.length !== 56) return undefined;
    const r = new DataView(record.buffer, record.byteOffset, 56);
    if (r.getUint32(0, true) !== END64) return undefined;
    entries = Number(r.getBigUint64(32, true));
    directoryBytes = Number(r.getBigUint64(40, true));
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
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  let total = 0, p = 0;
  for (let k = 0; k < entries; k++) {
    if (p + 46 > directory.length || view.getUint32(p, true) !== CENTRAL) return undefined;
    let bytes = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true), extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (bytes === 0xffffffff) {
      // The Zip64 extra field's first value is the uncompressed size when that overflows.
      let x = p + 46 + nameLength;
      const extraEnd = x + extraLength;
      let found: number | undefined;
      while (x + 4 <= extraEnd && extraEnd <= directory.length) {
        const id = view.getUint16(x, true), length = view.getUint16(x + 2, true);
        if (id === 0x0001 && length >= 8) found = Number(view.getBigUint64(x + 4, true));
        x += 4 + length;
      }
      if (found === undefined) return undefined;
      bytes = found;
    }
    total += bytes;
    p += 46 + nameLength + extraLength + commentLength;
  }
  return total;
}
