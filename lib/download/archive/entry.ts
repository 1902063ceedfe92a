/**
 * The entry shape both archive parsers (tar and zip) produce, before any
 * policy is applied (names are raw, every kind is reported), and the limits
 * that policy enforces.
 *
 * @module
 */

/** What an archive entry is. Only files and folders are ever written. */
export type EntryKind =
  | "file"
  | "directory"
  | "symlink"
  | "hardlink"
  | "character-device"
  | "block-device"
  | "fifo"
  | "other";

/** One archive entry as a parser reads it. */
export interface RawEntry {
  /** The name as stored in the archive (decoded, not yet checked). */
  name: string;
  /** The entry's kind. */
  kind: EntryKind;
  /** Content size in bytes as announced by the archive; -1 when it only follows the content. */
  size: number;
  /** Next piece of the content (a view valid until the next call); `null` after the last. */
  read(): Promise<Uint8Array | null>;
}

/** Limits that stop a decompression bomb. */
export interface ArchiveLimits {
  /** Largest total size of all entries' contents, in bytes. Default 50 GB (512 MiB in memory). */
  maxBytes: number;
  /** Largest number of entries (folders included). Default 100 000. */
  maxEntries: number;
  /**
   * Largest ratio of unpacked bytes to the archive's size, held once more
   * than 1 GiB is unpacked. Default 200: real results (GeoTIFFs, JSON)
   * unpack to a few times their archive; a zero-filled bomb to about 1000.
   */
  maxRatio?: number;
}

/**
 * The default {@linkcode ArchiveLimits} of downloads to disk: sized for real
 * results (a large order is a few GB in a few hundred files).
 *
 * @example
 * ```ts
 * import { DEFAULT_LIMITS } from "@up42/jobtask";
 * const strict = { ...DEFAULT_LIMITS, maxBytes: 1e9 };
 * if (strict.maxEntries !== 100_000) throw new Error();
 * ```
 */
export const DEFAULT_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxBytes: 50e9,
  maxEntries: 100_000,
  maxRatio: 200,
});

/**
 * The default limits of results read into memory (`readResults`): 512 MiB
 * in all, so a bomb fails long before the process runs out of memory.
 *
 * @example
 * ```ts
 * import { DEFAULT_MEMORY_LIMITS } from "@up42/jobtask";
 * if (DEFAULT_MEMORY_LIMITS.maxBytes !== 512 * 1024 * 1024) throw new Error();
 * ```
 */
export const DEFAULT_MEMORY_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxBytes: 512 * 1024 * 1024,
  maxEntries: 100_000,
  maxRatio: 200,
});
