/**
 * File formats told apart by their first bytes (never by a name or a
 * content type, which may lie).
 *
 * @module
 */

/** Image formats recognised by their magic numbers. */
export type ImageFormat = "png" | "jpeg" | "webp" | "gif" | "tiff";

/**
 * The image format of `bytes` (at least their first 12), or undefined.
 *
 * @example
 * ```ts
 * import { imageFormat } from "./magic.ts";
 * if (imageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])) !== "jpeg") throw new Error();
 * if (imageFormat(new TextEncoder().encode("<html>")) !== undefined) throw new Error();
 * ```
 */
export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const b = bytes;
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (
    b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 &&
    b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50
  ) return "webp";
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return "gif";
  if (isTiff(b)) return "tiff";
  return undefined;
}

/**
 * Whether `bytes` start like a TIFF or BigTIFF (`II*\0`, `MM\0*`, `II+\0`, `MM\0+`).
 *
 * @example
 * ```ts
 * import { isTiff } from "./magic.ts";
 * if (!isTiff(new Uint8Array([0x49, 0x49, 42, 0]))) throw new Error();
 * ```
 */
export function isTiff(bytes: Uint8Array): boolean {
  const [a, b, c, d] = bytes;
  const le = a === 0x49 && b === 0x49 && (c === 42 || c === 43) && d === 0;
  const be = a === 0x4d && b === 0x4d && c === 0 && (d === 42 || d === 43);
  return le || be;
}

/** File extension for each image format. */
export const IMAGE_EXTENSIONS: Readonly<Record<ImageFormat, string>> = Object.freeze({
  png: ".png",
  jpeg: ".jpg",
  webp: ".webp",
  gif: ".gif",
  tiff: ".tif",
});

/**
 * Media type for each image format.
 *
 * @example
 * ```ts
 * import { IMAGE_MEDIA_TYPES } from "./magic.ts";
 * if (IMAGE_MEDIA_TYPES.jpeg !== "image/jpeg") throw new Error();
 * ```
 */
export const IMAGE_MEDIA_TYPES: Readonly<Record<ImageFormat, string>> = Object.freeze({
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  tiff: "image/tiff",
});
