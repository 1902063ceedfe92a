/**
 * A geotiff.js decoder for DEFLATE blocks (Compression 8 and 32946) that uses
 * the runtime's native `DecompressionStream("deflate")` instead of the
 * bundled JavaScript inflate, which is several times slower on large
 * rasters. Importing this module registers it with geotiff.js, so every
 * `readRasters` call in the process benefits too.
 *
 * @module
 */

import { addDecoder, BaseDecoder } from "geotiff";

/**
 * Inflates one zlib-wrapped TIFF block natively; the predictor is applied by
 * the base class.
 *
 * @example
 * ```ts
 * import { NativeDeflateDecoder } from "./deflate.ts";
 * const decoder = new NativeDeflateDecoder({
 *   tileWidth: 1, tileHeight: 1, predictor: 1, bitsPerSample: [8], planarConfiguration: 1,
 * });
 * const zlib = await new Response(
 *   new Blob([new Uint8Array([7])]).stream().pipeThrough(new CompressionStream("deflate")),
 * ).arrayBuffer();
 * if (new Uint8Array(await decoder.decode(zlib))[0] !== 7) throw new Error();
 * ```
 */
export class NativeDeflateDecoder extends BaseDecoder {
  /** Inflates a zlib stream. */
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBuffer> {
    const stream = new Blob([new Uint8Array(buffer as ArrayBuffer)]).stream()
      .pipeThrough(new DecompressionStream("deflate"));
    return await new Response(stream).arrayBuffer();
  }
}

addDecoder([8, 32946], () => Promise.resolve(NativeDeflateDecoder as any), undefined, false);
