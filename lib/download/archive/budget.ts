/**
 * The bytes an archive unpacks to, held against its limits as they are
 * announced and as they come: the total (`maxBytes`), the ratio to the
 * archive's own size (`maxRatio`, what gives a decompression bomb away long
 * before a total limit sized for real results does), and the space the
 * disk has for them.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";
import type { ArchiveLimits } from "./entry.ts";

/** Below this many bytes unpacked the ratio is not held against the archive. */
export const RATIO_FLOOR = 1024 ** 3;

/** What {@linkcode unpackBudget} holds the bytes against besides the limits. */
export interface BudgetOptions {
  /** The archive's size, when announced; else the ratio uses the bytes received so far. */
  archiveBytes?: number;
  /** Bytes the disk has room for, and the error when more are needed. */
  disk?: { bytes: number; refuse: (needed: number) => Error };
}

/** Counts unpacked bytes; each method throws when a limit is passed. */
export interface UnpackBudget {
  /** An entry announced `n` bytes before its content. */
  announce(n: number): void;
  /** `n` bytes were handed out; `announced` when they were counted by {@linkcode UnpackBudget.announce}. */
  produce(n: number, announced: boolean): void;
  /**
   * The archive declares `n` bytes in all (a zip's central directory, read
   * ahead): held against the limits as if announced, but not counted, since
   * its entries announce their sizes again as they come.
   */
  checkDeclared(n: number): void;
}

/**
 * A budget for the bytes unpacked from an archive of which `received()`
 * bytes have arrived so far.
 *
 * @example
 * ```ts
 * import { unpackBudget } from "./budget.ts";
 * import { ArchiveError } from "@up42/jobtask";
 * const budget = unpackBudget({ maxBytes: 100, maxEntries: 10, maxRatio: 200 }, {}, () => 0);
 * budget.checkDeclared(100); // within the limit, and not counted
 * budget.announce(60);
 * try {
 *   budget.announce(60);
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof ArchiveError) || e.limit !== "maxBytes") throw e;
 * }
 * ```
 */
export function unpackBudget(
  limits: ArchiveLimits,
  options: BudgetOptions,
  received: () => number,
): UnpackBudget {
  let total = 0; // announced sizes, plus unannounced bytes as they come
  let produced = 0;
  const ratio = limits.maxRatio ?? Infinity;
  const checkTotal = (bytes = total) => {
    if (bytes > limits.maxBytes) {
      throw overLimit(`more than ${limits.maxBytes} bytes unpacked`, "maxBytes");
    }
    if (options.disk && bytes > options.disk.bytes) throw options.disk.refuse(bytes);
  };
  const checkRatio = (bytes: number) => {
    const base = options.archiveBytes ?? received();
    if (bytes > RATIO_FLOOR && bytes > ratio * base) {
      throw overLimit(
        `more than ${ratio} times the archive's ${base} bytes unpacked (${bytes} bytes)`,
        "maxRatio",
      );
    }
  };
  return {
    announce(n) {
      total += n;
      checkTotal();
      // Announced sizes are held against the ratio only when the archive's size is known.
      if (options.archiveBytes !== undefined) checkRatio(total);
    },
    produce(n, announced) {
      if (!announced) {
        total += n;
        checkTotal();
      }
      checkRatio(produced += n);
    },
    checkDeclared(n) {
      checkTotal(n);
      if (options.archiveBytes !== undefined) checkRatio(n);
    },
  };
}

/**
 * The error for an archive past one of its limits (`limit` names the setting).
 *
 * @example
 * ```ts
 * import { overLimit } from "./budget.ts";
 * if (overLimit("more than 10 entries", "maxEntries").limit !== "maxEntries") throw new Error();
 * ```
 */
export function overLimit(detail: string, limit: string): ArchiveError {
  return new ArchiveError({ reason: "limit", detail, limit });
}
