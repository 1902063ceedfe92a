/**
 * A streaming tar reader that extracts what GNU tar 1.34 extracts, the way
 * it does: ustar, pax (local and global headers), GNU long names, GNU and
 * old GNU headers (whose times sit where ustar keeps its name prefix), star
 * and v7 headers, old-style folders (a name ending in `/` with a regular
 * file's type), GNU dump folders, and sparse files in every GNU format,
 * expanded with their holes. Headers are checked (checksum, numbers, pax
 * records, sparse maps); contents are handed out as views of the incoming
 * chunks. It reports every entry kind; deciding what may be written is the
 * caller's job.
 *
 * It is written here rather than taken from npm (modern-tar, tar-stream)
 * because the download keeps one reused inflate buffer and hands out views
 * of it (the memory bound depends on that), because none of them expands
 * GNU sparse files (they hand out the raw map and data as the file), and
 * because the end of an archive needs the download's verification: see
 * {@linkcode TarOptions.endMarker}.
 *
 * @module
 */
import type { ByteReader } from "./byte_reader.ts";
import type { EntryKind, RawEntry } from "./entry.ts";
import {
  BLOCK,
  corrupt,
  cString,
  decodeName,
  parseHeader,
  parsePax,
  paxNumber,
  truncated,
  unsupported,
} from "./tar_header.ts";
import { checkMap, expandSparse, oldGnuMap, paxSparse, readMap10 } from "./tar_sparse.ts";

// Extended headers only carry names and a few numbers; anything larger is hostile.
const MAX_META_BYTES = 1 << 20;
const PIECE = 1 << 20;

const KINDS: Record<string, EntryKind> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "S": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "character-device",
  "4": "block-device",
  "5": "directory",
  "D": "directory",
  "6": "fifo",
};

/** Options of {@linkcode readTar}. */
export interface TarOptions {
  /**
   * Whether the archive must end with its end-of-archive block. `required`
   * (the default) makes an archive that stops after a complete entry
   * without it `truncated`; `optional` accepts it, as GNU tar does: for a
   * download whose length or hash was verified, where a missing marker is
   * how the archive was made, not a lost tail.
   */
  endMarker?: "required" | "optional";
}

/**
 * Reads the tar archive in `reader` entry by entry. Each entry's content must
 * be read (or is skipped) before the next entry is produced. Returns after
 * the end-of-archive block (one zero block ends it, as in GNU tar), leaving
 * the rest of the stream unread. A stream that ends inside a header or an
 * entry is `truncated`.
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
export async function* readTar(
  reader: ByteReader,
  options: TarOptions = {},
): AsyncGenerator<RawEntry> {
  let longName: string | undefined;
  let local: [string, string][] = [];
  let global: [string, string][] = [];
  for (;;) {
    const at = reader.offset;
    // Views are only valid until the next read: keep a copy of the header.
    const block = (await reader.readExact(BLOCK)).slice();
    if (block.length === 0 && options.endMarker === "optional") return;
    if (block.length < BLOCK) {
      throw truncated(block.length ? "inside a header" : "before the end-of-archive block");
    }
    if (block.every((b) => b === 0)) return;
    const header = parseHeader(block, at);
    // Global records first, then local ones: a later record wins, an empty value deletes.
    const records = [...global, ...local];
    const pax = new Map<string, string>();
    for (const [key, value] of records) value === "" ? pax.delete(key) : pax.set(key, value);
    const size = pax.has("size") ? paxNumber("size", pax.get("size")!) : header.size;
    const { flag } = header;
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      if (header.size > MAX_META_BYTES) {
        throw corrupt(`an extended header of ${header.size} bytes`);
      }
      const data = await readPadded(reader, header.size);
      if (flag === "x") local = [...local, ...parsePax(data)];
      if (flag === "g") global = parsePax(data); // a global header replaces the previous one
      if (flag === "L") longName = decodeName(cString(data));
      continue;
    }
    if (flag === "V") {
      // A volume label names the archive, not a member: GNU tar skips it.
      await skipPadded(reader, size, header.name);
      [local, longName] = [[], undefined];
      continue;
    }
    const sparseName = pax.get("GNU.sparse.name");
    const name = sparseName ?? pax.get("path") ?? longName ?? header.name;
    [local, longName] = [[], undefined];
    if (flag === "M") throw unsupported(name, "a multi-volume continuation");
    let kind = KINDS[flag] ?? "other";
    // An old-style folder: a regular file's type and a name ending in "/".
    if ((flag === "0" || flag === "\0" || flag === "7") && name.endsWith("/")) kind = "directory";
    // GNU tar reads no content for links, devices and folders whatever their size says;
    // a GNU dump folder's content (its file list) is skipped.
    if (kind !== "file" && kind !== "other") {
      if (flag === "D") await skipPadded(reader, size, name);
      yield { name, kind, size: 0, read: () => Promise.resolve(null) };
      continue;
    }
    const stored = storedContent(reader, size, name);
    const sparse = flag === "S"
      ? { format: "gnu" as const, map: await oldGnuMap(block, reader, name) }
      : kind === "file"
      ? paxSparse(records, name)
      : undefined;
    let read = stored.read;
    let entrySize = size;
    if (sparse) {
      const { map } = sparse.format === "1.0"
        ? await readMap10(reader, size, sparse.realSize, name).then(({ map, bytes }) => {
          stored.consumed(bytes);
          return { map };
        })
        : sparse;
      checkMap(map, stored.left(), name);
      read = expandSparse(map, stored.take);
      entrySize = map.realSize;
      const done = read;
      read = async () => (await done()) ?? (await stored.read(), null);
    }
    yield { name, kind, size: entrySize, read };
    while (await read() !== null) { /* skip what the caller did not read */ }
  }
}

/** The stored bytes of an entry, then its padding. */
function storedContent(reader: ByteReader, size: number, name: string) {
  let remaining = size;
  let padded = false;
  const take = async (max: number): Promise<Uint8Array | null> => {
    if (remaining === 0) return null;
    const piece = await reader.read(Math.min(remaining, max, PIECE));
    if (!piece) throw truncated("in the entry", name);
    remaining -= piece.length;
    return piece;
  };
  return {
    take,
    /** Next piece; `null` once all is read and the padding skipped. */
    async read(): Promise<Uint8Array | null> {
      const piece = await take(PIECE);
      if (piece) return piece;
      if (!padded) {
        padded = true;
        const pad = (BLOCK - (size % BLOCK)) % BLOCK;
        if (await reader.skip(pad) < pad) throw truncated("in the entry", name);
      }
      return null;
    },
    /** Counts `n` bytes read directly from the reader (a sparse map). */
    consumed(n: number) {
      remaining -= n;
    },
    left: () => remaining,
  };
}

async function readPadded(reader: ByteReader, size: number): Promise<Uint8Array> {
  const data = (await reader.readExact(size)).slice();
  const pad = (BLOCK - (size % BLOCK)) % BLOCK;
  if (data.length < size || await reader.skip(pad) < pad) throw truncated("in an extended header");
  return data;
}

async function skipPadded(reader: ByteReader, size: number, name: string): Promise<void> {
  const padded = Math.ceil(size / BLOCK) * BLOCK;
  if (await reader.skip(padded) < padded) throw truncated("in the entry", name);
}
