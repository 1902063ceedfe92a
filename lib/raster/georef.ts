/**
 * Where a GeoTIFF lies: its outer edges in its CRS and the EPSG code of
 * that CRS, from the GeoKeys and the model tie point, pixel scale or
 * transformation. A key directory that declares more keys than it holds,
 * or scales that are zero or not finite, give pixel bounds instead.
 *
 * @module
 */
import { type Ifd, tagNumbers, type TiffFile } from "./ifd.ts";

/** Outer edges and CRS of a raster. */
export interface Georeference {
  /** Outer edges [minX, minY, maxX, maxY] in CRS units (pixel units without georeference). */
  bounds: [number, number, number, number];
  /** "EPSG:nnnn" from the GeoKeys, undefined when the file has none. */
  crs?: string;
}

/** GeoKey values stored in the key directory itself (location 0), by key id. */
async function geoKeys(tiff: TiffFile, ifd: Ifd): Promise<Map<number, number>> {
  const keys = new Map<number, number>();
  const dir = await tagNumbers(tiff, ifd, 34735, 4 * 4096);
  if (!dir || dir.length < 4) return keys;
  const count = Math.min(dir[3], Math.floor((dir.length - 4) / 4));
  for (let i = 0; i < count; i++) {
    const [id, location, n, value] = dir.subarray(4 + i * 4, 8 + i * 4);
    if (location === 0 && n === 1) keys.set(id, value);
  }
  return keys;
}

/**
 * The georeference of the image in directory `ifd` of `width` x `height` pixels.
 *
 * @example
 * ```ts
 * import { memorySource } from "./bytes.ts";
 * import { readTiff } from "./ifd.ts";
 * import { georeference } from "./georef.ts";
 * import { DEFAULT_RASTER_LIMITS } from "@up42/jobtask/raster";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 2, height: 2, bands: [new Uint8Array(4)], epsg: 32633, origin: [500000, 5000000], pixelSize: [10, 10] });
 * const tiff = await readTiff(memorySource(bytes), "a.tif", DEFAULT_RASTER_LIMITS);
 * const { bounds, crs } = await georeference(tiff, tiff.ifds[0], 2, 2);
 * if (crs !== "EPSG:32633" || bounds.join() !== "500000,4999980,500020,5000000") throw new Error(bounds.join());
 * ```
 */
export async function georeference(
  tiff: TiffFile,
  ifd: Ifd,
  width: number,
  height: number,
): Promise<Georeference> {
  const keys = await geoKeys(tiff, ifd);
  const code = keys.get(3072) ?? keys.get(2048) ?? 0;
  const crs = code > 0 && code < 32767 ? `EPSG:${code}` : undefined;
  const pixels: Georeference = { bounds: [0, 0, width, height], crs };
  const matrix = await tagNumbers(tiff, ifd, 34264, 16);
  let corners: [number, number][];
  if (matrix && matrix.length === 16) {
    const [a, b, , c, d, e, , f] = matrix;
    corners = [[0, 0], [width, 0], [0, height], [width, height]].map(([x, y]) => [
      a * x + b * y + c,
      d * x + e * y + f,
    ]);
  } else {
    const scale = await tagNumbers(tiff, ifd, 33550, 3);
    const tie = await tagNumbers(tiff, ifd, 33922, 6 * 1024);
    if (!scale || scale.length < 2 || !tie || tie.length < 6) return pixels;
    const [sx, sy] = scale;
    if (!(sx > 0) || !Number.isFinite(sx) || sy === 0 || !Number.isFinite(sy)) return pixels;
    // A negative Y scale is taken as north-up, as GDAL does.
    const ry = -Math.abs(sy);
    let ox = tie[3] - tie[0] * sx, oy = tie[4] - tie[1] * ry;
    if (keys.get(1025) === 2) {
      // PixelIsPoint: the tie point is a pixel centre; move it to the corner.
      ox -= sx / 2;
      oy -= ry / 2;
    }
    corners = [[ox, oy], [ox + sx * width, oy + ry * height]];
  }
  const xs = corners.map((p) => p[0]), ys = corners.map((p) => p[1]);
  const bounds: Georeference["bounds"] = [
    Math.min(...xs),
    Math.min(...ys),
    Math.max(...xs),
    Math.max(...ys),
  ];
  return bounds.every(Number.isFinite) && bounds[0] < bounds[2] && bounds[1] < bounds[3]
    ? { bounds, crs }
    : pixels;
}
