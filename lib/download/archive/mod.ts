/**
 * The archive stage of a results download: the format told from the bytes
 * (tar, tar.gz or zip), gzip inflated, entries parsed, and the policy that
 * decides what may be written: safe relative names, only files and folders,
 * no two entries on one path, and limits against decompression bombs.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";
import { type BudgetOptions, overLimit, unpackBudget } from "./budget.ts";
import { byteReader } from "./byte_reader.ts";
import type { ArchiveLimits, RawEntry } from "./entry.ts";
import { safeEntryPath, uniquePaths } from "./entry_path.ts";
import { gunzip } from "./inflate.ts";
import { type ArchiveFormat, sniffArchive } from "./sniff.ts";
import { readTar } from "./tar.ts";
import { readZip } from "./zip.ts";
import { loadZlib } from "../../internal/zlib.ts";
import { declaredZipBytes, type ReadRange } from "./zip_declared.ts";

export {
  type ArchiveLimits,
  DEFAULT_LIMITS,
  DEFAULT_MEMORY_LIMITS,
  type EntryKind,
  type RawEntry,
} from "./entry.ts";
export type { ArchiveFormat } from "./sniff.ts";

/** A checked entry of the results: a file or a folder, with a safe relative path. */
export interface CheckedEntry {
  /** Safe relative path, `/`-separated, UP42's leading `output/` removed. */
  path: string;
  /** Only files and folders get this far. */
  kind: "file" | "directory";
  /** Size in bytes (0 for folders, -1 when unknown until the content has been read). */
  size: number;
  /** Next piece of content (a view valid until the next call); `null` after the last. */
  read(): Promise<Uint8Array | null>;
}

/** Options of {@linkcode checkedEntries}. */
export interface CheckOptions {
  /** Cancels the reading (checked between pieces, so within one piece of an entry). */
  signal?: AbortSignal;
  /** Called once the format is known. */
  onFormat?: (format: ArchiveFormat) => void;
  /**
   * Whether a tar must end with its end-of-archive block. Default `required`;
   * `optional` only where the stream's end was verified (its announced length
   * or hash checked), so a missing marker cannot be a lost tail.
   */
  endMarker?: "required" | "optional";
  /** The archive's announced size, for `maxRatio`; else the bytes received so far are used. */
  archiveBytes?: number;
  /** Room on the disk for the unpacked bytes, and the error when more are needed. */
  disk?: BudgetOptions["disk"];
  /**
   * Reads a byte range of the archive (given `archiveBytes`): a zip's
   * central directory is then read first, and what it declares is held
   * against the limits before any entry streams.
   */
  readRange?: ReadRange;
}

/**
 * The checked entries of the archive in `stream`: every name made a safe
 * relative path, links and devices refused, limits enforced (announced
 * sizes fail early; unknown sizes are counted as the bytes come; see
 * `budget.ts`). Bytes
 * after the archive's end are read too (a hash over the whole download
 * covers them) and counted against `maxBytes`. Each entry's content must be
 * read, or is skipped, before the next entry is produced. The stream is
 * cancelled when the iteration ends early or fails.
 *
 * @example
 * ```ts
 * import { checkedEntries, DEFAULT_LIMITS } from "./mod.ts";
 * import { zipSync } from "fflate";
 * const zip = zipSync({ "output/a.txt": new TextEncoder().encode("hi") });
 * const paths = [];
 * for await (const entry of checkedEntries(new Blob([zip]).stream(), DEFAULT_LIMITS)) paths.push(entry.path);
 * if (paths.join() !== "a.txt") throw new Error(paths.join());
 * ```
 */
export async function* checkedEntries(
  stream: ReadableStream<Uint8Array>,
  limits: ArchiveLimits,
  options: CheckOptions = {},
): AsyncGenerator<CheckedEntry> {
  let received = 0;
  // Native inflating and CRC-32 (see internal/zlib.ts), ready before the first byte.
  await loadZlib();
  const { format, stub, stream: sniffed } = await sniffArchive(stream, (n) => received += n);
  options.onFormat?.(format);
  const archive = byteReader(format === "gzip" ? gunzip(sniffed) : sniffed);
  const entries = format === "zip"
    ? readZip(archive, { stub })
    : readTar(archive, { endMarker: options.endMarker });
  const checkPath = uniquePaths();
  let count = 0;
  const budget = unpackBudget(limits, options, () => received);
  try {
    if (format === "zip" && options.readRange && options.archiveBytes !== undefined) {
      const declared = await declaredZipBytes(options.archiveBytes, options.readRange);
      if (declared !== undefined) budget.checkDeclared(declared);
    }
    for await (const entry of entries) {
      options.signal?.throwIfAborted();
      if (++count > limits.maxEntries) {
        throw overLimit(`more than ${limits.maxEntries} entries`, "maxEntries");
      }
      if (entry.kind !== "file" && entry.kind !== "directory") refuseKind(entry);
      const path = safeEntryPath(entry.name);
      if (path === "") {
        if (entry.kind === "directory") continue;
        throw new ArchiveError({
          reason: "unsafe",
          entry: entry.name,
          detail: "a file where the results folder should be",
        });
      }
      checkPath(path, entry.kind as "file" | "directory", entry.name);
      const announced = entry.size >= 0;
      if (entry.size > 0) budget.announce(entry.size);
      const read = async () => {
        // Checked per piece: an abort stops even the middle of a large entry.
        options.signal?.throwIfAborted();
        const piece = await entry.read();
        if (piece) budget.produce(piece.length, announced);
        return piece;
      };
      yield { path, kind: entry.kind as "file" | "directory", size: entry.size, read };
    }
    for (let piece = await archive.read(1 << 20); piece; piece = await archive.read(1 << 20)) {
      options.signal?.throwIfAborted();
      budget.produce(piece.length, false);
    }
  } finally {
    await archive.cancel();
  }
}

function refuseKind(entry: RawEntry): never {
  const what: Record<string, string> = {
    symlink: "a symbolic link",
    hardlink: "a hard link",
    fifo: "a FIFO",
    other: "of an unsupported kind",
  };
  throw new ArchiveError({
    reason: "unsafe",
    entry: entry.name,
    detail: `it is ${what[entry.kind] ?? "a device"}, which is never created`,
  });
}
