/**
 * JPEG tiles and strips (Compression 7) through geotiff.js's decoder, with
 * the frame size checked first: the decoder allocates for whatever size the
 * JPEG stream's frame header declares, so a frame larger than the block is
 * refused before decoding. Any warning the decoder prints is kept off the
 * console (a one-line error is the whole report).
 *
 * @module
 */

import { geotiffDecode } from "./geotiff.ts";

/**
 * The [width, height] of the first frame header (SOF0–SOF15) in a JPEG
 * stream, or undefined when there is none.
 *
 * @example
 * ```ts
 * import { jpegFrameSize } from "./jpeg.ts";
 * const sof = new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 16, 0, 32, 1, 1, 0x11, 0]);
 * if (jpegFrameSize(sof)?.join() !== "32,16") throw new Error();
 * ```
 */
export function jpegFrameSize(bytes: Uint8Array): [number, number] | undefined {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(bytes[i + 7] << 8) | bytes[i + 8], (bytes[i + 5] << 8) | bytes[i + 6]];
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    i += 2 + length;
  }
  return undefined;
}

/** What a JPEG block needs besides its bytes. */
export interface JpegParams {
  /** The block's width and rows. */
  width: number;
  rows: number;
  /** Samples per pixel in the block. */
  samples: number;
  /** The JPEGTables tag, if any. */
  tables?: Uint8Array;
}

/**
 * Decodes one JPEG block to 8-bit samples, pixel-interleaved.
 *
 * @example
 * ```ts ignore
 * import { decodeJpeg } from "./jpeg.ts";
 * const pixels = await decodeJpeg(block, { width: 256, rows: 256, samples: 3 });
 * ```
 */
export async function decodeJpeg(input: Uint8Array, p: JpegParams): Promise<Uint8Array> {
  const size = jpegFrameSize(input);
  if (size && (size[0] > p.width + 16 || size[1] > p.rows + 16)) {
    throw new Error(`the JPEG frame is ${size[0]} x ${size[1]}, the block ${p.width} x ${p.rows}`);
  }
  return await geotiffDecode(7, {
    tileWidth: p.width,
    tileHeight: p.rows,
    planarConfiguration: 1,
    bitsPerSample: [8],
    predictor: 1,
    JPEGTables: p.tables,
  }, input);
}
