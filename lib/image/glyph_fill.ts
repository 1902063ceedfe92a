/**
 * Antialiased fill of vector outlines (font glyphs) into a coverage mask:
 * outlines are flattened to line segments, and each pixel row is sampled on
 * 16 sub-scanlines whose spans (nonzero winding rule) add exact horizontal
 * coverage. That gives smooth glyph edges at title sizes, across the
 * strokes and along them.
 *
 * pureimage, the maintained pure-JavaScript canvas, fills opentype.js paths
 * too, but it samples one row per pixel: the top and
 * bottom edges of strokes come out jagged (an em dash at 48 px has no
 * partially covered pixel across its edges there, two here), and it loads
 * fonts only from a file path, which would need `--allow-read` (see
 * `text.ts`). Nine plot titles take tens of milliseconds here. Measured by
 * `deno task bench handwritten` (`bench/handwritten/text.ts`).
 *
 * @module
 */

/** A path command as produced by opentype.js (`M`, `L`, `Q`, `C`, `Z`). */
export interface PathCommand {
  /** Command type. */
  type: string;
  /** End point. */
  x?: number;
  /** End point. */
  y?: number;
  /** First control point. */
  x1?: number;
  /** First control point. */
  y1?: number;
  /** Second control point (cubic). */
  x2?: number;
  /** Second control point (cubic). */
  y2?: number;
}

/**
 * Flattens path commands into line segments [x0, y0, x1, y1, ...].
 *
 * @example
 * ```ts
 * import { flatten } from "./glyph_fill.ts";
 * const s = flatten([{ type: "M", x: 0, y: 0 }, { type: "L", x: 4, y: 0 }, { type: "Z" }]);
 * if (s.length !== 8) throw new Error("expected the line and the closing line");
 * ```
 */
export function flatten(commands: PathCommand[], steps = 8): number[] {
  const out: number[] = [];
  let sx = 0, sy = 0, cx = 0, cy = 0;
  const line = (x: number, y: number) => {
    out.push(cx, cy, x, y);
    cx = x;
    cy = y;
  };
  for (const c of commands) {
    if (c.type === "M") {
      if (cx !== sx || cy !== sy) line(sx, sy);
      sx = cx = c.x!;
      sy = cy = c.y!;
    } else if (c.type === "L") {
      line(c.x!, c.y!);
    } else if (c.type === "Q") {
      const x0 = cx, y0 = cy;
      for (let i = 1; i <= steps; i++) {
        const t = i / steps, u = 1 - t;
        line(
          u * u * x0 + 2 * u * t * c.x1! + t * t * c.x!,
          u * u * y0 + 2 * u * t * c.y1! + t * t * c.y!,
        );
      }
    } else if (c.type === "C") {
      const x0 = cx, y0 = cy;
      for (let i = 1; i <= steps; i++) {
        const t = i / steps, u = 1 - t;
        const a = u * u * u, b = 3 * u * u * t, d = 3 * u * t * t, e = t * t * t;
        line(
          a * x0 + b * c.x1! + d * c.x2! + e * c.x!,
          a * y0 + b * c.y1! + d * c.y2! + e * c.y!,
        );
      }
    } else if (c.type === "Z") {
      if (cx !== sx || cy !== sy) line(sx, sy);
    }
  }
  if (cx !== sx || cy !== sy) line(sx, sy);
  return out;
}

const SUB = 16;

/**
 * Coverage (0–1) of the filled segments on a `width` x `height` grid, with
 * the nonzero winding rule.
 *
 * @example
 * ```ts
 * import { fillCoverage } from "./glyph_fill.ts";
 * // A 2x2 square from (1, 1) to (3, 3), drawn clockwise.
 * const square = [1, 1, 3, 1, 3, 1, 3, 3, 3, 3, 1, 3, 1, 3, 1, 1];
 * const cov = fillCoverage(square, 4, 4);
 * if (cov[1 * 4 + 1] !== 1 || cov[0] !== 0) throw new Error();
 * ```
 */
export function fillCoverage(segments: number[], width: number, height: number): Float32Array {
  const cov = new Float32Array(width * height);
  const lines = height * SUB, n = segments.length >> 2;
  // Each segment is put on the sub-scanlines it crosses (a few each), not tested against all of
  // them: a title's thousands of segments times hundreds of sub-scanlines cost 200 ms otherwise.
  const first = new Int32Array(n), last = new Int32Array(n);
  const starts = new Int32Array(lines + 1);
  for (let s = 0; s < n; s++) {
    const y0 = segments[4 * s + 1], y1 = segments[4 * s + 3];
    first[s] = 0;
    last[s] = -1;
    if (y0 === y1) continue;
    const lo = Math.min(y0, y1), hi = Math.max(y0, y1);
    let a = Math.max(0, Math.ceil(lo * SUB - 0.5) - 1),
      b = Math.min(lines - 1, Math.ceil(hi * SUB - 0.5));
    // The same test as the sweep's, so that boundaries fall exactly where it puts them.
    while (a <= b && !crosses(a, lo, hi)) a++;
    while (b >= a && !crosses(b, lo, hi)) b--;
    first[s] = a;
    last[s] = b;
    for (let k = a; k <= b; k++) starts[k + 1]++;
  }
  for (let k = 0; k < lines; k++) starts[k + 1] += starts[k];
  const xs = new Float64Array(starts[lines]), dirs = new Int8Array(starts[lines]);
  const fill = starts.slice(0, lines);
  for (let s = 0; s < n; s++) {
    const x0 = segments[4 * s], y0 = segments[4 * s + 1];
    const x1 = segments[4 * s + 2], y1 = segments[4 * s + 3];
    for (let k = first[s]; k <= last[s]; k++) {
      const y = lineY(k), at = fill[k]++;
      xs[at] = x0 + ((y - y0) * (x1 - x0)) / (y1 - y0);
      dirs[at] = y1 > y0 ? 1 : -1;
    }
  }
  for (let k = 0; k < lines; k++) {
    const from = starts[k], to = starts[k + 1];
    if (to - from < 2) continue;
    // Insertion sort by x, stable: few crossings per sub-scanline.
    for (let i = from + 1; i < to; i++) {
      const x = xs[i], d = dirs[i];
      let j = i - 1;
      while (j >= from && xs[j] > x) {
        xs[j + 1] = xs[j];
        dirs[j + 1] = dirs[j];
        j--;
      }
      xs[j + 1] = x;
      dirs[j + 1] = d;
    }
    const row = Math.floor(k / SUB);
    let winding = 0, start = 0;
    for (let i = from; i < to; i++) {
      const before = winding;
      winding += dirs[i];
      if (before === 0 && winding !== 0) start = xs[i];
      else if (before !== 0 && winding === 0) addSpan(cov, row * width, width, start, xs[i]);
    }
  }
  return cov;
}

/** The y of sub-scanline `k` (counted over all rows). */
function lineY(k: number): number {
  const row = Math.floor(k / SUB);
  return row + ((k - row * SUB) + 0.5) / SUB;
}

/** Whether a segment spanning [lo, hi) in y crosses sub-scanline `k`. */
function crosses(k: number, lo: number, hi: number): boolean {
  const y = lineY(k);
  return y >= lo && y < hi;
}

function addSpan(cov: Float32Array, base: number, width: number, a: number, b: number): void {
  a = Math.max(0, a);
  b = Math.min(width, b);
  if (b <= a) return;
  const ia = Math.floor(a), ib = Math.floor(b);
  const w = 1 / SUB;
  if (ia === ib) {
    cov[base + ia] += (b - a) * w;
    return;
  }
  cov[base + ia] += (ia + 1 - a) * w;
  for (let x = ia + 1; x < ib; x++) cov[base + x] += w;
  if (ib < width) cov[base + ib] += (b - ib) * w;
}
