/**
 * Reprojection of a georeferenced RGBA image to Web Mercator (EPSG:3857), so
 * a map overlay sits where it belongs rather than as its bounding box
 * stretched. The output grid follows the rule `gdalwarp -t_srs EPSG:3857`
 * uses when no resolution is given (extent of the transformed edges, pixel
 * size keeping the diagonal's pixel count), so both place pixels alike.
 *
 * @module
 */

import type { RgbaImage } from "../image/rgba.ts";
import type { Transformer } from "./crs.ts";

/** An RGBA image whose grid spans `bounds` in its CRS. */
export interface GeoImage extends RgbaImage {
  /** Outer edges [minX, minY, maxX, maxY] in the image's CRS. */
  bounds: [number, number, number, number];
}

/** Options of {@linkcode warpToMercator}. */
export interface WarpOptions {
  /** Longest side of the output in pixels; default 2048. The grid is coarsened to fit. */
  maxPixels?: number;
  /** "nearest" (default, like gdalwarp) or "bilinear" (smoother when enlarging). */
  resampling?: "nearest" | "bilinear";
}

/** The output grid: size and Web Mercator bounds. */
export interface MercatorGrid {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Outer edges [minX, minY, maxX, maxY] in EPSG:3857 metres. */
  bounds: [number, number, number, number];
}

// Points per edge when looking for the transformed extent (gdalwarp uses 21).
const EDGE_STEPS = 20;
// Output pixels between exactly transformed points; in between, positions are
// interpolated, which for any CRS of a result raster errs far below a pixel.
const STEP = 16;

/**
 * The Web Mercator grid gdalwarp would choose for an image: the extent of its
 * transformed edges, square pixels sized so the diagonal keeps its pixel
 * count, then coarsened so the longer side is at most `maxPixels`.
 *
 * @example
 * ```ts
 * import { transformer } from "./crs.ts";
 * import { mercatorGrid } from "./warp.ts";
 * const t = await transformer("EPSG:3857");
 * if (mercatorGrid({ width: 10, height: 10, bounds: [0, 0, 100, 100] }, t).width !== 10) throw new Error();
 * ```
 */
export function mercatorGrid(
  image: { width: number; height: number; bounds: GeoImage["bounds"] },
  toMercator: Transformer,
  maxPixels = 2048,
): MercatorGrid {
  const { width: w, height: h } = image;
  const [x0, y0, x1, y1] = image.bounds;
  const at = (px: number, py: number) =>
    toMercator.forward(x0 + (px / w) * (x1 - x0), y1 - (py / h) * (y1 - y0));
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i <= EDGE_STEPS; i++) {
    const r = i / EDGE_STEPS;
    for (const [px, py] of [[r * w, 0], [r * w, h], [0, r * h], [w, r * h]]) {
      const [x, y] = at(px, py);
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      minX = Math.min(minX, x), maxX = Math.max(maxX, x);
      minY = Math.min(minY, y), maxY = Math.max(maxY, y);
    }
  }
  const [ax, ay] = at(0, 0), [bx, by] = at(w, h);
  let size = Math.hypot(ax - bx, ay - by) / Math.hypot(w, h);
  if (!(size > 0) || !Number.isFinite(minX)) {
    throw new RangeError("the image's bounds do not transform to Web Mercator");
  }
  let width = Math.max(1, Math.floor((maxX - minX) / size + 0.5));
  let height = Math.max(1, Math.floor((maxY - minY) / size + 0.5));
  if (Math.max(width, height) > maxPixels) {
    // Coarsen the pixel, keeping the same extent as closely as whole pixels allow.
    const k = Math.max(width, height) / maxPixels;
    size *= k;
    width = Math.max(1, Math.min(maxPixels, Math.floor((maxX - minX) / size + 0.5)));
    height = Math.max(1, Math.min(maxPixels, Math.floor((maxY - minY) / size + 0.5)));
  }
  // Like gdalwarp, the top-left corner stays and whole pixels set the rest.
  return { width, height, bounds: [minX, maxY - height * size, minX + width * size, maxY] };
}

/**
 * Source pixel positions (x, y, in pixel units from the top-left corner) of
 * every output pixel centre: exact at a coarse lattice, interpolated between.
 */
function sourcePositions(
  grid: MercatorGrid,
  image: GeoImage,
  toMercator: Transformer,
): Float64Array {
  const { width, height } = grid;
  const [mx0, , mx1, my1] = grid.bounds;
  const size = (mx1 - mx0) / width;
  const [x0, y0, x1, y1] = image.bounds;
  const sx = image.width / (x1 - x0), sy = image.height / (y1 - y0);
  const cols = Math.ceil(width / STEP) + 1, rows = Math.ceil(height / STEP) + 1;
  const lattice = new Float64Array(cols * rows * 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [x, y] = toMercator.inverse(
        mx0 + Math.min(c * STEP, width) * size,
        my1 - Math.min(r * STEP, height) * size,
      );
      lattice[(r * cols + c) * 2] = (x - x0) * sx;
      lattice[(r * cols + c) * 2 + 1] = (y1 - y) * sy;
    }
  }
  // Lattice points sit on pixel corners (c * STEP); pixel centres are half a pixel in.
  const out = new Float64Array(width * height * 2);
  for (let py = 0; py < height; py++) {
    const fy = (py + 0.5) / STEP, r = Math.min(Math.floor(fy), rows - 2);
    const ty = (py + 0.5 - r * STEP) / (Math.min((r + 1) * STEP, height) - r * STEP);
    for (let px = 0; px < width; px++) {
      const fx = (px + 0.5) / STEP, c = Math.min(Math.floor(fx), cols - 2);
      const tx = (px + 0.5 - c * STEP) / (Math.min((c + 1) * STEP, width) - c * STEP);
      const i00 = (r * cols + c) * 2, i01 = i00 + 2, i10 = i00 + cols * 2, i11 = i10 + 2;
      for (let k = 0; k < 2; k++) {
        const top = lattice[i00 + k] + (lattice[i01 + k] - lattice[i00 + k]) * tx;
        const bottom = lattice[i10 + k] + (lattice[i11 + k] - lattice[i10 + k]) * tx;
        out[(py * width + px) * 2 + k] = top + (bottom - top) * ty;
      }
    }
  }
  return out;
}

/**
 * Warps an RGBA image to Web Mercator. Pixels outside the source (and
 * transparent source pixels) stay transparent.
 *
 * @example
 * ```ts
 * import { transformer } from "./crs.ts";
 * import { warpToMercator } from "./warp.ts";
 * const t = await transformer("EPSG:4326");
 * const img = { width: 1, height: 1, rgba: new Uint8ClampedArray([255, 0, 0, 255]), bounds: [13, 52, 13.1, 52.1] as [number, number, number, number] };
 * const out = warpToMercator(img, t);
 * if (out.width !== 1 || out.height !== 1 || out.rgba[0] !== 255) throw new Error();
 * ```
 */
export function warpToMercator(
  image: GeoImage,
  toMercator: Transformer,
  options: WarpOptions = {},
): GeoImage {
  const grid = mercatorGrid(image, toMercator, options.maxPixels ?? 2048);
  const pos = sourcePositions(grid, image, toMercator);
  const { width, height } = grid;
  const src = image.rgba, sw = image.width, sh = image.height;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const bilinear = options.resampling === "bilinear";
  for (let i = 0; i < width * height; i++) {
    const x = pos[i * 2], y = pos[i * 2 + 1];
    if (!(x >= 0 && y >= 0 && x < sw && y < sh)) continue;
    const o = i * 4;
    if (bilinear) {
      const fx = Math.min(Math.max(x - 0.5, 0), sw - 1),
        fy = Math.min(Math.max(y - 0.5, 0), sh - 1);
      const xa = Math.floor(fx), ya = Math.floor(fy);
      const xb = Math.min(xa + 1, sw - 1), yb = Math.min(ya + 1, sh - 1);
      const tx = fx - xa, ty = fy - ya;
      const p00 = (ya * sw + xa) * 4, p01 = (ya * sw + xb) * 4;
      const p10 = (yb * sw + xa) * 4, p11 = (yb * sw + xb) * 4;
      // Blending with a transparent neighbour would darken edges: fall back to nearest.
      if (src[p00 + 3] && src[p01 + 3] && src[p10 + 3] && src[p11 + 3]) {
        for (let k = 0; k < 4; k++) {
          const top = src[p00 + k] + (src[p01 + k] - src[p00 + k]) * tx;
          const bottom = src[p10 + k] + (src[p11 + k] - src[p10 + k]) * tx;
          rgba[o + k] = top + (bottom - top) * ty;
        }
        continue;
      }
    }
    const p = (Math.floor(y) * sw + Math.floor(x)) * 4;
    rgba[o] = src[p], rgba[o + 1] = src[p + 1], rgba[o + 2] = src[p + 2], rgba[o + 3] = src[p + 3];
  }
  return { width, height, rgba, bounds: grid.bounds };
}
