/**
 * A streaming tar parser (ustar, POSIX pax and GNU long names): headers are
 * checked (checksum, numeric fields), contents are handed out as views of the
 * incoming chunks, and an archive that ends early is an error. It reports
 * every entry kind; deciding what may be written is the caller's job.
 * It is written here rather than taken from npm:modern-tar because the
 * download keeps one reused inflate buffer and hands out views of it (the
 * memory bound depends on that), and because a missing end marker must count
 * as a truncated archive.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";
import type { ByteReader } from "./byte_reader.ts";
import type { EntryKind, RawEntry } from "./entry.ts";

const BLOCK = 512;
// Extended headers only carry names and a few numbers; anything larger is hostile.
const MAX_META_BYTES = 1 << 20;
const PIECE = 1 << 20;

const KINDS: Record<string, EntryKind> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "character-device",
  "4": "block-device",
  "5": "directory",
  "6": "fifo",
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * Reads the tar archive in `reader` entry by entry. Each entry's content must
 * be read (or is skipped) before the next entry is produced. Returns after
 * the end-of-archive marker, leaving the rest of the stream unread.
 *
 * @example
 * ```ts
 * import { packTar } from "modern-tar";
 * import { byteReader } from "./byte_reader.ts";
 * import { readTar } from "./tar.ts";
 * const tar = await packTar([{ header: { name: "a.txt", size: 2, type: "file" }, body: "hi" }]);
 * for await (const entry of readTar(byteReader(new Blob([tar]).stream()))) {
 *   if (entry.name !== "a.txt" || entry.kind !== "file" || entry.size !== 2) throw new Error();
 * }
 * ```
 */
export async function* readTar(reader: ByteReader): AsyncGenerator<RawEntry> {
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    // Views are only valid until the next read: keep a copy of the header.
    const header = (await reader.readExact(BLOCK)).slice();
    if (header.length < BLOCK) throw truncated("before the end-of-archive marker");
    if (header.every((b) => b === 0)) return;
    checkChecksum(header, reader.offset - BLOCK);
    const flag = String.fromCharCode(header[156]);
    const size = pax.size !== undefined ? paxNumber(pax.size) : numberField(header, 124, 12);
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      if (size > MAX_META_BYTES) throw corrupt(`an extended header of ${size} bytes`);
      const data = await readPadded(reader, size);
      if (flag === "x") pax = { ...pax, ...parsePax(data) };
      if (flag === "L") longName = decodeName(cString(data));
      continue;
    }
    const name = pax.path ?? longName ?? headerName(header);
    longName = undefined;
    pax = {};
    const kind = KINDS[flag] ?? "other";
    // Links, devices and folders carry no content, whatever their size field says.
    const contentSize = kind === "file" || kind === "other" ? size : 0;
    let remaining = contentSize;
    let padded = false;
    const read = async (): Promise<Uint8Array | null> => {
      if (remaining === 0) {
        if (!padded) {
          padded = true;
          const pad = (BLOCK - (contentSize % BLOCK)) % BLOCK;
          if (await reader.skip(pad) < pad) throw truncated("in the entry", name);
        }
        return null;
      }
      const piece = await reader.read(Math.min(remaining, PIECE));
      if (!piece) throw truncated("in the entry", name);
      remaining -= piece.length;
      return piece;
    };
    yield { name, kind, size: contentSize, read };
    while (await read() !== null) { /* skip what the caller did not read */ }
  }
}

async function readPadded(reader: ByteReader, size: number): Promise<Uint8Array> {
  const data = (await reader.readExact(size)).slice();
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (data.length < size || await reader.skip(pad) < pad) throw truncated("in an extended header");
  return data;
}

function headerName(header: Uint8Array): string {
  const name = nameField(header.subarray(0, 100));
  const magic = latin1.decode(header.subarray(257, 262));
  const prefix = magic === "ustar" ? nameField(header.subarray(345, 500)) : new Uint8Array(0);
  return decodeName(prefix.length ? new Uint8Array([...prefix, 0x2f, ...name]) : name);
}

/** The bytes before the first NUL. */
function cString(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end < 0 ? bytes : bytes.subarray(0, end);
}

/**
 * A name field without its trailing NULs: a NUL inside the name is kept, so
 * the one name check (`safeEntryPath`) refuses it.
 */
function nameField(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

function decodeName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const length = Number(latin1.decode(data.subarray(i, space)));
    if (space < 0 || !Number.isInteger(length) || length <= space - i || i + length > data.length) {
      throw corrupt("a malformed pax extended header");
    }
    const record = decodeName(data.subarray(space + 1, i + length - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += length;
  }
  return out;
}

function paxNumber(value: string): number {
  if (!/^\d{1,16}$/.test(value)) throw corrupt(`a pax size ${JSON.stringify(value.slice(0, 20))}`);
  return Number(value);
}

function numberField(header: Uint8Array, start: number, length: number): number {
  const field = header.subarray(start, start + length);
  if (field[0] & 0x80) {
    // GNU base-256: big-endian, top bit set; negative or > 2^53 sizes are refused.
    if (field[0] !== 0x80) throw corrupt("a negative or huge base-256 number");
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    if (!Number.isSafeInteger(value)) throw corrupt("a huge base-256 number");
    return value;
  }
  const text = latin1.decode(field).replace(/[\0 ]+$/, "").replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw corrupt(`a non-octal number ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checkChecksum(header: Uint8Array, at: number): void {
  const stored = numberField(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) {
    throw corrupt(`a header checksum mismatch at byte ${at}`);
  }
}

function truncated(where: string, entry?: string): ArchiveError {
  return new ArchiveError({ reason: "truncated", entry, detail: `the tar data ends ${where}` });
}

function corrupt(what: string): ArchiveError {
  return new ArchiveError({ reason: "corrupt", detail: `the tar data has ${what}` });
}
