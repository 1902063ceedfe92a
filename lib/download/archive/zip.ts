/**
 * A streaming zip parser: reads local headers in order, inflates natively
 * (see `inflate.ts`; `DecompressionStream` where that is unavailable), checks each entry's CRC-32
 * and size, then checks the central directory against what was streamed
 * (same names, same CRCs, no links or devices), so an archive whose two
 * views disagree is refused.
 *
 * @module
 */
import { createCRC32 } from "hash-wasm";
import { ArchiveError } from "../../errors.ts";
import type { ByteReader } from "./byte_reader.ts";
import type { EntryKind, RawEntry } from "./entry.ts";
import { nativeInflater, portableInflate } from "./inflate.ts";
import {
  corrupt,
  decodeName,
  exact,
  hasZip64Field,
  truncated,
  u16,
  u32,
  u64,
  unsupported,
  zip64Sizes,
} from "./zip_records.ts";

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const END64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const DESCRIPTOR = 0x08074b50;
const PIECE = 1 << 20;

interface Seen {
  name: string;
  crc: number;
}

/**
 * Reads the zip archive in `reader` entry by entry (each entry's content must
 * be read, or is skipped, before the next is produced), then verifies the
 * central directory. An entry whose sizes only follow its data (bit 3, a
 * streamed zip) is read up to where its deflate stream ends (its size is
 * then -1 until read); a stored one cannot be delimited and is refused.
 *
 * @example
 * ```ts
 * import { zipSync } from "fflate";
 * import { byteReader } from "./byte_reader.ts";
 * import { readZip } from "./zip.ts";
 * const zip = zipSync({ "output/a.txt": new TextEncoder().encode("hello") });
 * for await (const entry of readZip(byteReader(new Blob([zip]).stream()))) {
 *   if (entry.name !== "output/a.txt" || entry.size !== 5) throw new Error();
 * }
 * ```
 */
export async function* readZip(reader: ByteReader): AsyncGenerator<RawEntry> {
  const seen: Seen[] = [];
  const crc32 = await createCRC32();
  for (;;) {
    const signature = u32(await exact(reader, 4, "before the central directory"), 0);
    if (signature === CENTRAL) return await checkCentral(reader, seen);
    if (signature === END && seen.length === 0) return;
    if (signature !== LOCAL) {
      throw corrupt(
        `an unexpected record 0x${signature.toString(16)} at byte ${reader.offset - 4}`,
      );
    }
    const fixed = await exact(reader, 26, "in a local header");
    const flags = u16(fixed, 2);
    const method = u16(fixed, 4);
    let compressed = u32(fixed, 14);
    let size = u32(fixed, 18);
    const nameBytes = await exact(reader, u16(fixed, 22), "in a local header");
    const extra = await exact(reader, u16(fixed, 24), "in a local header");
    const name = decodeName(nameBytes, flags);
    if (compressed === 0xffffffff || size === 0xffffffff) {
      [size, compressed] = zip64Sizes(extra, size, compressed, name);
    }
    const wide = hasZip64Field(extra);
    // Bit 3: crc and sizes follow the data (zeros here); only a deflate stream delimits itself.
    const trailing = (flags & 8) !== 0 && compressed === 0 && size === 0;
    if (flags & 1) throw unsupported(name, "it is encrypted");
    if (method !== 0 && method !== 8) throw unsupported(name, `compression method ${method}`);
    if (trailing && method === 0 && !name.endsWith("/")) {
      throw unsupported(name, "it is stored with its size after its data");
    }
    const entry = { name, crc: u32(fixed, 10) };
    seen.push(entry);
    crc32.init();
    const content = method === 0
      ? stored(reader, compressed, name)
      : inflated(reader, trailing ? undefined : compressed, name);
    let produced = 0;
    let done = false;
    const read = async (): Promise<Uint8Array | null> => {
      if (done) return null;
      const piece = await content.read();
      if (piece) {
        produced += piece.length;
        if (!trailing && produced > size) {
          throw corrupt("more data than announced", name);
        }
        crc32.update(piece);
        return piece;
      }
      done = true;
      if (flags & 8) {
        let descriptor = await exact(reader, 4, "in a data descriptor");
        if (u32(descriptor, 0) === DESCRIPTOR) {
          descriptor = await exact(reader, 4, "in a data descriptor");
        }
        entry.crc = u32(descriptor, 0);
        const sizes = await exact(reader, wide ? 16 : 8, "in a data descriptor");
        const [c, u] = wide ? [u64(sizes, 0), u64(sizes, 8)] : [u32(sizes, 0), u32(sizes, 4)];
        if (trailing) {
          if (c !== content.consumed()) {
            throw corrupt("a data descriptor that disagrees", name);
          }
          size = u;
        }
      }
      const crc = crc32.digest("binary").reduce((a, b) => a * 256 + b, 0);
      if (produced !== size || crc !== entry.crc) {
        throw corrupt("a size or CRC-32 mismatch", name);
      }
      return null;
    };
    const kind: EntryKind = name.endsWith("/") ? "directory" : "file";
    yield { name, kind, size: trailing ? -1 : size, read };
    while (await read() !== null) { /* skip what the caller did not read */ }
  }
}

interface Content {
  /** Next piece of inflated content (valid until the next call); `null` at the end. */
  read(): Promise<Uint8Array | null>;
  /** Compressed bytes consumed so far. */
  consumed(): number;
}

function stored(reader: ByteReader, length: number, name: string): Content {
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

/** Raw deflate of `length` bytes, or, when `length` is unknown, up to where the stream ends. */
function inflated(reader: ByteReader, length: number | undefined, name: string): Content {
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

async function checkCentral(reader: ByteReader, seen: Seen[]): Promise<void> {
  let index = 0;
  for (let signature = CENTRAL;; index++) {
    if (signature !== CENTRAL) break;
    const fixed = await exact(reader, 42, "in the central directory");
    const flags = u16(fixed, 4);
    const name = decodeName(await exact(reader, u16(fixed, 24), "in the central directory"), flags);
    await exact(reader, u16(fixed, 26) + u16(fixed, 28), "in the central directory");
    const local = seen[index];
    if (!local || local.name !== name || local.crc !== u32(fixed, 12)) {
      throw corrupt("a central directory that disagrees with its entries", name);
    }
    const host = u16(fixed, 0) >> 8;
    const type = (u32(fixed, 34) >>> 16) & 0o170000;
    if (host === 3 && type !== 0 && type !== 0o100000 && type !== 0o040000) {
      throw new ArchiveError({
        reason: "unsafe",
        entry: name,
        detail: `it is a ${
          type === 0o120000 ? "symbolic link" : "device or FIFO"
        }, which is never created`,
      });
    }
    signature = u32(await exact(reader, 4, "in the central directory"), 0);
    if (signature === END || signature === END64 || signature === LOCATOR64) {
      index++;
      break;
    }
  }
  if (index !== seen.length) {
    throw corrupt(`${seen.length} entries but ${index} in its central directory`);
  }
}
