/**
 * Colour maps for single-band rendering: d3-scale-chromatic's interpolators
 * sampled into 256-entry lookup tables.
 *
 * @module
 */

import * as chromatic from "d3-scale-chromatic";
import { ConfigError } from "../errors.ts";

const interpolators = new Map<string, (t: number) => string>();
for (const [key, value] of Object.entries(chromatic)) {
  if (key.startsWith("interpolate") && typeof value === "function") {
    interpolators.set(
      key.slice("interpolate".length).toLowerCase(),
      value as (t: number) => string,
    );
  }
}

/**
 * Every colour map name accepted by {@linkcode colormapLut} (each also with an
 * `_r` suffix for the reversed map).
 *
 * @example
 * ```ts
 * import { colormapNames } from "@up42/jobtask/raster";
 * if (!colormapNames().includes("viridis")) throw new Error();
 * ```
 */
export function colormapNames(): string[] {
  return ["gray", ...[...interpolators.keys()].sort()];
}

function parseColor(css: string): [number, number, number] {
  if (css.startsWith("#")) {
    const n = parseInt(css.slice(1, 7), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const m = css.match(/-?[\d.]+/g) ?? ["0", "0", "0"];
  return [0, 1, 2].map((i) => Math.max(0, Math.min(255, Math.round(Number(m[i]))))) as [
    number,
    number,
    number,
  ];
}

const cache = new Map<string, Uint8Array>();

/**
 * A 256 x RGB lookup table (768 bytes) for a colour map name such as `gray`
 * (default), `viridis`, `magma`, `inferno`, `plasma`, `cividis`, `turbo`,
 * `spectral`, `rdylgn`... (case-insensitive; `_r` reverses).
 *
 * @example
 * ```ts
 * import { colormapLut } from "./colormap.ts";
 * if (colormapLut("viridis").length !== 768) throw new Error();
 * ```
 */
export function colormapLut(name = "gray"): Uint8Array {
  const key = name.toLowerCase().replace(/[-\s]/g, "");
  const hit = cache.get(key);
  if (hit) return hit;
  const reversed = key.endsWith("_r");
  const base = reversed ? key.slice(0, -2) : key;
  const lut = new Uint8Array(768);
  const f = base === "gray" || base === "grey" ? undefined : interpolators.get(base);
  if (!f && base !== "gray" && base !== "grey") {
    throw new ConfigError({
      setting: "cmap",
      problem: `unknown colour map "${name}"`,
      fix: `use one of ${colormapNames().join(", ")}`,
    });
  }
  for (let i = 0; i < 256; i++) {
    const t = (reversed ? 255 - i : i) / 255;
    const [r, g, b] = f ? parseColor(f(t)) : [t * 255, t * 255, t * 255].map(Math.round);
    lut.set([r, g, b], i * 3);
  }
  cache.set(key, lut);
  return lut;
}
