/**
 * RGBA images as plain data, and the few operations the figures need:
 * a white canvas, source-over blending, and resizing.
 *
 * @module
 */

/** An 8-bit RGBA image, row-major. */
export interface RgbaImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** width * height * 4 bytes. */
  rgba: Uint8ClampedArray;
}

/**
 * A white, opaque canvas.
 *
 * @example
 * ```ts
 * import { whiteCanvas } from "./rgba.ts";
 * if (!whiteCanvas(2, 2).rgba.every((v) => v === 255)) throw new Error();
 * ```
 */
export function whiteCanvas(width: number, height: number): RgbaImage {
  return { width, height, rgba: new Uint8ClampedArray(width * height * 4).fill(255) };
}

/**
 * Draws `src` over `dst` at (x, y) with source-over alpha blending.
 *
 * @example
 * ```ts
 * import { blend, whiteCanvas } from "./rgba.ts";
 * const canvas = whiteCanvas(2, 1);
 * blend(canvas, { width: 1, height: 1, rgba: new Uint8ClampedArray([0, 0, 0, 255]) }, 1, 0);
 * if (canvas.rgba[4] !== 0 || canvas.rgba[0] !== 255) throw new Error();
 * ```
 */
export function blend(dst: RgbaImage, src: RgbaImage, x: number, y: number): void {
  const s8 = src.rgba, d8 = dst.rgba;
  const x0 = Math.max(0, -x), x1 = Math.min(src.width, dst.width - x);
  for (let sy = Math.max(0, -y); sy < Math.min(src.height, dst.height - y); sy++) {
    let s = (sy * src.width + x0) * 4, d = ((y + sy) * dst.width + x + x0) * 4;
    for (let sx = x0; sx < x1; sx++, s += 4, d += 4) {
      const alpha = s8[s + 3];
      if (alpha === 0) continue;
      if (alpha === 255) {
        // Opaque (most rendered pixels): the source as it is.
        d8[d] = s8[s];
        d8[d + 1] = s8[s + 1];
        d8[d + 2] = s8[s + 2];
        d8[d + 3] = 255;
        continue;
      }
      const a = alpha / 255;
      for (let c = 0; c < 3; c++) d8[d + c] = s8[s + c] * a + d8[d + c] * (1 - a);
      d8[d + 3] = 255 * (a + (d8[d + 3] / 255) * (1 - a));
    }
  }
}

/**
 * Resizes with area averaging when shrinking (alpha-weighted) and nearest
 * neighbour when enlarging, so quicklooks stay sharp.
 *
 * @example
 * ```ts
 * import { resize } from "./rgba.ts";
 * const img = { width: 2, height: 1, rgba: new Uint8ClampedArray([0, 0, 0, 255, 200, 200, 200, 255]) };
 * if (resize(img, 1, 1).rgba[0] !== 100) throw new Error();
 * ```
 */
export function resize(img: RgbaImage, width: number, height: number): RgbaImage {
  const out = new Uint8ClampedArray(width * height * 4);
  const fx = img.width / width, fy = img.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * fy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * fy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * fx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * fx));
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let yy = y0; yy < Math.min(y1, img.height); yy++) {
        for (let xx = x0; xx < Math.min(x1, img.width); xx++) {
          const p = (yy * img.width + xx) * 4, w = img.rgba[p + 3];
          r += img.rgba[p] * w;
          g += img.rgba[p + 1] * w;
          b += img.rgba[p + 2] * w;
          a += w;
          n++;
        }
      }
      const o = (y * width + x) * 4;
      if (a > 0) {
        out[o] = r / a;
        out[o + 1] = g / a;
        out[o + 2] = b / a;
        out[o + 3] = a / n;
      }
    }
  }
  return { width, height, rgba: out };
}
