/**
 * TIFF LZW, both dialects libtiff reads: TIFF 6.0 codes (MSB-first, the
 * code width grows one code early) and the pre-1991 "old-style" codes
 * (LSB-first, the width grows one code later), told apart by the first two
 * bytes as libtiff does. Output stops at the block's declared size, so a
 * 200 KB stream that expands to 256 MiB costs only that size; geotiff.js's
 * decoder expands the whole stream first and reads only the new dialect.
 *
 * @module
 */

const CLEAR = 256, EOI = 257;

/**
 * Decodes at most `expected` bytes; a shorter result means the stream ended
 * early. Throws on a code that is not yet in the table.
 *
 * @example
 * ```ts
 * import { decodeLzw } from "./lzw.ts";
 * // Clear, 'A', 'B', EOI as 9-bit MSB-first codes.
 * const stream = new Uint8Array([0x80, 0x10, 0x48, 0x50, 0x10]);
 * if (decodeLzw(stream, 2).join() !== "65,66") throw new Error();
 * ```
 */
export function decodeLzw(input: Uint8Array, expected: number): Uint8Array {
  const old = input.length >= 2 && input[0] === 0 && (input[1] & 1) === 1;
  const out = new Uint8Array(expected);
  // Each string is a copy of an earlier stretch of the output: its start and length there.
  const start = new Int32Array(4096), length = new Int32Array(4096);
  let width = 9, next = 258, prev = -1, pos = 0;
  let bitBuf = 0, bitCount = 0, inPos = 0;
  // New style widens at 511, 1023, 2047; old style at 512, 1024, 2048.
  const early = old ? 0 : 1;
  const total = input.length;
  while (pos < expected) {
    while (bitCount < width && inPos < total) {
      if (old) bitBuf |= input[inPos++] << bitCount;
      else bitBuf = (bitBuf << 8) | input[inPos++];
      bitCount += 8;
    }
    if (bitCount < width) break; // input ended without EOI: keep what was decoded
    let code: number;
    if (old) {
      code = bitBuf & ((1 << width) - 1);
      bitBuf >>>= width;
    } else {
      code = (bitBuf >>> (bitCount - width)) & ((1 << width) - 1);
      bitBuf &= (1 << (bitCount - width)) - 1;
    }
    bitCount -= width;
    if (code === EOI) break;
    if (code === CLEAR) {
      width = 9;
      next = 258;
      prev = -1;
      continue;
    }
    const at = pos;
    if (code < 256) {
      out[pos++] = code;
    } else if (code < next) {
      const n = Math.min(length[code], expected - pos);
      out.copyWithin(pos, start[code], start[code] + n);
      pos += n;
    } else if (code === next && prev >= 0) {
      // The string of the previous code and its own first byte (KwKwK).
      const p0 = prev < 256 ? -1 : start[prev], pl = prev < 256 ? 1 : length[prev];
      const first = prev < 256 ? prev : out[p0];
      const n = Math.min(pl, expected - pos);
      if (prev < 256) out[pos] = prev;
      else out.copyWithin(pos, p0, p0 + n);
      pos += n;
      if (pos < expected) out[pos++] = first;
    } else {
      throw new Error(`LZW code ${code} is not in the table`);
    }
    if (prev >= 0 && next < 4096) {
      // The new string: the previous code's, then this one's first byte, which now follow each other.
      start[next] = at - (prev < 256 ? 1 : length[prev]);
      length[next] = (prev < 256 ? 1 : length[prev]) + 1;
      next++;
    }
    prev = code;
    if (next + early >= 1 << width && width < 12) width++;
  }
  return pos >= expected ? out : out.subarray(0, pos);
}
