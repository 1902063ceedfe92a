/**
 * Opens a GeoTIFF from a path, bytes or an HTTP(S) URL. Paths and URLs are
 * read by ranges on demand (only the IFDs and the tiles a render needs), so a
 * cloud-optimised GeoTIFF is never fetched or loaded whole.
 *
 * @module
 */

import { fromArrayBuffer, fromFile, fromUrl, type GeoTIFF } from "geotiff";
import { errorLine, RasterError } from "./errors.ts";
import "./raster_deflate.ts";

/** Bytes of an image together with the name used in messages and titles. */
export interface NamedBytes {
  /** File name, e.g. "scene.tif" (used for titles, format and messages). */
  name: string;
  /** The file's bytes. */
  bytes: Uint8Array;
}

/** Where a raster comes from: a path, an http(s) URL, bytes, or named bytes. */
export type RasterSource = string | URL | Uint8Array | ArrayBuffer | NamedBytes;

/** An opened GeoTIFF; call `close()` when done. */
export interface OpenedRaster {
  /** The geotiff.js handle. */
  tiff: GeoTIFF;
  /** Name for messages: the path, the URL without its query, or the given name. */
  name: string;
  /** Releases the file handle (a no-op for bytes and URLs). */
  close(): Promise<void>;
}

/**
 * The name of a source as used in messages; URLs lose their query string,
 * which may hold a signature.
 *
 * @example
 * ```ts
 * import { sourceName } from "./raster_source.ts";
 * console.log(sourceName("https://h/x.tif?sig=secret")); // "https://h/x.tif"
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

function isTiffMagic(head: Uint8Array): boolean {
  const le = head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43) &&
    head[3] === 0;
  const be = head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 &&
    (head[3] === 42 || head[3] === 43);
  return le || be;
}

function notTiff(name: string): RasterError {
  return new RasterError(`${name}: not a TIFF file: pass a GeoTIFF (.tif)`);
}

/**
 * Opens a GeoTIFF for reading.
 *
 * @example
 * ```ts ignore
 * import { openRaster } from "./raster_source.ts";
 * const { tiff, close } = await openRaster("scene.tif");
 * console.log((await tiff.getImage()).getWidth());
 * await close();
 * ```
 */
export async function openRaster(source: RasterSource): Promise<OpenedRaster> {
  const name = sourceName(source);
  const none = () => Promise.resolve();
  if (source instanceof URL && source.protocol === "file:") {
    return await openRaster(decodeURIComponent(source.pathname));
  }
  if (source instanceof URL || (typeof source === "string" && /^https?:\/\//i.test(source))) {
    try {
      const tiff = await fromUrl(String(source), { allowFullFile: true });
      return { tiff, name, close: none };
    } catch (e) {
      throw new RasterError(`${name}: cannot read the GeoTIFF over HTTP (${errorLine(e)})`, {
        cause: e,
      });
    }
  }
  if (typeof source === "string") {
    let head: Uint8Array;
    try {
      const file = await Deno.open(source);
      try {
        head = new Uint8Array(4);
        const n = await file.read(head);
        if ((n ?? 0) < 4) throw notTiff(name);
      } finally {
        file.close();
      }
    } catch (e) {
      if (e instanceof RasterError) throw e;
      if (e instanceof Deno.errors.NotFound) {
        throw new RasterError(`${name}: file not found: check the path`);
      }
      throw new RasterError(`${name}: cannot open the file (${errorLine(e)})`, { cause: e });
    }
    if (!isTiffMagic(head)) throw notTiff(name);
    const tiff = await wrap(name, () => fromFile(source));
    return {
      tiff,
      name,
      close: async () => {
        await tiff.close();
      },
    };
  }
  const bytes = source instanceof ArrayBuffer
    ? new Uint8Array(source)
    : source instanceof Uint8Array
    ? source
    : source.bytes;
  if (bytes.length < 8 || !isTiffMagic(bytes)) throw notTiff(name);
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer;
  const tiff = await wrap(name, () => fromArrayBuffer(buffer));
  return { tiff, name, close: none };
}

async function wrap<T>(name: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new RasterError(`${name}: corrupt TIFF header or directory (${errorLine(e)})`, {
      cause: e,
    });
  }
}
