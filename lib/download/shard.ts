/**
 * Sharding a job over machines with no coordinator: every process asks
 * for share `index` of `count`, and a jobtask belongs to the share its id
 * hashes to. The hash depends on the id alone, so each process decides on
 * its own, in any order of the jobtask list, and the shares never overlap
 * and always add up to the whole job — even if two processes saw the list
 * at different moments. The price of needing no coordinator is balance:
 * shares are even on average, not exactly (4 jobtasks over 3 shards may
 * well split 2/2/0), so use shards for jobs with many more jobtasks than
 * machines.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** Share `index` (0-based) of `count` shares of a job's jobtasks. */
export interface Shard {
  /** This share, from 0 to `count - 1` (a Kubernetes `JOB_COMPLETION_INDEX`). */
  index: number;
  /** How many shares the job is split into. */
  count: number;
}

/**
 * The share (0 to `count - 1`) jobtask `id` belongs to: FNV-1a over its
 * UTF-8 bytes, mixed with MurmurHash3's finaliser, modulo `count`.
 *
 * @example
 * ```ts
 * import { shardOf } from "@up42/jobtask";
 * const share = shardOf("9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", 3);
 * if (share !== shardOf("9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f", 3) || share < 0 || share > 2) throw new Error();
 * ```
 */
export function shardOf(id: string, count: number): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(id)) h = Math.imul(h ^ byte, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % count;
}

/**
 * Checks a shard: whole numbers with `0 <= index < count`.
 *
 * @example
 * ```ts
 * import { checkShard } from "./shard.ts";
 * checkShard({ index: 2, count: 3 });
 * ```
 */
export function checkShard(shard: Shard): Shard {
  const { index, count } = shard;
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(index) || index < 0) {
    throw new ConfigError({
      setting: "shard",
      problem: `shard ${index}/${count} is not a share of whole numbers`,
      fix: "pass index/count with 0 <= index < count, e.g. 0/3, 1/3 and 2/3",
    });
  }
  if (index >= count) {
    throw new ConfigError({
      setting: "shard",
      problem: `shard index ${index} is out of range for ${count} shards`,
      fix: `shard indices run from 0 to ${count - 1}`,
    });
  }
  return shard;
}

/**
 * Parses `I/N` (as `--shard` takes it) into a checked {@linkcode Shard}.
 *
 * @example
 * ```ts
 * import { parseShard } from "./shard.ts";
 * const shard = parseShard("1/3");
 * if (shard.index !== 1 || shard.count !== 3) throw new Error();
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) {
    throw new ConfigError({
      setting: "shard",
      problem: `shard ${JSON.stringify(text.slice(0, 40))} is not I/N`,
      fix: "pass index/count with 0 <= index < count, e.g. 0/3, 1/3 and 2/3",
    });
  }
  return checkShard({ index: Number(m[1]), count: Number(m[2]) });
}
