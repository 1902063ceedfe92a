/**
 * One entry point for every compression a GeoTIFF may use: the block's
 * bytes in, at most its declared size out. Compressions nobody can read
 * here are refused by name before any byte is read.
 *
 * @module
 */
import { inflateBounded } from "./deflate.ts";
import { decodeJpeg } from "./jpeg.ts";
import { decodeLzw } from "./lzw.ts";
import { decodeWithGeotiff } from "./others.ts";
import { decodePackbits } from "./packbits.ts";

const UNSUPPORTED: Record<number, string> = {
  2: "CCITT modified Huffman (RLE) compression",
  3: "CCITT Group 3 fax compression",
  4: "CCITT Group 4 fax compression",
  6: "old-style JPEG compression",
  32771: "CCITT RLE compression",
  32809: "ThunderScan compression",
  34661: "JBIG compression",
  34712: "JPEG 2000 compression",
  34925: "LZMA compression",
  50001: "WebP compression",
  50002: "JPEG XL compression",
};
const SUPPORTED = new Set([1, 5, 7, 8, 32946, 32773, 34887, 50000]);

/**
 * Why a compression cannot be read, or undefined when it can.
 *
 * @example
 * ```ts
 * import { unsupportedCompression } from "./mod.ts";
 * if (unsupportedCompression(8) !== undefined) throw new Error();
 * if (unsupportedCompression(4) !== "CCITT Group 4 fax compression") throw new Error();
 * ```
 */
export function unsupportedCompression(compression: number): string | undefined {
  if (SUPPORTED.has(compression)) return undefined;
  return UNSUPPORTED[compression] || `unknown compression ${compression}`;
}

/** What decoding one block needs besides its bytes. */
export interface CodecParams {
  /** TIFF Compression value. */
  compression: number;
  /** Block width in pixels. */
  width: number;
  /** Rows in the block. */
  rows: number;
  /** Samples per pixel in the block (1 for planar files). */
  samples: number;
  /** Whether samples are stored plane by plane. */
  planar: boolean;
  /** JPEGTables. */
  jpegTables?: Uint8Array;
  /** LercParameters. */
  lercParameters?: number[];
}

/**
 * Decompresses one block to at most `expected` bytes.
 *
 * @example
 * ```ts
 * import { decompress } from "./mod.ts";
 * const p = { compression: 32773, width: 3, rows: 1, samples: 1, planar: false };
 * if ((await decompress(new Uint8Array([0xfe, 5]), 3, p)).join() !== "5,5,5") throw new Error();
 * ```
 */
export async function decompress(
  input: Uint8Array,
  expected: number,
  p: CodecParams,
): Promise<Uint8Array> {
  switch (p.compression) {
    case 1:
      return input.subarray(0, expected);
    case 5:
      return decodeLzw(input, expected);
    case 8:
    case 32946:
      return await inflateBounded(input, expected);
    case 32773:
      return decodePackbits(input, expected);
    case 7: {
      const out = await decodeJpeg(input, {
        width: p.width,
        rows: p.rows,
        samples: p.samples,
        tables: p.jpegTables,
      });
      return out.subarray(0, expected);
    }
    default: {
      const out = await decodeWithGeotiff(p.compression, input, {
        planar: p.planar,
        lercParameters: p.lercParameters,
      });
      return out.subarray(0, expected);
    }
  }
}
