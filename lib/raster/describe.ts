/**
 * What a render needs to know about a GeoTIFF before reading pixels: size,
 * bands, sample type, nodata, alpha, and its overviews and masks sorted out
 * of its image directories.
 *
 * @module
 */
import type { GeoTIFF, GeoTIFFImage } from "geotiff";
import { errorLine, RasterError } from "../errors.ts";

/** What a render needs to know about a GeoTIFF before reading pixels. */
export interface RasterInfo {
  /** Full-resolution width in pixels. */
  width: number;
  /** Full-resolution height in pixels. */
  height: number;
  /** Samples per pixel, alpha included (like GDAL's band count). */
  bandCount: number;
  /** Sample format: "uint8", "uint16", "int16", "uint32", "int32", "float32", ... */
  dtype: string;
  /** GDAL_NODATA value, if the file has one. */
  nodata?: number;
  /** 0-based index of an alpha sample (ExtraSamples 1 or 2), if any. */
  alphaSample?: number;
  /** Full image first, then its overviews, largest first. */
  levels: GeoTIFFImage[];
  /** Internal (GDAL) masks, matched to levels by size. */
  masks: GeoTIFFImage[];
}

const FORMATS: Record<number, string> = { 1: "uint", 2: "int", 3: "float" };

/**
 * Reads the directories of a GeoTIFF and sorts them into levels and masks.
 *
 * @example
 * ```ts
 * import { openRaster } from "./source.ts";
 * import { describeRaster } from "./describe.ts";
 * import { writeGeoTiff } from "../emulator/tiff/writer.ts";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array(8), new Uint8Array(8)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const { tiff, name } = await openRaster({ name: "a.tif", bytes });
 * if ((await describeRaster(tiff, name)).bandCount !== 2) throw new Error();
 * ```
 */
export async function describeRaster(tiff: GeoTIFF, name: string): Promise<RasterInfo> {
  let count: number;
  try {
    count = await tiff.getImageCount();
  } catch (e) {
    throw new RasterError({
      file: name,
      reason: "corrupt",
      detail: `undecodable TIFF directory (${errorLine(e)})`,
    }, { cause: e });
  }
  const main = await tiff.getImage(0);
  const spp = main.getSamplesPerPixel();
  const levels = [main], masks: GeoTIFFImage[] = [];
  for (let i = 1; i < count; i++) {
    const img = await tiff.getImage(i);
    const kind = Number(img.fileDirectory.getValue("NewSubfileType") ?? 0);
    const photometric = img.fileDirectory.getValue("PhotometricInterpretation");
    if ((kind & 4) !== 0 || photometric === 4) masks.push(img);
    else if ((kind & 1) !== 0 && img.getSamplesPerPixel() === spp) levels.push(img);
  }
  levels.sort((a, b) => b.getWidth() - a.getWidth());
  const bits = main.getBitsPerSample(0);
  const format = main.getSampleFormat(0);
  const extra = Array.from((main.fileDirectory.getValue("ExtraSamples") ?? []) as number[]);
  const alphaIndex = extra.findIndex((v) => v === 1 || v === 2);
  const nodata = main.getGDALNoData();
  return {
    width: main.getWidth(),
    height: main.getHeight(),
    bandCount: spp,
    dtype: `${FORMATS[format] ?? "uint"}${bits}`,
    nodata: nodata === null ? undefined : nodata,
    alphaSample: alphaIndex >= 0 ? spp - extra.length + alphaIndex : undefined,
    levels,
    masks,
  };
}
