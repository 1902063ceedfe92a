/**
 * Decoding of quicklook images (PNG through fast-png, JPEG through jpeg-js)
 * to RGBA, with a bound on the pixels a decode may allocate.
 *
 * @module
 */
import { convertIndexedToRgb, decode as decodePng } from "fast-png";
import jpeg from "jpeg-js";
import { errorLine, RasterError } from "../errors.ts";
import { imageFormat } from "../internal/magic.ts";
import type { RgbaImage } from "./rgba.ts";

/** Largest image decoded, in pixels (a quicklook is far smaller; a bomb is not). */
export const MAX_IMAGE_PIXELS = 100_000_000;

/**
 * Decodes a PNG or JPEG to RGBA; `name` is used in error messages.
 *
 * @example
 * ```ts
 * import { decodeImage } from "./decode.ts";
 * import { encodePng } from "@up42/jobtask/raster";
 * const png = encodePng({ width: 1, height: 1, rgba: new Uint8ClampedArray([1, 2, 3, 255]) });
 * if (decodeImage(png, "x.png").rgba[2] !== 3) throw new Error();
 * ```
 */
export function decodeImage(bytes: Uint8Array, name: string): RgbaImage {
  const format = imageFormat(bytes);
  if (format !== "png" && format !== "jpeg") {
    throw new RasterError({
      file: name,
      reason: "format",
      detail: "not a PNG or JPEG image",
      fix: "pass a .png, .jpg or .jpeg quicklook",
    });
  }
  const size = format === "png" ? pngSize(bytes) : undefined;
  if (size && size[0] * size[1] > MAX_IMAGE_PIXELS) {
    throw new RasterError({
      file: name,
      reason: "limit",
      detail: `the image has ${size[0]}x${size[1]} pixels, more than ${MAX_IMAGE_PIXELS}`,
      fix: "pass a smaller image",
    });
  }
  try {
    if (format === "jpeg") {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
        maxMemoryUsageInMB: 1024,
      });
      return { width: img.width, height: img.height, rgba: new Uint8ClampedArray(img.data.buffer) };
    }
    return pngToRgba(bytes);
  } catch (e) {
    throw new RasterError({
      file: name,
      reason: "corrupt",
      detail: `undecodable ${format.toUpperCase()} image (${errorLine(e)})`,
    }, { cause: e });
  }
}

function pngSize(bytes: Uint8Array): [number, number] | undefined {
  if (bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

function pngToRgba(bytes: Uint8Array): RgbaImage {
  const png = decodePng(bytes);
  const { width, height } = png;
  const n = width * height;
  const rgba = new Uint8ClampedArray(n * 4);
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const c = rgb.length / n;
    for (let i = 0; i < n; i++) {
      rgba[i * 4] = rgb[i * c];
      rgba[i * 4 + 1] = rgb[i * c + 1];
      rgba[i * 4 + 2] = rgb[i * c + 2];
      rgba[i * 4 + 3] = c === 4 ? rgb[i * c + 3] : 255;
    }
    return { width, height, rgba };
  }
  const c = png.channels, shift = png.depth === 16 ? 8 : 0;
  const max = (1 << png.depth) - 1;
  const d = png.data;
  const to8 = (v: number) => (png.depth >= 8 ? v >> shift : Math.round((v * 255) / max));
  for (let i = 0; i < n; i++) {
    const gray = c < 3;
    const r = to8(d[i * c]);
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = gray ? r : to8(d[i * c + 1]);
    rgba[i * 4 + 2] = gray ? r : to8(d[i * c + 2]);
    rgba[i * 4 + 3] = c === 2 || c === 4 ? to8(d[i * c + c - 1]) : 255;
  }
  return { width, height, rgba };
}
