/**
 * The content of one zip entry as it streams: stored bytes of a known
 * length, a deflate stream (delimited by its announced size, or by its own
 * end when the size follows the data), a stored entry whose size follows
 * it (delimited by a data descriptor that proves itself), and the data
 * descriptor that closes a streamed entry.
 *
 * A stored entry with its size after its data is the one case a forward
 * reader cannot delimit by construction. Scanning for the descriptor's
 * signature, as some readers do, silently cuts an entry whose data holds
 * those four bytes; here a candidate counts only when the CRC-32 and both
 * sizes it carries match the bytes before it and a zip record follows it
 * (a chance match needs the data to hold its own CRC-32 at the right
 * place), and the central directory checks the result again.
 *
 * @module
 */
import type { ByteReader } from "./byte_reader.ts";
import { nativeInflater, portableInflate } from "./inflate.ts";
import { corrupt, crc32, truncated, u32, u64, unsupported } from "./zip_records.ts";

const PIECE = 1 << 20;
const DESCRIPTOR = 0x08074b50;
/** Signatures that may follow an entry: local header, central directory, descriptor, zip64 end. */
const NEXT_RECORDS = [0x04034b50, 0x02014b50, 0x08074b50, 0x06064b50, 0x06054b50, 0x05054b50];
// Signature + CRC + two 8-byte sizes + the next record's signature.
const DESCRIPTOR_WINDOW = 28;

/** An entry's content as it streams. */
export interface Content {
  /** Next piece of content (valid until the next call); `null` at the end. */
  read(): Promise<Uint8Array | null>;
  /** Compressed bytes consumed so far. */
  consumed(): number;
}

/**
 * `length` stored bytes.
 *
 * @example
 * ```ts
 * import { stored } from "./zip_content.ts";
 * import { byteReader } from "./byte_reader.ts";
 * const content = stored(byteReader(new Blob(["abc"]).stream()), 2, "a.txt");
 * if ((await content.read())?.length !== 2 || await content.read() !== null) throw new Error();
 * ```
 */
export function stored(reader: ByteReader, length: number, name: string): Content {
  let remaining = length;
  return {
    async read() {
      if (remaining === 0) return null;
      const piece = await reader.read(Math.min(remaining, PIECE));
      if (!piece) throw truncated("in the entry", name);
      remaining -= piece.length;
      return piece;
    },
    consumed: () => length - remaining,
  };
}

/**
 * Raw deflate of `length` bytes, or, when `length` is unknown, up to where
 * the deflate stream ends (what follows is given back to the reader); the
 * latter needs `node:zlib` loaded (as `readZip` does first).
 *
 * @example
 * ```ts
 * import { inflated } from "./zip_content.ts";
 * import { byteReader } from "./byte_reader.ts";
 * import { loadZlib } from "../../internal/zlib.ts";
 * await loadZlib();
 * const packed = new Blob(["hi"]).stream().pipeThrough(new CompressionStream("deflate-raw"));
 * const content = inflated(byteReader(packed), undefined, "a.txt");
 * if (new TextDecoder().decode((await content.read())!) !== "hi") throw new Error();
 * ```
 */
export function inflated(reader: ByteReader, length: number | undefined, name: string): Content {
  const bad = (detail: string) => corrupt(`undecodable deflate data (${detail})`, name);
  if (length === 0) return stored(reader, 0, name);
  const inflater = nativeInflater("raw", bad);
  if (!inflater) {
    if (length === undefined) throw unsupported(name, "its size follows its data");
    return portableInflated(reader, length, name);
  }
  let input: Uint8Array = new Uint8Array(0);
  let offset = 0;
  let fed = 0;
  let consumed = 0;
  let ended = false;
  return {
    async read() {
      for (;;) {
        if (ended) return null;
        const last = length !== undefined && fed === length;
        if (offset >= input.length && !last) {
          const want = length === undefined ? PIECE : Math.min(length - fed, PIECE);
          const piece = await reader.read(want);
          if (!piece) throw truncated("in the entry", name);
          [input, offset] = [piece, 0];
          fed += piece.length;
        }
        const { produced, consumed: used } = inflater.write(input, offset, last);
        offset += used;
        consumed += used;
        if (produced > 0) return inflater.output.subarray(0, produced);
        if (last || (used === 0 && offset < input.length)) {
          // The deflate stream has ended: what follows belongs to the next record.
          if (length !== undefined && offset < input.length) {
            throw bad("it ends before its announced size");
          }
          reader.unread(input.length - offset);
          inflater.close();
          ended = true;
        }
      }
    },
    consumed: () => consumed,
  };
}

function portableInflated(reader: ByteReader, length: number, name: string): Content {
  let remaining = length;
  const source = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (remaining === 0) return controller.close();
      const piece = await reader.read(Math.min(remaining, PIECE));
      if (!piece) return controller.error(truncated("in the entry", name));
      remaining -= piece.length;
      controller.enqueue(piece);
    },
  }, { highWaterMark: 0 });
  const out = portableInflate(
    source,
    "deflate-raw",
    (detail) => corrupt(`undecodable deflate data (${detail})`, name),
  ).getReader();
  return {
    async read() {
      const { done, value } = await out.read();
      return done ? null : value;
    },
    consumed: () => length - remaining,
  };
}

/**
 * A stored entry whose size follows its data: the bytes up to the first
 * data descriptor (with or without its signature, 32- or 64-bit sizes)
 * whose CRC-32 and sizes match the bytes before it and that a zip record
 * follows. The descriptor itself is left for {@linkcode readDescriptor}.
 *
 * @example
 * ```ts
 * import { storedUntilDescriptor } from "./zip_content.ts";
 * import { byteReader } from "./byte_reader.ts";
 * import { crc32 } from "./zip_records.ts";
 * const data = new TextEncoder().encode("PK\x07\x08 inside");
 * const d = new DataView(new ArrayBuffer(20));
 * [0x08074b50, crc32(data), data.length, data.length, 0x02014b50].forEach((v, i) => d.setUint32(i * 4, v, true));
 * const content = storedUntilDescriptor(byteReader(new Blob([data, d.buffer]).stream()), "s.txt");
 * let n = 0;
 * for (let p = await content.read(); p; p = await content.read()) n += p.length;
 * if (n !== data.length) throw new Error(String(n));
 * ```
 */
export function storedUntilDescriptor(reader: ByteReader, name: string): Content {
  let produced = 0;
  let crc = 0;
  let ended = false;
  return {
    async read() {
      if (ended) return null;
      const view = await reader.peek(DESCRIPTOR_WINDOW);
      const whole = view.length >= DESCRIPTOR_WINDOW;
      if (view.length < 12) throw truncated("before the entry's data descriptor", name);
      // Positions whose descriptor could reach past the view are looked at next time,
      // unless the data ends within the view.
      const end = whole ? Math.min(view.length - DESCRIPTOR_WINDOW, PIECE) : view.length - 12;
      for (let i = 0; i <= end; i++) {
        const length = produced + i;
        // Cheap test first: a signature, or the low byte of the size where it would be.
        if (view[i] !== 0x50 && view[i + 4] !== (length & 0xff)) continue;
        if (descriptorAt(view, i, length, crc)) {
          ended = true;
          return i === 0 ? null : await take(reader, i);
        }
      }
      if (!whole) throw corrupt("no data descriptor after its stored data", name);
      return await take(reader, end + 1);
    },
    consumed: () => produced,
  };

  async function take(reader: ByteReader, n: number): Promise<Uint8Array> {
    const piece = (await reader.read(n))!;
    crc = crc32(piece, crc);
    produced += piece.length;
    return piece;
  }
}

/**
 * Whether a data descriptor for the `length` bytes before `i` in `view`
 * (their CRC-32 continuing from `crc`) starts at `i` and a zip record follows it.
 */
function descriptorAt(view: Uint8Array, i: number, length: number, crc: number): boolean {
  for (const at of u32(view, i) === DESCRIPTOR ? [i + 4, i] : [i]) {
    const sizes = at + 4;
    for (const width of length < 2 ** 32 ? [4, 8] : [8]) {
      const next = sizes + 2 * width;
      if (next + 4 > view.length || !NEXT_RECORDS.includes(u32(view, next))) continue;
      const read = width === 4 ? u32 : u64;
      if (read(view, sizes) !== length || read(view, sizes + width) !== length) continue;
      if (u32(view, at) === crc32(view.subarray(0, i), crc)) return true;
    }
  }
  return false;
}

/**
 * Reads the data descriptor after an entry whose sizes follow its data and
 * checks it against what was read: `compressed` bytes consumed, `size`
 * produced, CRC-32 `crc`. Its signature is optional and its sizes are 32 or
 * 64 bits wide whatever the local header says (writers differ), so each
 * layout is tried; one whose values match wins, preferring one followed by
 * a zip record.
 *
 * @example
 * ```ts
 * import { readDescriptor } from "./zip_content.ts";
 * import { byteReader } from "./byte_reader.ts";
 * const d = new DataView(new ArrayBuffer(16));
 * [0x08074b50, 7, 3, 5].forEach((v, i) => d.setUint32(i * 4, v, true));
 * await readDescriptor(byteReader(new Blob([d.buffer]).stream()), { crc: 7, compressed: 3, size: 5 }, "a");
 * ```
 */
export async function readDescriptor(
  reader: ByteReader,
  read: { crc: number; compressed: number; size: number },
  name: string,
): Promise<void> {
  const view = await reader.peek(DESCRIPTOR_WINDOW);
  if (view.length < 12) throw truncated("in a data descriptor", name);
  const layouts: number[] = [];
  for (const at of u32(view, 0) === DESCRIPTOR ? [4, 0] : [0]) {
    if (u32(view, at) !== read.crc) continue;
    if (
      at + 12 <= view.length && read.compressed < 2 ** 32 && read.size < 2 ** 32 &&
      u32(view, at + 4) === read.compressed && u32(view, at + 8) === read.size
    ) layouts.push(at + 12);
    if (
      at + 20 <= view.length && u64(view, at + 4) === read.compressed &&
      u64(view, at + 12) === read.size
    ) layouts.push(at + 20);
  }
  if (layouts.length === 0) {
    throw corrupt("a data descriptor that disagrees with its entry's data", name);
  }
  const followed = layouts.find((n) => n + 4 <= view.length && NEXT_RECORDS.includes(u32(view, n)));
  await reader.skip(followed ?? layouts[0]);
}
