/**
 * Where a GeoTIFF lies: its outer edges in its CRS and the EPSG code of
 * that CRS, from the GeoKeys and the model tie point, pixel scale or
 * transformation.
 *
 * @module
 */
import type { GeoTIFFImage } from "geotiff";

/** Outer edges and CRS of a raster. */
export interface Georeference {
  /** Outer edges [minX, minY, maxX, maxY] in CRS units (pixel units without georeference). */
  bounds: [number, number, number, number];
  /** "EPSG:nnnn" from the GeoKeys, undefined when the file has none. */
  crs?: string;
}

/**
 * The georeference of a GeoTIFF image.
 *
 * @example
 * ```ts
 * import { georeference } from "./georef.ts";
 * import { fromArrayBuffer } from "geotiff";
 * import { writeGeoTiff } from "../emulator/tiff/writer.ts";
 * const bytes = await writeGeoTiff({ width: 2, height: 2, bands: [new Uint8Array(4)], epsg: 32633, origin: [500000, 5000000], pixelSize: [10, 10] });
 * const image = await (await fromArrayBuffer(bytes.slice().buffer)).getImage();
 * const { bounds, crs } = georeference(image);
 * if (crs !== "EPSG:32633" || bounds.join() !== "500000,4999980,500020,5000000") throw new Error(bounds.join());
 * ```
 */
export function georeference(image: GeoTIFFImage): Georeference {
  const keys = image.getGeoKeys() ?? {};
  const code = Number(keys.ProjectedCSTypeGeoKey ?? keys.GeographicTypeGeoKey);
  const crs = code > 0 && code < 32767 ? `EPSG:${code}` : undefined;
  const w = image.getWidth(), h = image.getHeight();
  try {
    if (image.fileDirectory.getValue("ModelTransformation")) {
      return { bounds: image.getBoundingBox() as Georeference["bounds"], crs };
    }
    let [ox, oy] = image.getOrigin();
    const [rx, ry] = image.getResolution();
    if (keys.GTRasterTypeGeoKey === 2) {
      // PixelIsPoint: the tie point is a pixel centre; move it to the corner.
      ox -= rx / 2;
      oy -= ry / 2;
    }
    const xs = [ox, ox + rx * w], ys = [oy, oy + ry * h];
    const bounds: Georeference["bounds"] = [
      Math.min(...xs),
      Math.min(...ys),
      Math.max(...xs),
      Math.max(...ys),
    ];
    return bounds.every(Number.isFinite) ? { bounds, crs } : { bounds: [0, 0, w, h], crs };
  } catch {
    return { bounds: [0, 0, w, h], crs };
  }
}
