/**
 * PackBits, bounded: output stops at the block's declared size (a run
 * header can ask for 128 bytes per input byte, and a stream can repeat).
 *
 * @module
 */

/**
 * Decodes at most `expected` bytes.
 *
 * @example
 * ```ts
 * import { decodePackbits } from "./packbits.ts";
 * // A run of 3 x 7, then 2 literals.
 * if (decodePackbits(new Uint8Array([0xfe, 7, 1, 8, 9]), 5).join() !== "7,7,7,8,9") throw new Error();
 * ```
 */
export function decodePackbits(input: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0, o = 0;
  while (i < input.length && o < expected) {
    const h = input[i++];
    if (h < 128) {
      const n = Math.min(h + 1, expected - o, input.length - i);
      out.set(input.subarray(i, i + n), o);
      i += h + 1;
      o += n;
    } else if (h > 128) {
      if (i >= input.length) break;
      const n = Math.min(257 - h, expected - o);
      out.fill(input[i++], o, o + n);
      o += n;
    }
  }
  return o >= expected ? out : out.subarray(0, o);
}
