/**
 * CRC-32 (the zlib/gzip/zip one), kept in one place for the zip reader and
 * the file checksums of a download. Native where `node:zlib` is loaded and
 * has `crc32` (about ten times faster than WebAssembly); without it, a
 * table in JavaScript, so that a caller need not wait for the polyfill
 * (see zlib.ts). Both give the same value.
 *
 * @module
 */
import { loadedZlib } from "./zlib.ts";

let TABLE: Uint32Array | undefined;

/**
 * CRC-32 of `bytes`, continuing from `previous` (an unsigned 32-bit number).
 *
 * @example
 * ```ts
 * import { crc32 } from "./crc32.ts";
 * const hello = new TextEncoder().encode("hello");
 * if (crc32(hello) !== 0x3610a686) throw new Error();
 * if (crc32(hello.subarray(2), crc32(hello.subarray(0, 2))) !== 0x3610a686) throw new Error();
 * ```
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const native = (loadedZlib() as { crc32?: (b: Uint8Array, v: number) => number } | undefined)
    ?.crc32;
  if (typeof native === "function") return native(bytes, previous) >>> 0;
  TABLE ??= Uint32Array.from({ length: 256 }, (_, n) => {
    for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
    return n >>> 0;
  });
  let c = ~previous >>> 0;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
