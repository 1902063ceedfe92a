/**
 * What a render needs to know about a GeoTIFF before reading pixels: size,
 * bands, sample layout, nodata, alpha, colour table, and its overviews and
 * masks sorted out of its image directories. Every declared size is checked
 * here, before any pixel is read: the pixel count against the limits, the
 * sample layout against what can be decoded; a layout that cannot be read
 * is named (`unsupported`), one that cannot exist is `corrupt`.
 *
 * @module
 */
import { RasterError } from "../errors.ts";
import type { BlockSpec } from "./block.ts";
import { unsupportedCompression } from "./compression/mod.ts";
import { type Ifd, tagBytes, tagNumber, tagNumbers, tagText, type TiffFile } from "./ifd.ts";
import { limitError, type RasterLimits } from "./limits.ts";

/** One image of the file (the full image, an overview or a mask) and its block grid. */
export interface Level {
  /** Its directory. */
  ifd: Ifd;
  /** Size in pixels. */
  width: number;
  height: number;
  /** Samples per pixel as stored. */
  spp: number;
  /** Tiles (true) or strips. */
  tiled: boolean;
  /** Block size: tile size, or image width x rows per strip. */
  blockWidth: number;
  blockHeight: number;
  /** Blocks across and down (per sample plane when planar). */
  across: number;
  down: number;
  /** How a block decodes, less its size and nodata. */
  codec: Omit<BlockSpec, "width" | "rows" | "nodata">;
}

/** What a render needs to know about a GeoTIFF before reading pixels. */
export interface RasterInfo {
  /** The container. */
  tiff: TiffFile;
  /** Full-resolution width in pixels. */
  width: number;
  /** Full-resolution height in pixels. */
  height: number;
  /** Bands as GDAL counts them (alpha included; 8-bit CMYK is R, G, B, A). */
  bandCount: number;
  /** Sample type: "uint8", "uint12", "int16", "float16", "float32", "uint64", ... */
  dtype: string;
  /** Bits per sample. */
  bits: number;
  /** GDAL_NODATA value, if the file has one. */
  nodata?: number;
  /** 0-based index of an alpha band, if any. */
  alphaSample?: number;
  /** RGBA colour table of a palette image (4 bytes per entry; the nodata entry has alpha 0). */
  palette?: Uint8Array;
  /** Full image first, then its overviews, largest first. */
  levels: Level[];
  /** Internal (GDAL) masks, matched to levels by size. */
  masks: Level[];
}

const T = {
  subfile: 254,
  width: 256,
  height: 257,
  bits: 258,
  compression: 259,
  photometric: 262,
  stripOffsets: 273,
  spp: 277,
  rowsPerStrip: 278,
  planar: 284,
  predictor: 317,
  colorMap: 320,
  tileWidth: 322,
  tileLength: 323,
  extraSamples: 338,
  sampleFormat: 339,
  jpegTables: 347,
  nodata: 42113,
  lerc: 50674,
} as const;

function fault(name: string, reason: "corrupt" | "unsupported", detail: string): RasterError {
  return new RasterError({ file: name, reason, detail });
}

/** Reads and checks one directory's image layout. */
async function readLevel(tiff: TiffFile, ifd: Ifd, limits: RasterLimits): Promise<Level> {
  const name = tiff.name;
  const num = (tag: number, fallback: number) => tagNumber(tiff, ifd, tag, fallback);
  const width = await num(T.width, 0), height = await num(T.height, 0);
  if (!(width >= 1 && height >= 1)) {
    throw fault(name, "corrupt", `the image declares a size of ${width} x ${height} pixels`);
  }
  if (width * height > limits.maxPixels) {
    throw limitError(
      name,
      "maxPixels",
      `the image declares ${width} x ${height} pixels`,
      limits.maxPixels,
    );
  }
  const spp = await num(T.spp, 1);
  if (!(spp >= 1)) throw fault(name, "corrupt", `the image declares ${spp} samples per pixel`);
  const bitsList = await tagNumbers(tiff, ifd, T.bits, 65535) ?? Float64Array.of(1);
  const bits = bitsList[0];
  if (bitsList.some((b) => b !== bits)) {
    throw fault(name, "unsupported", `samples of different bit depths (${bitsList.join(", ")})`);
  }
  const formatCode = await num(T.sampleFormat, 1);
  const format = formatCode === 2 ? "int" : formatCode === 3 ? "float" : "uint";
  if (formatCode > 4 || formatCode < 1) {
    throw fault(name, "unsupported", `sample format ${formatCode} (complex numbers)`);
  }
  const okBits = format === "float"
    ? bits === 16 || bits === 32 || bits === 64
    : (bits >= 1 && bits <= 32) || bits === 64;
  if (!okBits) {
    throw fault(
      name,
      bits === 0 ? "corrupt" : "unsupported",
      `${bits}-bit ${format === "float" ? "floating point" : "integer"} samples`,
    );
  }
  const compression = await num(T.compression, 1);
  const why = unsupportedCompression(compression);
  if (why) throw fault(name, "unsupported", why);
  const photometric = await num(T.photometric, spp >= 3 ? 2 : 1);
  const planar = (await num(T.planar, 1)) === 2 && spp > 1;
  const predictor = await num(T.predictor, 1);
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) {
    throw fault(name, "unsupported", `predictor ${predictor}`);
  }
  if (predictor === 3 && format !== "float") {
    throw fault(name, "unsupported", `the floating point predictor on ${format} samples`);
  }
  if (predictor === 2 && ![8, 16, 32, 64].includes(bits)) {
    throw fault(name, "unsupported", `horizontal differencing with ${bits}-bit samples`);
  }
  const tiled = ifd.entries.has(T.tileWidth) || ifd.entries.has(324);
  let blockWidth = width, blockHeight: number;
  if (tiled) {
    blockWidth = await num(T.tileWidth, 0);
    blockHeight = await num(T.tileLength, 0);
    if (!(blockWidth >= 1 && blockHeight >= 1)) {
      throw fault(name, "corrupt", `the image declares ${blockWidth} x ${blockHeight} tiles`);
    }
  } else {
    blockHeight = Math.min(height, await num(T.rowsPerStrip, height));
    if (!(blockHeight >= 1)) throw fault(name, "corrupt", "the image declares 0 rows per strip");
  }
  let colour: BlockSpec["colour"] = "raw";
  if (photometric === 5 && bits === 8 && spp >= 4 && (await num(332, 1)) === 1) colour = "cmyk";
  if (photometric === 6 && compression === 7 && spp >= 3 && !planar) colour = "ycbcr";
  if (photometric === 6 && compression !== 7) {
    throw fault(name, "unsupported", "YCbCr samples without JPEG compression");
  }
  const codec: Level["codec"] = {
    compression,
    samples: planar ? 1 : spp,
    planar,
    bits,
    format,
    predictor,
    littleEndian: tiff.littleEndian,
    colour,
    jpegTables: compression === 7 ? await tagBytes(tiff, ifd, T.jpegTables) : undefined,
    lercParameters: compression === 34887
      ? Array.from(await tagNumbers(tiff, ifd, T.lerc, 16) ?? [])
      : undefined,
  };
  return {
    ifd,
    width,
    height,
    spp,
    tiled,
    blockWidth,
    blockHeight,
    across: Math.ceil(width / blockWidth),
    down: Math.ceil(height / blockHeight),
    codec,
  };
}

/**
 * GDAL's reading of a GDAL_NODATA text: a number, `nan`, `inf` or `-inf`.
 *
 * @example
 * ```ts
 * import { parseNodata } from "./describe.ts";
 * if (parseNodata("-1.27e+30") !== -1.27e30 || !Number.isNaN(parseNodata("nan"))) throw new Error();
 * ```
 */
export function parseNodata(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === "nan" || t === "-nan") return NaN;
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  const n = Number(t);
  return t && Number.isFinite(n) ? n : undefined;
}

/** The RGBA table of a palette image, as GDAL builds it; undefined without a valid ColorMap. */
async function colourTable(
  tiff: TiffFile,
  ifd: Ifd,
  bits: number,
  nodata: number | undefined,
): Promise<Uint8Array | undefined> {
  if (bits > 16) return undefined;
  const n = 2 ** bits;
  const map = await tagNumbers(tiff, ifd, T.colorMap, 3 * 65536);
  if (!map || map.length !== 3 * n) return undefined;
  // 16-bit entries; a table whose entries all fit in 8 bits is taken as 8-bit (as GDAL does).
  const divisor = map.some((v) => v > 255) ? 257 : 1;
  const table = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    table[i * 4] = Math.round(map[i] / divisor);
    table[i * 4 + 1] = Math.round(map[n + i] / divisor);
    table[i * 4 + 2] = Math.round(map[2 * n + i] / divisor);
    table[i * 4 + 3] = i === nodata ? 0 : 255;
  }
  return table;
}

/**
 * Sorts a file's directories into levels and masks and checks the full image.
 *
 * @example
 * ```ts
 * import { memorySource } from "./bytes.ts";
 * import { readTiff } from "./ifd.ts";
 * import { describeRaster } from "./describe.ts";
 * import { DEFAULT_RASTER_LIMITS } from "@up42/jobtask/raster";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 4, height: 2, bands: [new Uint8Array(8), new Uint8Array(8)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] });
 * const tiff = await readTiff(memorySource(bytes), "a.tif", DEFAULT_RASTER_LIMITS);
 * if ((await describeRaster(tiff, DEFAULT_RASTER_LIMITS)).bandCount !== 2) throw new Error();
 * ```
 */
export async function describeRaster(tiff: TiffFile, limits: RasterLimits): Promise<RasterInfo> {
  const mainIfd = tiff.ifds[0];
  const main = await readLevel(tiff, mainIfd, limits);
  const levels = [main], masks: Level[] = [];
  for (const ifd of tiff.ifds.slice(1)) {
    const kind = await tagNumber(tiff, ifd, T.subfile, 0);
    const photometric = await tagNumber(tiff, ifd, T.photometric, 1);
    const isMask = (kind & 4) !== 0 || photometric === 4;
    if (!isMask && (kind & 1) === 0) continue;
    let level: Level;
    try {
      level = await readLevel(tiff, ifd, limits);
    } catch {
      continue; // an unreadable overview or mask is skipped, the full image still renders
    }
    if (isMask) masks.push(level);
    else if (level.spp === main.spp && level.width < main.width) levels.push(level);
  }
  levels.sort((a, b) => b.width - a.width);
  const { bits, format, colour } = main.codec;
  const extra = Array.from(await tagNumbers(tiff, mainIfd, T.extraSamples, 65535) ?? []);
  const alphaIndex = extra.findIndex((v) => v === 1 || v === 2);
  const nodata = parseNodata(await tagText(tiff, mainIfd, T.nodata, 1024));
  const photometric = await tagNumber(tiff, mainIfd, T.photometric, 1);
  const palette = photometric === 3 && main.spp === 1 && format === "uint"
    ? await colourTable(tiff, mainIfd, bits, nodata)
    : undefined;
  const jpeg = main.codec.compression === 7;
  return {
    tiff,
    width: main.width,
    height: main.height,
    bandCount: main.spp,
    dtype: colour === "cmyk" || jpeg ? "uint8" : `${format}${bits}`,
    bits: colour === "cmyk" || jpeg ? 8 : bits,
    nodata,
    alphaSample: colour === "cmyk"
      ? 3
      : alphaIndex >= 0
      ? main.spp - extra.length + alphaIndex
      : undefined,
    palette,
    levels,
    masks,
  };
}
