/**
 * The end of a streamed zip: its central directory and end records, checked
 * against the entries that were streamed before them. unzip trusts the
 * central directory and a forward reader trusts the local headers; an
 * archive on which the two disagree (another name, size, CRC-32, method or
 * offset; an entry listed twice or not at all; counts, sizes or offsets in
 * the end records that do not add up) is refused, so no reader can be made
 * to see other contents than this one does.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";
import type { ByteReader } from "./byte_reader.ts";
import { corrupt, entryName, exact, u16, u32, u64, unsupported, withZip64 } from "./zip_records.ts";

/** Signature of a central directory entry. */
export const CENTRAL = 0x02014b50;
/** Signature of the end of central directory record. */
export const END = 0x06054b50;
/** Signature of the Zip64 end of central directory record. */
export const END64 = 0x06064b50;
/** Signature of the Zip64 end of central directory locator. */
export const LOCATOR64 = 0x07064b50;
const SIGNATURE = 0x05054b50;
const MAX_END64_EXTRA = 1 << 16;

/** What was streamed of one entry, for the central directory check. */
export interface StreamedEntry {
  /** Offset of its local header from the start of the stream. */
  offset: number;
  /** Name as decoded. */
  name: string;
  /** CRC-32 of its content. */
  crc: number;
  /** Compressed bytes. */
  compressed: number;
  /** Content bytes. */
  size: number;
  /** Compression method. */
  method: number;
}

/**
 * Reads the central directory (its first signature, `signature`, already
 * read at stream offset `start`) and the end records, and checks them
 * against `streamed`. `stub` is the length of a leading self-extractor
 * stub: offsets may count from the start of the file or, as an unadjusted
 * self-extracting archive has them, from the end of the stub.
 *
 * @example
 * ```ts
 * import { checkCentral, END } from "./zip_central.ts";
 * import { byteReader } from "./byte_reader.ts";
 * const empty = new Uint8Array(22); // an empty zip: only its end record
 * new DataView(empty.buffer).setUint32(0, END, true);
 * const reader = byteReader(new Blob([empty]).stream());
 * await reader.readExact(4); // the signature, which tells what comes
 * await checkCentral(reader, END, 0, [], 0);
 * ```
 */
export async function checkCentral(
  reader: ByteReader,
  signature: number,
  start: number,
  streamed: StreamedEntry[],
  stub: number,
): Promise<void> {
  const byOffset = new Map(streamed.map((entry) => [entry.offset, entry]));
  const listed = new Set<StreamedEntry>();
  // Offsets count from the start of the stream, or, in a self-extracting archive whose
  // offsets were not adjusted, from the end of its stub: the first offset decides which.
  let shift: number | undefined;
  const shifts = () => shift === undefined ? [0, stub] : [shift];
  const locate = (offset: number, found: (at: number) => boolean): number | undefined => {
    const c = shifts().find((c) => found(offset + c));
    if (c === undefined) return undefined;
    shift = c;
    return offset + c;
  };
  const pointsAt = (offset: number, at: number) => locate(offset, (o) => o === at) !== undefined;
  let count = 0;
  for (; signature === CENTRAL; count++) {
    const fixed = await exact(reader, 42, "in the central directory");
    const flags = u16(fixed, 4);
    const nameBytes = await exact(reader, u16(fixed, 24), "in the central directory");
    const extra = await exact(reader, u16(fixed, 26), "in the central directory");
    await exact(reader, u16(fixed, 28), "in the central directory");
    const name = entryName(nameBytes, extra, flags);
    const fields = withZip64(
      extra,
      {
        size: u32(fixed, 20),
        compressed: u32(fixed, 16),
        offset: u32(fixed, 38),
      },
      name,
      false,
    );
    if (u16(fixed, 30) !== 0 && u16(fixed, 30) !== 0xffff) {
      throw unsupported(name, "it is part of a multi-disk archive");
    }
    const at = locate(fields.offset!, (o) => byOffset.has(o));
    const local = at === undefined ? undefined : byOffset.get(at);
    if (!local || listed.has(local)) {
      throw corrupt(
        `a central directory that lists an entry ${local ? "twice" : "not streamed"}`,
        name,
      );
    }
    listed.add(local);
    if (
      local.name !== name || local.crc !== u32(fixed, 12) || local.method !== u16(fixed, 6) ||
      local.size !== fields.size || local.compressed !== fields.compressed
    ) {
      throw corrupt("a central directory that disagrees with its entries", name);
    }
    refuseSpecial(u16(fixed, 0) >> 8, u32(fixed, 34), name);
    signature = u32(await exact(reader, 4, "in the central directory"), 0);
  }
  const size = reader.offset - 4 - start;
  if (count !== streamed.length) {
    throw corrupt(`${streamed.length} entries but ${count} in its central directory`);
  }
  if (signature === SIGNATURE) {
    await exact(reader, u16(await exact(reader, 2, "in a signature"), 0), "in a signature");
    signature = u32(await exact(reader, 4, "after the central directory"), 0);
  }
  let zip64: { count: number; size: number; offset: number } | undefined;
  if (signature === END64) {
    const at = reader.offset - 4;
    const record = await exact(reader, 52, "in the zip64 end record");
    const extra = u64(record, 0) - 44;
    if (extra < 0 || extra > MAX_END64_EXTRA) throw corrupt("a malformed zip64 end record");
    await exact(reader, extra, "in the zip64 end record");
    if (u32(record, 12) !== 0 || u32(record, 16) !== 0) {
      throw unsupported("(archive)", "a multi-disk archive");
    }
    zip64 = { count: u64(record, 28), size: u64(record, 36), offset: u64(record, 44) };
    const locator = await exact(reader, 20, "in the zip64 end locator");
    if (u32(locator, 0) !== LOCATOR64 || !pointsAt(u64(locator, 8), at)) {
      throw corrupt("a zip64 end locator that does not point at its record");
    }
    signature = u32(await exact(reader, 4, "after the zip64 end locator"), 0);
  }
  if (signature !== END) {
    throw corrupt(`an unexpected record 0x${signature.toString(16)} after the central directory`);
  }
  const end = await exact(reader, 18, "in the end record");
  const pick = (value: number, wide: number | undefined, max: number) =>
    value === max && wide !== undefined ? wide : value;
  const total = pick(u16(end, 6), zip64?.count, 0xffff);
  const onDisk = pick(u16(end, 4), zip64?.count, 0xffff);
  const cdSize = pick(u32(end, 8), zip64?.size, 0xffffffff);
  const cdOffset = pick(u32(end, 12), zip64?.offset, 0xffffffff);
  if ((u16(end, 0) !== 0 && u16(end, 0) !== 0xffff) || (zip64 && zip64.count !== count)) {
    throw corrupt("end records that disagree");
  }
  if (total !== count || onDisk !== count) {
    throw corrupt(`${total} entries in its end record but ${count} in its central directory`);
  }
  if (cdSize !== size || (zip64 && zip64.size !== size)) {
    throw corrupt("a central directory size that disagrees with its end record");
  }
  if (!pointsAt(cdOffset, start) || (zip64 && !pointsAt(zip64.offset, start))) {
    throw corrupt("a central directory offset that disagrees with its end record");
  }
  await exact(reader, u16(end, 16), "in the archive comment");
}

/** Refuses an entry whose Unix mode makes it a link or a device. */
function refuseSpecial(host: number, attributes: number, name: string): void {
  const type = (attributes >>> 16) & 0o170000;
  if (host !== 3 || type === 0 || type === 0o100000 || type === 0o040000) return;
  throw new ArchiveError({
    reason: "unsafe",
    entry: name,
    detail: `it is a ${
      type === 0o120000 ? "symbolic link" : "device or FIFO"
    }, which is never created`,
  });
}
