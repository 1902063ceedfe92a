/**
 * A deterministic stand-in for a rendered result: a "stretched satellite
 * scene" RGBA image (smooth land-cover fields through a false-colour ramp,
 * sensor noise, a river, a transparent nodata area outside a tilted
 * footprint), as a quicklook or a map overlay has.
 *
 * @module
 */
import type { RgbaImage } from "../../lib/image/rgba.ts";
import { median } from "./measure.ts";

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function valueNoise(width: number, height: number, cell: number, next: () => number): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const grid = new Float32Array(gw * (Math.ceil(height / cell) + 2)).map(() => next());
  const out = new Float32Array(width * height);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y / cell), sy = smooth(y / cell - y0);
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x / cell), sx = smooth(x / cell - x0);
      const a = grid[y0 * gw + x0], b = grid[y0 * gw + x0 + 1];
      const c = grid[(y0 + 1) * gw + x0], d = grid[(y0 + 1) * gw + x0 + 1];
      out[y * width + x] = (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy;
    }
  }
  return out;
}

/** The scene at `width` × `height`; the same seed gives the same pixels. */
export function satelliteImage(width: number, height: number, seed = 42): RgbaImage {
  const next = random(seed);
  const scale = width / 2048;
  const octaves = [400, 150, 50, 15].map((c) =>
    valueNoise(width, height, Math.max(2, c * scale), next)
  );
  const moisture = valueNoise(width, height, Math.max(2, 300 * scale), next);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const cx = width / 2, cy = height / 2, cos = Math.cos(0.2), sin = Math.sin(0.2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const u = (x - cx) * cos + (y - cy) * sin, v = -(x - cx) * sin + (y - cy) * cos;
      if (Math.abs(u) > width * 0.42 || Math.abs(v) > height * 0.4) continue; // nodata
      const h = octaves[0][i] * 0.5 + octaves[1][i] * 0.25 + octaves[2][i] * 0.15 +
        octaves[3][i] * 0.1;
      const m = moisture[i];
      const river = Math.abs(y - height * (0.5 + 0.15 * Math.sin(x / (180 * scale)))) < 6 * scale;
      const [r, g, b] = river || h < 0.32
        ? [30 + 40 * h, 60 + 60 * h, 90 + 80 * h] // water
        : m > 0.55
        ? [40 + 80 * h, 90 + 120 * h * m, 40 + 50 * h] // vegetation
        : [120 + 110 * h, 100 + 90 * h, 70 + 70 * h]; // soil, built-up
      rgba[i * 4] = r + (next() - 0.5) * 14;
      rgba[i * 4 + 1] = g + (next() - 0.5) * 14;
      rgba[i * 4 + 2] = b + (next() - 0.5) * 14;
      rgba[i * 4 + 3] = 255;
    }
  }
  return { width, height, rgba };
}

/**
 * Median wall time in ms of each of `fns` in this process, called in turn
 * round by round (so that the machine's load falls on each alike) after one
 * warm-up call each; `runs` rounds, or fewer for a function given with its
 * own limit.
 */
export async function timeInTurn(
  fns: Record<string, () => unknown>,
  runs: number,
  limits: Record<string, number> = {},
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(fns)) {
    await fn();
    times[name] = [];
  }
  for (let round = 0; round < runs; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      if (round >= (limits[name] ?? runs)) continue;
      const start = performance.now();
      await fn();
      times[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
}
