/**
 * Contrast stretches: map band values to 0–255 for display. Statistics are
 * taken over valid (non-NaN) values of the decimated bands, like GDAL's
 * approximate statistics.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";

/**
 * How band values map to 0–255.
 * - `"auto"` (default): uint8 data as-is, 1–7 bit data over its whole range, anything else a
 *   2–98 percentile cut per band;
 * - `"minmax"`: each band's valid minimum to maximum;
 * - `"none"`: values as-is, clamped to 0–255;
 * - `{ percentile: [lo, hi] }`: a percentile cut per band;
 * - `{ min, max }`: explicit limits, one number for all bands or one per band.
 */
export type Stretch =
  | "auto"
  | "minmax"
  | "none"
  | { percentile: [number, number] }
  | { min: number | number[]; max: number | number[] };

/**
 * The values integer samples of at most 16 bits can take, as
 * `[lowest, count]`; undefined for other types (floats, wider integers).
 *
 * @example
 * ```ts
 * import { integerRange } from "./stretch.ts";
 * if (integerRange("int16")?.join() !== "-32768,65536" || integerRange("float32") !== undefined) throw new Error();
 * ```
 */
export function integerRange(dtype: string): [number, number] | undefined {
  const m = /^(u?)int(\d+)$/.exec(dtype);
  if (!m || Number(m[2]) > 16) return undefined;
  const size = 2 ** Number(m[2]);
  return [m[1] ? 0 : -size / 2, size];
}

/**
 * The value at percentile `p` (0–100) of the valid values, nearest rank
 * (index `round(p / 100 * (n - 1))` of the sorted values). Integer data of a
 * range up to 65536 is counted exactly; other data is sorted (at most 262144
 * evenly spaced values, so huge outputs stay fast). With `range` (from
 * {@linkcode integerRange}), values are counted in a single pass.
 *
 * @example
 * ```ts
 * import { percentiles } from "./stretch.ts";
 * if (percentiles(new Float32Array([1, 2, 3, 4, 5, NaN]), [0, 50, 100]).join() !== "1,3,5") throw new Error();
 * if (percentiles(new Float32Array([1, 2, 3, 4, 5, NaN]), [0, 50, 100], [0, 256]).join() !== "1,3,5") throw new Error();
 * ```
 */
export function percentiles(
  values: Float32Array | Float64Array | Uint16Array,
  ps: number[],
  range?: [number, number],
): number[] {
  const counted = range ? countValues(values, range[0], range[1]) : undefined;
  if (counted) return ranked(counted.counts, range![0], counted.n, ps);
  let min = Infinity, max = -Infinity, n = 0, integral = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Statistics skip nodata (NaN) and infinities, as GDAL's do.
    if (!(v > -Infinity && v < Infinity)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  if (n === 0) return ps.map(() => NaN);
  if (integral && max - min < 65536) {
    const counts = new Uint32Array(max - min + 1);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v > -Infinity && v < Infinity) counts[v - min]++;
    }
    return ranked(counts, min, n, ps);
  }
  const step = Math.max(1, Math.floor(n / 262144));
  const picked = new Float64Array(Math.ceil(n / step));
  let m = 0, seen = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > -Infinity && v < Infinity)) continue;
    if (seen++ % step === 0) picked[m++] = v;
  }
  const sorted = picked.subarray(0, m).sort();
  return ps.map((p) => sorted[Math.round((Math.min(100, Math.max(0, p)) / 100) * (m - 1))]);
}

/** Counts of each value from `base` on, with the number counted; undefined if one falls outside. */
function countValues(
  values: Float32Array | Float64Array | Uint16Array,
  base: number,
  size: number,
): { counts: Uint32Array; n: number } | undefined {
  const counts = new Uint32Array(size);
  if (values instanceof Uint16Array && base === 0 && size >= 65536) {
    // All valid by construction: no test per value.
    for (let i = 0; i < values.length; i++) counts[values[i]]++;
    return { counts, n: values.length };
  }
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    const k = v - base;
    if (!(k >= 0 && k < size && k === Math.floor(k))) return undefined;
    counts[k]++;
    n++;
  }
  return { counts, n };
}

/** Nearest-rank percentiles of counted values. */
function ranked(counts: Uint32Array, base: number, n: number, ps: number[]): number[] {
  if (n === 0) return ps.map(() => NaN);
  const ranks = ps.map((p) => Math.round((Math.min(100, Math.max(0, p)) / 100) * (n - 1)));
  return ranks.map((r) => {
    let seen = 0;
    for (let k = 0; k < counts.length; k++) {
      seen += counts[k];
      if (seen > r) return base + k;
    }
    return base + counts.length - 1;
  });
}

/**
 * The [low, high] limits a stretch maps to 0 and 255, for band `index`.
 *
 * @example
 * ```ts
 * import { stretchLimits } from "./stretch.ts";
 * if (stretchLimits(new Float32Array([0, 10, 20]), "minmax", "uint16", 0).join() !== "0,20") throw new Error();
 * ```
 */
export function stretchLimits(
  values: Float32Array | Float64Array | Uint16Array,
  stretch: Stretch,
  dtype: string,
  index: number,
): [number, number] {
  if (stretch === "none" || (stretch === "auto" && dtype === "uint8")) return [0, 255];
  // Fewer than 8 bits: the whole range of the type, as GDAL shows NBITS data.
  const nbits = /^uint([1-7])$/.exec(dtype);
  if (stretch === "auto" && nbits) return [0, 2 ** Number(nbits[1]) - 1];
  const range = integerRange(dtype);
  if (stretch === "auto") return percentiles(values, [2, 98], range) as [number, number];
  if (stretch === "minmax") return percentiles(values, [0, 100], range) as [number, number];
  if ("percentile" in stretch) {
    const [lo, hi] = stretch.percentile;
    if (!(lo >= 0 && hi <= 100 && lo < hi)) {
      throw new ConfigError({
        setting: "stretch",
        problem: `invalid percentile stretch [${lo}, ${hi}]`,
        fix: "use 0 <= lo < hi <= 100",
      });
    }
    return percentiles(values, [lo, hi], range) as [number, number];
  }
  const pick = (v: number | number[]) => (Array.isArray(v) ? v[index] ?? v[v.length - 1] : v);
  const lo = pick(stretch.min), hi = pick(stretch.max);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    throw new ConfigError({
      setting: "stretch",
      problem: `invalid stretch limits min ${lo}, max ${hi}`,
      fix: "min must be below max",
    });
  }
  return [lo, hi];
}

/**
 * Maps values to 0–255 between `lo` and `hi` (rounded, clamped); NaN stays
 * NaN-free as 0 (the caller makes such pixels transparent).
 *
 * @example
 * ```ts
 * import { applyStretch } from "./stretch.ts";
 * if (applyStretch(new Float32Array([0, 5, 10, 20]), 0, 10).join() !== "0,128,255,255") throw new Error();
 * ```
 */
export function applyStretch(
  values: Float32Array | Float64Array | Uint16Array,
  lo: number,
  hi: number,
): Uint8Array {
  const out = new Uint8Array(values.length);
  // A constant band (lo == hi) maps to black below/at the value and white above.
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    const s = scale === 0 ? (v > lo ? 255 : 0) : (v - lo) * scale + 0.5;
    out[i] = s <= 0 ? 0 : s >= 255 ? 255 : s;
  }
  return out;
}

/**
 * Parses a CLI stretch: `auto`, `minmax`, `none`, `pLO,HI` (percentiles) or
 * `MIN,MAX` (explicit limits).
 *
 * @example
 * ```ts
 * import { parseStretch } from "@up42/jobtask/raster";
 * const stretch = parseStretch("p2,98");
 * if (typeof stretch !== "object" || !("percentile" in stretch) || stretch.percentile.join() !== "2,98") throw new Error();
 * ```
 */
export function parseStretch(text: string): Stretch {
  if (text === "auto" || text === "minmax" || text === "none") return text;
  const m = /^(p?)(-?[\d.]+(?:e[-+]?\d+)?),(-?[\d.]+(?:e[-+]?\d+)?)$/i.exec(text.trim());
  if (!m) {
    throw new ConfigError({
      setting: "stretch",
      problem: `invalid stretch "${text}"`,
      fix: "use auto, minmax, none, pLO,HI (e.g. p2,98) or MIN,MAX",
    });
  }
  const a = Number(m[2]), b = Number(m[3]);
  return m[1] ? { percentile: [a, b] } : { min: a, max: b };
}
