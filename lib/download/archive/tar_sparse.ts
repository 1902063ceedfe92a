/**
 * GNU sparse files in tar archives: the map of data regions (old GNU `S`
 * headers and their extension blocks; pax formats 0.0, 0.1 and 1.0), and
 * the content expanded from it (holes as zeros), as GNU tar extracts it.
 * A map is hostile input like any other: its number of regions is bounded
 * before anything is allocated, regions must ascend without overlapping,
 * stay within the file's real size, and add up to exactly the bytes stored.
 *
 * @module
 */
import type { ByteReader } from "./byte_reader.ts";
import { BLOCK, corrupt, numberField, paxNumber, truncated, unsupported } from "./tar_header.ts";

/**
 * Most regions in one sparse map: far more than a real file has, few enough
 * that a hostile map costs at most a few MB.
 */
export const MAX_SPARSE_REGIONS = 100_000;

/** A sparse file's layout: `[offset, length]` of each data region, and its real size. */
export interface SparseMap {
  /** Size of the expanded file. */
  realSize: number;
  /** Data regions, ascending: offset and length, flattened. */
  regions: number[];
}

/** How a pax header marks a sparse file, when it does. */
export type PaxSparse =
  | { format: "1.0"; realSize: number }
  | { format: "0.0" | "0.1"; map: SparseMap };

const latin1 = new TextDecoder("latin1");

/**
 * The sparse description in pax `records` (local and global, in order), or
 * `undefined` for a plain file. Format 1.0 keeps its map in the data
 * ({@linkcode readMap10}); 0.0 repeats `GNU.sparse.offset`/`numbytes`; 0.1
 * lists them in `GNU.sparse.map`.
 *
 * @example
 * ```ts
 * import { paxSparse } from "./tar_sparse.ts";
 * const sparse = paxSparse([["GNU.sparse.size", "10"], ["GNU.sparse.map", "0,2,8,2"]], "a.bin");
 * if (sparse?.format !== "0.1" || sparse.map.regions.join() !== "0,2,8,2") throw new Error();
 * ```
 */
export function paxSparse(records: [string, string][], name: string): PaxSparse | undefined {
  const value = (key: string) => records.findLast(([k]) => k === key)?.[1];
  const major = value("GNU.sparse.major");
  const minor = value("GNU.sparse.minor");
  if (major !== undefined || minor !== undefined) {
    if (major !== "1" || (minor ?? "0") !== "0") {
      throw unsupported(name, `a GNU sparse file of format ${major}.${minor}`);
    }
    const realSize = value("GNU.sparse.realsize");
    if (realSize === undefined) throw corrupt("a sparse file without its real size", name);
    return { format: "1.0", realSize: paxNumber("GNU.sparse.realsize", realSize) };
  }
  const size = value("GNU.sparse.size");
  const list = value("GNU.sparse.map");
  const pairs = records.filter(([k]) => k === "GNU.sparse.offset" || k === "GNU.sparse.numbytes");
  if (size === undefined && list === undefined && pairs.length === 0) return undefined;
  if (size === undefined) throw corrupt("a sparse file without its real size", name);
  const realSize = paxNumber("GNU.sparse.size", size);
  const regions: number[] = [];
  if (list !== undefined) {
    const numbers = list === "" ? [] : list.split(",");
    if (numbers.length > 2 * MAX_SPARSE_REGIONS || numbers.length % 2) {
      throw corrupt(`a sparse map of ${numbers.length} numbers`, name);
    }
    for (const n of numbers) regions.push(paxNumber("GNU.sparse.map", n));
  } else {
    if (pairs.length > 2 * MAX_SPARSE_REGIONS) {
      throw corrupt(`a sparse map of ${pairs.length / 2} regions`, name);
    }
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i][0] !== "GNU.sparse.offset" || pairs[i + 1]?.[0] !== "GNU.sparse.numbytes") {
        throw corrupt("a sparse map whose offsets and sizes do not alternate", name);
      }
      regions.push(paxNumber("GNU.sparse.offset", pairs[i][1]));
      regions.push(paxNumber("GNU.sparse.numbytes", pairs[i + 1][1]));
    }
  }
  const blocks = value("GNU.sparse.numblocks");
  if (blocks !== undefined && paxNumber("GNU.sparse.numblocks", blocks) !== regions.length / 2) {
    throw corrupt("a sparse map whose region count disagrees", name);
  }
  return { format: list !== undefined ? "0.1" : "0.0", map: { realSize, regions } };
}

/**
 * The map of an old GNU sparse entry (type `S`): four regions in the header,
 * more in extension blocks read from `reader` while the header says so.
 *
 * @example
 * ```ts
 * import { oldGnuMap } from "./tar_sparse.ts";
 * import { byteReader } from "./byte_reader.ts";
 * const header = new Uint8Array(512);
 * const octal = (v: number, at: number) => header.set(new TextEncoder().encode(v.toString(8).padStart(11, "0")), at);
 * octal(0, 386); octal(4, 398); octal(16, 483);
 * const map = await oldGnuMap(header, byteReader(new Blob([]).stream()), "a.bin");
 * if (map.realSize !== 16 || map.regions.join() !== "0,4") throw new Error();
 * ```
 */
export async function oldGnuMap(
  header: Uint8Array,
  reader: ByteReader,
  name: string,
): Promise<SparseMap> {
  const regions: number[] = [];
  const take = (block: Uint8Array, count: number) => {
    for (let i = 0; i < count; i++) {
      const at = i * 24;
      // An empty offset field ends the list.
      if (block[at] === 0) return;
      regions.push(numberField(block, at, 12), numberField(block, at + 12, 12));
    }
  };
  take(header.subarray(386, 482), 4);
  const realSize = numberField(header, 483, 12);
  for (let extended = header[482] !== 0; extended;) {
    if (regions.length > 2 * MAX_SPARSE_REGIONS) {
      throw corrupt(`a sparse map of more than ${MAX_SPARSE_REGIONS} regions`, name);
    }
    const block = await reader.readExact(BLOCK);
    if (block.length < BLOCK) throw truncated("in a sparse map", name);
    take(block, 21);
    extended = block[504] !== 0;
  }
  return { realSize, regions };
}

/**
 * Reads the map a pax 1.0 sparse file keeps at the start of its data:
 * decimal lines (the region count, then offset and length of each), padded
 * to a block. Returns it with the bytes it took (a multiple of the block).
 *
 * @example
 * ```ts
 * import { readMap10 } from "./tar_sparse.ts";
 * import { byteReader } from "./byte_reader.ts";
 * const data = new Uint8Array(512);
 * data.set(new TextEncoder().encode("1\n0\n5\n"));
 * const { map, bytes } = await readMap10(byteReader(new Blob([data]).stream()), 512, 9, "a.bin");
 * if (bytes !== 512 || map.regions.join() !== "0,5") throw new Error();
 * ```
 */
export async function readMap10(
  reader: ByteReader,
  stored: number,
  realSize: number,
  name: string,
): Promise<{ map: SparseMap; bytes: number }> {
  const regions: number[] = [];
  let count = -1;
  let line = "";
  let bytes = 0;
  while (count < 0 || regions.length < 2 * count) {
    if (bytes + BLOCK > stored) throw corrupt("a sparse map longer than its entry", name);
    const block = await reader.readExact(BLOCK);
    if (block.length < BLOCK) throw truncated("in a sparse map", name);
    bytes += BLOCK;
    const text = latin1.decode(block);
    for (let i = 0; i < text.length && (count < 0 || regions.length < 2 * count); i++) {
      const c = text[i];
      if (c !== "\n") {
        if (c < "0" || c > "9" || line.length >= 16) {
          throw corrupt("a malformed sparse map", name);
        }
        line += c;
        continue;
      }
      const value = paxNumber("sparse map number", line);
      line = "";
      if (count >= 0) regions.push(value);
      else if (value > MAX_SPARSE_REGIONS) {
        throw corrupt(`a sparse map of ${value} regions`, name);
      } else count = value;
    }
  }
  return { map: { realSize, regions }, bytes };
}

/**
 * Checks a sparse map against the entry: regions ascending, not
 * overlapping, within the real size, and adding up to `stored` bytes.
 *
 * @example
 * ```ts
 * import { checkMap } from "./tar_sparse.ts";
 * checkMap({ realSize: 10, regions: [0, 2, 8, 2] }, 4, "a.bin");
 * ```
 */
export function checkMap(map: SparseMap, stored: number, name: string): void {
  const { regions, realSize } = map;
  if (regions.length > 2 * MAX_SPARSE_REGIONS) {
    throw corrupt(`a sparse map of more than ${MAX_SPARSE_REGIONS} regions`, name);
  }
  if (!Number.isSafeInteger(realSize)) throw corrupt("a huge sparse file size", name);
  let end = 0;
  let data = 0;
  for (let i = 0; i < regions.length; i += 2) {
    const [offset, length] = [regions[i], regions[i + 1]];
    if (offset < end || offset + length > realSize) {
      throw corrupt(
        `a sparse map whose regions ${
          offset < end ? "overlap or descend" : "end past the file's size"
        }`,
        name,
      );
    }
    end = offset + length;
    data += length;
  }
  if (data !== stored) {
    throw corrupt(`a sparse map of ${data} data bytes but ${stored} stored`, name);
  }
}

/**
 * The expanded content of a sparse file: zeros for the holes, the stored
 * bytes (taken with `take(max)`) for the regions. Hole pieces are views of
 * one shared zero buffer: read-only, like every piece.
 *
 * @example
 * ```ts
 * import { expandSparse } from "./tar_sparse.ts";
 * const data = [new Uint8Array([1, 2])];
 * const read = expandSparse({ realSize: 5, regions: [2, 2] }, async () => data.shift() ?? null);
 * const out = [];
 * for (let p = await read(); p; p = await read()) out.push(...p);
 * if (out.join() !== "0,0,1,2,0") throw new Error(out.join());
 * ```
 */
export function expandSparse(
  map: SparseMap,
  take: (max: number) => Promise<Uint8Array | null>,
): () => Promise<Uint8Array | null> {
  let position = 0;
  let region = 0;
  let left = -1; // bytes left of the current region's data; -1 before it starts
  return async () => {
    for (;;) {
      const offset = region < map.regions.length ? map.regions[region] : map.realSize;
      if (position < offset) {
        const n = Math.min(offset - position, ZEROS.length);
        position += n;
        return ZEROS.subarray(0, n);
      }
      if (region >= map.regions.length) return null;
      if (left < 0) left = map.regions[region + 1];
      if (left === 0) {
        region += 2;
        left = -1;
        continue;
      }
      const piece = await take(left);
      if (!piece) return null;
      left -= piece.length;
      position += piece.length;
      return piece;
    }
  };
}

const ZEROS = new Uint8Array(1 << 20);
