/**
 * Base64 of bytes, in chunks so large inputs do not overflow the argument
 * list of `String.fromCharCode`. Kept apart so hashing code need not load
 * the image codecs.
 *
 * @module
 */

/**
 * Base64 (standard alphabet, padded) of `bytes`.
 *
 * @example
 * ```ts
 * import { base64 } from "./base64.ts";
 * console.log(base64(new Uint8Array([1, 2, 3]))); // "AQID"
 * ```
 */
export function base64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
