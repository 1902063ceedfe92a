/**
 * Opens a GeoTIFF from a path, bytes or an HTTP(S) URL. Paths and URLs are
 * read by ranges on demand (only the directories and the tiles a render
 * needs), so a cloud-optimised GeoTIFF is never fetched or loaded whole.
 *
 * @module
 */
import type { NamedBytes } from "../files/named_bytes.ts";
import { checkedMemorySource, fileSource, urlSource } from "./bytes.ts";
import { readTiff, type TiffFile } from "./ifd.ts";
import { DEFAULT_RASTER_LIMITS, type RasterLimits } from "./limits.ts";

/** Where a raster comes from: a path, an http(s) URL, bytes, or named bytes. */
export type RasterSource = string | URL | Uint8Array | ArrayBuffer | NamedBytes;

/** An opened GeoTIFF; call `close()` when done. */
export interface OpenedRaster {
  /** The container: byte order, directories, and the bytes behind them. */
  tiff: TiffFile;
  /** Name for messages: the path, the URL without its query, or the given name. */
  name: string;
  /** Releases the file handle. */
  close(): Promise<void>;
}

/**
 * The name of a source as used in messages; URLs lose their query string,
 * which may hold a signature.
 *
 * @example
 * ```ts
 * import { sourceName } from "./source.ts";
 * if (sourceName("https://h/x.tif?sig=secret") !== "https://h/x.tif") throw new Error();
 * ```
 */
export function sourceName(source: RasterSource): string {
  if (source instanceof URL || (typeof source === "string" && /^https?:\/\//i.test(source))) {
    const url = new URL(source);
    return url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.origin + url.pathname;
  }
  if (typeof source === "string") return source;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return "<bytes>";
  return source.name;
}

/**
 * Opens a GeoTIFF and reads its directory chain (bounded by `limits.maxIfds`).
 *
 * @example
 * ```ts
 * import { openRaster } from "./source.ts";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array(8)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const { tiff, close } = await openRaster({ name: "a.tif", bytes });
 * if (tiff.ifds.length !== 1) throw new Error();
 * await close();
 * ```
 */
export async function openRaster(
  source: RasterSource,
  limits: RasterLimits = DEFAULT_RASTER_LIMITS,
): Promise<OpenedRaster> {
  const name = sourceName(source);
  if (source instanceof URL && source.protocol === "file:") {
    return await openRaster(decodeURIComponent(source.pathname), limits);
  }
  let bytes;
  if (source instanceof URL || (typeof source === "string" && /^https?:\/\//i.test(source))) {
    bytes = await urlSource(String(source), name, limits.maxDecodedBytes);
  } else if (typeof source === "string") {
    bytes = await fileSource(source);
  } else {
    const data = source instanceof ArrayBuffer
      ? new Uint8Array(source)
      : source instanceof Uint8Array
      ? source
      : source.bytes;
    bytes = checkedMemorySource(data, name);
  }
  try {
    const tiff = await readTiff(bytes, name, limits);
    return { tiff, name, close: () => bytes.close() };
  } catch (e) {
    await bytes.close();
    throw e;
  }
}
