/**
 * A small, deterministic GeoTIFF writer for the emulator's result rasters and
 * for test fixtures. geotiff.js ships a writer too, but it writes one
 * uncompressed strip, slowly, and cannot write a nodata value; this one writes
 * tiles or strips, DEFLATE/LZW/PackBits, predictors, band or pixel
 * interleaving, the GDAL_NODATA tag and COG-like overviews.
 *
 * Layout: little-endian classic TIFF, all IFDs first (main image, then the
 * overviews), then the blocks of the smallest overview up to the main image.
 *
 * @module
 */

import { ConfigError } from "../../errors.ts";
import {
  applyPredictorEncode,
  type Compression,
  COMPRESSION_CODES,
  encodeBlock,
} from "./encode.ts";
import { buildIfd, type Tag } from "./ifd.ts";

export type { Compression } from "./encode.ts";
/** Typed arrays accepted as bands. */
export type BandArray =
  | Uint8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** What to write. */
export interface GeoTiffSpec {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** One array per band, row-major, all of the same type. */
  bands: BandArray[];
  /** EPSG code: 4000–4999 are written as geographic, anything else as projected. */
  epsg: number;
  /** x, y of the upper-left corner of the upper-left pixel, in CRS units. */
  origin: [number, number];
  /** Positive x and y pixel size. */
  pixelSize: [number, number];
  /** Nodata value, written as the GDAL_NODATA tag. */
  nodata?: number;
  /** Tile size in pixels; default 256; 0 writes strips. */
  tileSize?: number;
  /** Default "deflate". */
  compression?: Compression;
  /** Default 1 (none); 2 horizontal differencing for integers, 3 for floats. */
  predictor?: 1 | 2 | 3;
  /** Default "pixel" (PlanarConfiguration 1); "band" writes PlanarConfiguration 2. */
  interleave?: "pixel" | "band";
  /** Reduction factors of overviews, e.g. [2, 4]; each is averaged ignoring nodata. */
  overviews?: number[];
}

interface Level {
  width: number;
  height: number;
  bands: BandArray[];
}

/**
 * Writes a GeoTIFF to memory.
 *
 * @example
 * ```ts
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({
 *   width: 2, height: 2, bands: [new Uint8Array([1, 2, 3, 4])],
 *   epsg: 32633, origin: [500000, 5000000], pixelSize: [10, 10],
 * });
 * if (bytes[0] !== 0x49) throw new Error("expected little-endian");
 * ```
 */
export async function writeGeoTiff(spec: GeoTiffSpec): Promise<Uint8Array> {
  validate(spec);
  const tileSize = spec.tileSize ?? 256;
  const compression = spec.compression ?? "deflate";
  const predictor = spec.predictor ?? 1;
  const planar = spec.interleave === "band" ? 2 : 1;
  const levels: Level[] = [{ width: spec.width, height: spec.height, bands: spec.bands }];
  const factors = [1];
  for (const f of spec.overviews ?? []) {
    if (!(Number.isInteger(f) && f > 1)) {
      throw specError(
        "overviews",
        `overview factor ${f} is not an integer above 1`,
        "use factors such as [2, 4]",
      );
    }
    // Cascading from the previous overview is much cheaper than from the full image.
    const k = f % factors[factors.length - 1] === 0 ? factors.length - 1 : 0;
    levels.push(reduce(levels[k], f / factors[k], spec.nodata));
    factors.push(f);
  }
  const blocksPerLevel: Uint8Array[][] = [];
  for (const level of levels) {
    blocksPerLevel.push(await encodeLevel(level, tileSize, compression, predictor, planar));
  }
  const ifds = levels.map((level, i) => (offsets: number[], counts: number[]) =>
    tagsFor(spec, level, i > 0, tileSize, compression, predictor, planar, offsets, counts)
  );
  // First pass with placeholder offsets sizes every IFD; offsets do not change sizes.
  const sizes = ifds.map((make, i) => {
    const n = blocksPerLevel[i].length;
    return buildIfd(make(new Array(n).fill(0), new Array(n).fill(0)), 0, 0).length;
  });
  const ifdStart: number[] = [];
  let pos = 8;
  for (const size of sizes) {
    ifdStart.push(pos);
    pos += size;
  }
  const blockOffsets: number[][] = levels.map(() => []);
  for (let i = levels.length - 1; i >= 0; i--) {
    for (const block of blocksPerLevel[i]) {
      blockOffsets[i].push(pos);
      pos += block.length + (block.length & 1);
    }
  }
  if (pos > 0xffffffff) {
    throw specError(
      "bands",
      `a GeoTIFF of ${pos} bytes needs BigTIFF`,
      "write fewer or smaller bands",
    );
  }
  const out = new Uint8Array(pos);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0x4949, true);
  view.setUint16(2, 42, true);
  view.setUint32(4, 8, true);
  levels.forEach((_, i) => {
    const counts = blocksPerLevel[i].map((b) => b.length);
    const next = i + 1 < levels.length ? ifdStart[i + 1] : 0;
    out.set(buildIfd(ifds[i](blockOffsets[i], counts), ifdStart[i], next), ifdStart[i]);
    blocksPerLevel[i].forEach((b, k) => out.set(b, blockOffsets[i][k]));
  });
  return out;
}

function validate(spec: GeoTiffSpec): void {
  const { width, height, bands } = spec;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw specError("width", `invalid raster size ${width}x${height}`, "use positive integers");
  }
  if (bands.length === 0) {
    throw specError("bands", "no bands given", "pass at least one band array");
  }
  for (const [i, b] of bands.entries()) {
    if (b.constructor !== bands[0].constructor || b.length !== width * height) {
      throw specError(
        "bands",
        `band ${i + 1} is not a ${bands[0].constructor.name} of ${width * height} values`,
        "pass bands of one type and of width x height values",
      );
    }
  }
  const bytes = bands[0].BYTES_PER_ELEMENT;
  const float = bands[0] instanceof Float32Array || bands[0] instanceof Float64Array;
  if (spec.predictor === 3 && !float) {
    throw specError("predictor", "predictor 3 is for floating point bands", "use predictor 2");
  }
  if (spec.predictor === 2 && (float || bytes > 4)) {
    throw specError("predictor", "predictor 2 is for integer bands", "use predictor 3 for floats");
  }
  if ((spec.tileSize ?? 256) % 16 !== 0) {
    throw specError(
      "tileSize",
      `tile size ${spec.tileSize} is not a multiple of 16`,
      "use e.g. 256",
    );
  }
}

function sampleFormat(band: BandArray): number {
  if (band instanceof Float32Array || band instanceof Float64Array) return 3;
  return band instanceof Int16Array ? 2 : 1;
}

function tagsFor(
  spec: GeoTiffSpec,
  level: Level,
  overview: boolean,
  tileSize: number,
  compression: Compression,
  predictor: number,
  planar: number,
  offsets: number[],
  counts: number[],
): Tag[] {
  const spp = level.bands.length;
  const bits = level.bands[0].BYTES_PER_ELEMENT * 8;
  const rgb = spp >= 3 && bits === 8 && sampleFormat(level.bands[0]) === 1;
  const tags: Tag[] = [
    { id: 254, type: "LONG", values: [overview ? 1 : 0] },
    { id: 256, type: "LONG", values: [level.width] },
    { id: 257, type: "LONG", values: [level.height] },
    { id: 258, type: "SHORT", values: new Array(spp).fill(bits) },
    { id: 259, type: "SHORT", values: [COMPRESSION_CODES[compression]] },
    { id: 262, type: "SHORT", values: [rgb ? 2 : 1] },
    { id: 277, type: "SHORT", values: [spp] },
    { id: 284, type: "SHORT", values: [planar] },
    { id: 339, type: "SHORT", values: new Array(spp).fill(sampleFormat(level.bands[0])) },
  ];
  if (tileSize > 0) {
    tags.push(
      { id: 322, type: "LONG", values: [tileSize] },
      { id: 323, type: "LONG", values: [tileSize] },
      { id: 324, type: "LONG", values: offsets },
      { id: 325, type: "LONG", values: counts },
    );
  } else {
    tags.push(
      { id: 273, type: "LONG", values: offsets },
      { id: 278, type: "LONG", values: [rowsPerStrip(level, spec.interleave === "band")] },
      { id: 279, type: "LONG", values: counts },
    );
  }
  if (predictor !== 1) tags.push({ id: 317, type: "SHORT", values: [predictor] });
  const extra = spp - (rgb ? 3 : 1);
  if (extra > 0) tags.push({ id: 338, type: "SHORT", values: new Array(extra).fill(0) });
  if (!overview) {
    const geographic = spec.epsg >= 4000 && spec.epsg < 5000;
    const keys = [
      [1024, 0, 1, geographic ? 2 : 1], // GTModelType
      [1025, 0, 1, 1], // GTRasterType: PixelIsArea
      geographic ? [2048, 0, 1, spec.epsg] : [3072, 0, 1, spec.epsg],
    ];
    tags.push(
      { id: 33550, type: "DOUBLE", values: [spec.pixelSize[0], spec.pixelSize[1], 0] },
      { id: 33922, type: "DOUBLE", values: [0, 0, 0, spec.origin[0], spec.origin[1], 0] },
      { id: 34735, type: "SHORT", values: [1, 1, 0, keys.length, ...keys.flat()] },
    );
  }
  if (spec.nodata !== undefined) {
    tags.push({ id: 42113, type: "ASCII", values: formatNodata(spec.nodata) });
  }
  return tags.sort((a, b) => a.id - b.id);
}

function formatNodata(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return String(value);
}

function rowsPerStrip(level: Level, band: boolean): number {
  // About 8 KiB per strip, like GDAL's default.
  const rowBytes = level.width * level.bands[0].BYTES_PER_ELEMENT * (band ? 1 : level.bands.length);
  return Math.max(1, Math.min(level.height, Math.floor(8192 / rowBytes)));
}

async function encodeLevel(
  level: Level,
  tileSize: number,
  compression: Compression,
  predictor: number,
  planar: number,
): Promise<Uint8Array[]> {
  const { width, height, bands } = level;
  const bw = tileSize > 0 ? tileSize : width;
  const bh = tileSize > 0 ? tileSize : rowsPerStrip(level, planar === 2);
  const across = Math.ceil(width / bw), down = Math.ceil(height / bh);
  const groups = planar === 2 ? bands.map((b) => [b]) : [bands];
  const Ctor = bands[0].constructor as new (n: number) => BandArray;
  const out: Uint8Array[] = [];
  for (const group of groups) {
    const spp = group.length;
    for (let ty = 0; ty < down; ty++) {
      for (let tx = 0; tx < across; tx++) {
        // Strips are cut short at the bottom; tiles are always whole (zero padded).
        const rows = tileSize > 0 ? bh : Math.min(bh, height - ty * bh);
        const block = new Ctor(bw * rows * spp);
        const x0 = tx * bw, y0 = ty * bh;
        const cols = Math.min(bw, width - x0);
        for (let y = 0; y < rows && y0 + y < height; y++) {
          const src = (y0 + y) * width + x0;
          let dst = y * bw * spp;
          for (let x = 0; x < cols; x++) {
            for (let s = 0; s < spp; s++) block[dst++] = group[s][src + x];
          }
        }
        const bytes = new Uint8Array(block.buffer);
        if (predictor !== 1) {
          applyPredictorEncode(
            bytes,
            predictor as 2 | 3,
            block.BYTES_PER_ELEMENT,
            bw * spp,
            rows,
            spp,
          );
        }
        out.push(await encodeBlock(bytes, compression));
      }
    }
  }
  return out;
}

function reduce(level: Level, f: number, nodata?: number): Level {
  const width = Math.ceil(level.width / f), height = Math.ceil(level.height / f);
  const bands = level.bands.map((band) => {
    const Ctor = band.constructor as new (n: number) => BandArray;
    const out = new Ctor(width * height);
    const isInt = !(band instanceof Float32Array || band instanceof Float64Array);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0, n = 0;
        for (let yy = y * f; yy < Math.min(level.height, y * f + f); yy++) {
          for (let xx = x * f; xx < Math.min(level.width, x * f + f); xx++) {
            const v = band[yy * level.width + xx];
            if (v === nodata || Number.isNaN(v)) continue;
            sum += v;
            n++;
          }
        }
        out[y * width + x] = n === 0 ? (nodata ?? NaN) : isInt ? Math.round(sum / n) : sum / n;
      }
    }
    return out;
  });
  return { width, height, bands };
}

function specError(setting: string, problem: string, fix: string): ConfigError {
  return new ConfigError({ setting, problem, fix });
}
