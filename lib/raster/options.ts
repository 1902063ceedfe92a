/**
 * Checks of render options, shared by renders, plots and maps: band lists
 * and output sizes.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** Largest output side in pixels. */
export const MAX_OUTPUT_SIDE = 20_000;

/**
 * Checks a `bands` option: one or three integers of at least 1.
 *
 * @example
 * ```ts
 * import { checkBands } from "./options.ts";
 * checkBands([4, 3, 2]);
 * ```
 */
export function checkBands(bands: number[]): void {
  if (bands.length !== 1 && bands.length !== 3) {
    throw new ConfigError({
      setting: "bands",
      problem: `bands must list one or three band numbers, got ${bands.length} (${
        bands.join(",")
      })`,
      fix: "e.g. [1, 2, 3] or [1]",
    });
  }
  for (const b of bands) {
    if (!Number.isInteger(b) || b < 1) {
      throw new ConfigError({
        setting: "bands",
        problem: `band ${b} is not a band number`,
        fix: "bands count from 1",
      });
    }
  }
}

/** How big a render is: explicit sizes, a box to fit, a longest side, or the default (longest side ≤ 1024). */
export interface SizeOptions {
  /** Output width; with only one of width/height the aspect ratio is kept. */
  width?: number;
  /** Output height. */
  height?: number;
  /** Largest [width, height] box to fit in, keeping the aspect ratio (used without width/height). */
  fit?: [number, number];
  /** Longest side, keeping the aspect ratio and never enlarging (used without width, height and fit). */
  maxSide?: number;
}

/**
 * The output size for a `w` x `h` raster.
 *
 * @example
 * ```ts
 * import { outputSize } from "./options.ts";
 * if (outputSize(2000, 1000, { width: 500 }).join() !== "500,250") throw new Error();
 * if (outputSize(4000, 2000, {}).join() !== "1024,512") throw new Error();
 * ```
 */
export function outputSize(w: number, h: number, o: SizeOptions): [number, number] {
  for (const [k, v] of [["width", o.width], ["height", o.height]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= MAX_OUTPUT_SIDE)) {
      throw new ConfigError({
        setting: k,
        problem: `${k} ${v} is not a whole number of pixels between 1 and ${MAX_OUTPUT_SIDE}`,
        fix: `pass a ${k} from 1 to ${MAX_OUTPUT_SIDE}`,
      });
    }
  }
  if (o.width && o.height) return [o.width, o.height];
  if (o.width) return [o.width, Math.max(1, Math.round((o.width * h) / w))];
  if (o.height) return [Math.max(1, Math.round((o.height * w) / h)), o.height];
  const scale = o.fit
    ? Math.min(o.fit[0] / w, o.fit[1] / h)
    : Math.min(1, (o.maxSide ?? 1024) / Math.max(w, h));
  return [Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale))];
}
