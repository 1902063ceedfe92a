/**
 * Decoding budgets. A GeoTIFF is a set of pointers and sizes that the file
 * itself declares, and a hostile or broken one can declare anything: a
 * directory chain that loops, a terabyte image, a 200-byte tile that
 * inflates to gigabytes. Every size is checked against these limits before
 * anything is allocated or decoded, and each render has a wall-clock budget.
 *
 * @module
 */
import { ConfigError, RasterError } from "../errors.ts";

/** What one render may cost; plain data, pass a partial object to change some. */
export interface RasterLimits {
  /** Most image directories (full image, overviews, masks) read from one file. Default 256. */
  maxIfds: number;
  /** Most pixels (width x height) one image of the file may declare. Default 2^32 (65536²). */
  maxPixels: number;
  /** Most bytes one decoded tile or strip may take. Default 64 MiB. */
  maxBlockBytes: number;
  /** Most bytes decoded in one render, all tiles and strips together. Default 4 GiB. */
  maxDecodedBytes: number;
  /** Wall-clock budget of one render in milliseconds. Default 120000. */
  timeoutMs: number;
}

/**
 * The defaults: generous for real satellite products (a 100 000² mosaic's
 * sampled tiles, a 10 980² Sentinel-2 band without overviews), small
 * enough that no file can make a render hang or take gigabytes.
 *
 * @example
 * ```ts
 * import { DEFAULT_RASTER_LIMITS } from "@up42/jobtask/raster";
 * if (DEFAULT_RASTER_LIMITS.maxIfds !== 256) throw new Error();
 * ```
 */
export const DEFAULT_RASTER_LIMITS: Readonly<RasterLimits> = Object.freeze({
  maxIfds: 256,
  maxPixels: 2 ** 32,
  maxBlockBytes: 64 * 2 ** 20,
  maxDecodedBytes: 4 * 2 ** 30,
  timeoutMs: 120_000,
});

/**
 * The defaults overridden by `given`; each given value must be a positive number.
 *
 * @example
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * if (resolveLimits({ maxIfds: 8 }).maxIfds !== 8) throw new Error();
 * ```
 */
export function resolveLimits(given: Partial<RasterLimits> = {}): RasterLimits {
  const out = { ...DEFAULT_RASTER_LIMITS };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in DEFAULT_RASTER_LIMITS)) {
      throw new ConfigError({
        setting: `limits.${key}`,
        problem: `unknown raster limit "${key}"`,
        fix: `use ${Object.keys(DEFAULT_RASTER_LIMITS).join(", ")}`,
      });
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value > 0)) {
      throw new ConfigError({
        setting: `limits.${key}`,
        problem: `limits.${key} must be a positive number, got ${value}`,
        fix: `pass a positive number (default ${DEFAULT_RASTER_LIMITS[key as keyof RasterLimits]})`,
      });
    }
    out[key as keyof RasterLimits] = value;
  }
  return out;
}

/** A limit was reached: the `RasterError` that says which and how to raise it. */
export function limitError(
  file: string,
  limit: keyof RasterLimits,
  detail: string,
  value: number,
): RasterError {
  return new RasterError({
    file,
    reason: "limit",
    limit,
    detail: `${detail} (limits.${limit} is ${value})`,
    fix: `raise limits.${limit} if the file is genuine`,
  });
}

/**
 * The running account of one render: decoded bytes so far and the deadline.
 *
 * @example
 * ```ts
 * import { Budget, resolveLimits } from "./limits.ts";
 * const budget = new Budget("a.tif", resolveLimits({ maxDecodedBytes: 10 }));
 * budget.spend(8);
 * let hit = false;
 * try { budget.spend(8); } catch { hit = true; }
 * if (!hit) throw new Error();
 * ```
 */
export class Budget {
  /** Bytes decoded so far. */
  decoded = 0;
  /** `performance.now()` after which the render stops. */
  readonly deadline: number;

  /** Starts the clock. */
  constructor(readonly file: string, readonly limits: RasterLimits) {
    this.deadline = performance.now() + limits.timeoutMs;
  }

  /** Accounts for `bytes` about to be decoded; throws before they are. */
  spend(bytes: number): void {
    this.check();
    if (bytes > this.limits.maxBlockBytes) {
      throw limitError(
        this.file,
        "maxBlockBytes",
        `a tile or strip decodes to ${bytes} bytes`,
        this.limits.maxBlockBytes,
      );
    }
    this.decoded += bytes;
    if (this.decoded > this.limits.maxDecodedBytes) {
      throw limitError(
        this.file,
        "maxDecodedBytes",
        `the render needs more than ${this.limits.maxDecodedBytes} decoded bytes`,
        this.limits.maxDecodedBytes,
      );
    }
  }

  /** Throws once the wall-clock budget is spent. */
  check(): void {
    if (performance.now() > this.deadline) throw this.timeout();
  }

  /** The error of a spent wall-clock budget. */
  timeout(): RasterError {
    return limitError(
      this.file,
      "timeoutMs",
      `rendering took longer than ${this.limits.timeoutMs} ms`,
      this.limits.timeoutMs,
    );
  }
}
