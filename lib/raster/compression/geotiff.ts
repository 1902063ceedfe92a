/**
 * The one way into geotiff.js's block decoders (JPEG, LERC, Zstandard):
 * loaded on first use, since most files never need them and every decoding
 * thread would pay for them, and with their warnings kept off the console
 * (a one-line error is the whole report).
 *
 * @module
 */

/**
 * Decodes one block with geotiff.js's decoder for `compression`, given the
 * file directory tags that decoder reads (tile size, planar configuration,
 * tables, parameters).
 *
 * @example
 * ```ts ignore
 * import { geotiffDecode } from "./geotiff.ts";
 * const raw = await geotiffDecode(50000, { tileWidth: 1, tileHeight: 1 }, block);
 * ```
 */
export async function geotiffDecode(
  compression: number,
  fileDirectory: Record<string, unknown>,
  input: Uint8Array,
): Promise<Uint8Array> {
  const { getDecoder } = await import("geotiff");
  const decoder = await getDecoder(compression, fileDirectory as any);
  const warn = console.warn;
  console.warn = () => {};
  try {
    return new Uint8Array(await decoder.decodeBlock(input.slice().buffer) as ArrayBuffer);
  } finally {
    console.warn = warn;
  }
}
