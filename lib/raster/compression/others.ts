/**
 * LERC (34887) and Zstandard (50000) blocks through geotiff.js's decoders
 * (WebAssembly builds of the reference libraries): formats with no native
 * decoder in the runtime, rare in hostile files, and bounded after the
 * fact by the block's size.
 *
 * @module
 */

import { geotiffDecode } from "./geotiff.ts";

/**
 * Decodes one LERC or Zstandard block to its raw bytes.
 *
 * @example
 * ```ts ignore
 * import { decodeWithGeotiff } from "./others.ts";
 * const raw = await decodeWithGeotiff(50000, block, {});
 * ```
 */
export async function decodeWithGeotiff(
  compression: number,
  input: Uint8Array,
  params: { planar: boolean; lercParameters?: number[] },
): Promise<Uint8Array> {
  return await geotiffDecode(compression, {
    tileWidth: 1,
    tileHeight: 1,
    planarConfiguration: params.planar ? 2 : 1,
    bitsPerSample: [8],
    predictor: 1,
    LercParameters: params.lercParameters,
  }, input);
}
