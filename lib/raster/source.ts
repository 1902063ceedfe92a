/**
 * Opens a GeoTIFF from a path, bytes or an HTTP(S) URL. Paths and URLs are
 * read by ranges on demand (only the IFDs and the tiles a render needs), so a
 * cloud-optimised GeoTIFF is never fetched or loaded whole.
 *
 * @module
 */
import { fromArrayBuffer, fromFile, fromUrl, type GeoTIFF } from "geotiff";
import { errorLine, RasterError } from "../errors.ts";
import type { NamedBytes } from "../files/named_bytes.ts";
import { isPermissionFailure } from "../files/permission.ts";
import { isTiff } from "../internal/magic.ts";
import { PermissionError } from "../errors.ts";
import "./compression/deflate.ts";

/** Where a raster comes from: a path, an http(s) URL, bytes, or named bytes. */
export type RasterSource = string | URL | Uint8Array | ArrayBuffer | NamedBytes;

/** An opened GeoTIFF; call `close()` when done. */
export interface OpenedRaster {
  /** The geotiff.js handle. */
  tiff: GeoTIFF;
  /** Name for messages: the path, the URL without its query, or the given name. */
  name: string;
  /** The file's size in bytes, when known. */
  byteLength?: number;
  /** Releases the file handle (a no-op for bytes and URLs). */
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

function notTiff(name: string): RasterError {
  return new RasterError({
    file: name,
    reason: "format",
    detail: "not a TIFF file",
    fix: "pass a GeoTIFF (.tif)",
  });
}

/**
 * Opens a GeoTIFF for reading.
 *
 * @example
 * ```ts
 * import { openRaster } from "./source.ts";
 * import { writeGeoTiff } from "../emulator/tiff/writer.ts";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array(8)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const { tiff, close } = await openRaster({ name: "a.tif", bytes });
 * if ((await tiff.getImage()).getWidth() !== 4) throw new Error();
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
      throw new RasterError({
        file: name,
        reason: "unreadable",
        detail: `cannot read the GeoTIFF over HTTP (${errorLine(e)})`,
        fix: "check the URL and the network",
      }, { cause: e });
    }
  }
  if (typeof source === "string") {
    let byteLength: number;
    try {
      const file = await Deno.open(source);
      try {
        const head = new Uint8Array(4);
        const n = await file.read(head);
        if ((n ?? 0) < 4 || !isTiff(head)) throw notTiff(name);
        byteLength = (await file.stat()).size;
      } finally {
        file.close();
      }
    } catch (e) {
      if (e instanceof RasterError) throw e;
      if (e instanceof Deno.errors.NotFound) {
        throw new RasterError({ file: name, reason: "not-found", detail: "file not found" });
      }
      if (isPermissionFailure(e)) {
        throw new PermissionError({ flag: `--allow-read=${source}`, why: `reading ${source}` }, {
          cause: e,
        });
      }
      throw new RasterError({
        file: name,
        reason: "unreadable",
        detail: `cannot open the file (${errorLine(e)})`,
      }, { cause: e });
    }
    const tiff = await wrap(name, () => fromFile(source));
    return {
      tiff,
      name,
      byteLength,
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
  if (bytes.length < 8 || !isTiff(bytes)) throw notTiff(name);
  const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer;
  const tiff = await wrap(name, () => fromArrayBuffer(buffer));
  return { tiff, name, byteLength: bytes.length, close: none };
}

async function wrap<T>(name: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new RasterError({
      file: name,
      reason: "corrupt",
      detail: `undecodable TIFF header or directory (${errorLine(e)})`,
    }, { cause: e });
  }
}
