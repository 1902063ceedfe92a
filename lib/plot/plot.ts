/**
 * PNG figures of results (GeoTIFFs) and quicklooks (PNG/JPEG), like the
 * Python SDK's `plot_results` and `plot_quicklooks`: one image fills the
 * figure, several are laid out three per row, each under its title, on a
 * white background.
 *
 * Inputs are paths (files or folders) or `{ name, bytes }` objects, so a
 * process without file system access (an edge function) can plot results it
 * holds in memory: pass the bytes and omit `output`.
 *
 * @module
 */
import { ConfigError, errorLine, PermissionError, RasterError } from "../errors.ts";
import { writeFileAtomic } from "../files/atomic_write.ts";
import { isPermissionFailure } from "../files/permission.ts";
import { decodeImage } from "../image/decode.ts";
import { encodePng } from "../image/png.ts";
import { blend, resize, type RgbaImage, whiteCanvas } from "../image/rgba.ts";
import { drawText, fitText } from "../image/text.ts";
import { colormapLut } from "../raster/colormap.ts";
import { checkBands } from "../raster/options.ts";
import { renderRaster } from "../raster/render.ts";
import type { Stretch } from "../raster/stretch.ts";
import { inputName, type PlotInput, type SelectedInput, selectInputs, stem } from "./inputs.ts";

/** Options shared by {@linkcode plotResults} and {@linkcode plotQuicklooks}. */
export interface PlotOptions {
  /** Files, folders (walked for accepted formats) or `{ name, bytes }`; other formats are skipped. */
  filepaths: PlotInput[] | PlotInput;
  /** Titles, in input order; default the file names without extension. */
  titles?: string[];
  /** Figure size in inches at 100 dpi; default (14, 8) for results, (8, 8) for quicklooks. */
  figsize?: [number, number];
  /** Figure size in pixels; overrides figsize. */
  size?: [number, number];
  /** Accepted extensions; default [".tif", ".tiff"] for results, [".jpg", ".jpeg", ".png"] for quicklooks. */
  plotFileFormat?: string[];
  /** PNG file to write (atomically; needs `--allow-write` for its folder); nothing is written when omitted. */
  output?: string;
}

/** Options of {@linkcode plotResults}. */
export interface PlotResultsOptions extends PlotOptions {
  /** 1-based bands, one or three; default [1, 2, 3] ([1] for files with fewer bands). */
  bands?: number[];
  /** Contrast stretch; default "auto". */
  stretch?: Stretch;
  /** Colour map for one band; default "gray". */
  cmap?: string;
}

/** A plotted figure: plain data. */
export interface PlotResult {
  /** The figure as PNG bytes. */
  png: Uint8Array<ArrayBuffer>;
  /** Figure width in pixels. */
  width: number;
  /** Figure height in pixels. */
  height: number;
  /** Absolute path written, when `output` was given. */
  path?: string;
}

type Draw = (input: SelectedInput, box: [number, number]) => Promise<RgbaImage>;

function figureSize(o: PlotOptions, fallback: [number, number]): [number, number] {
  const [w, h] = o.size ?? (o.figsize ?? fallback).map((v) => Math.round(v * 100));
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 50 && h >= 50 && w * h <= 64e6)) {
    throw new ConfigError({
      setting: o.size ? "size" : "figsize",
      problem: `figure size ${w}x${h} pixels is out of range`,
      fix: "use 50 to 8000 pixels per side",
    });
  }
  return [w, h];
}

async function plot(
  o: PlotOptions,
  formats: string[],
  fallback: [number, number],
  draw: Draw,
): Promise<PlotResult> {
  const [W, H] = figureSize(o, fallback);
  const list = Array.isArray(o.filepaths) ? o.filepaths : [o.filepaths];
  const inputs = await selectInputs(list, o.plotFileFormat ?? formats);
  const n = inputs.length;
  const cols = n === 1 ? 1 : 3, rows = Math.ceil(n / cols);
  const cellW = Math.floor(W / cols), cellH = Math.floor(H / rows);
  const font = Math.max(10, Math.min(18, Math.round(Math.min(cellW / 28, cellH / 14))));
  const pad = Math.round(font * 0.6), titleH = Math.round(font * 1.6);
  const canvas = whiteCanvas(W, H);
  for (const [i, input] of inputs.entries()) {
    const cx = (i % cols) * cellW, cy = Math.floor(i / cols) * cellH;
    const box: [number, number] = [
      Math.max(1, cellW - 2 * pad),
      Math.max(1, cellH - 2 * pad - titleH),
    ];
    const img = await draw(input, box);
    const x = cx + pad + Math.floor((box[0] - img.width) / 2);
    const y = cy + pad + titleH + Math.floor((box[1] - img.height) / 2);
    blend(canvas, img, x, y);
    const title = fitText(o.titles?.[i] ?? stem(inputName(input)), font, cellW - 2 * pad);
    drawText(canvas, title, cx + cellW / 2, y - titleH + Math.round(font * 0.2), font);
  }
  const png = encodePng(canvas);
  const result: PlotResult = { png, width: W, height: H };
  if (o.output) result.path = await writeFileAtomic(o.output, png, { setting: "output" });
  return result;
}

/**
 * Plots GeoTIFF results: one raster fills the figure, several are laid out
 * three per row under their titles. Nodata shows the white background.
 *
 * @example
 * ```ts
 * import { plotResults } from "@up42/jobtask/plot";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 64, height: 64, bands: [new Uint8Array(4096).fill(90)], epsg: 4326, origin: [13, 52], pixelSize: [0.001, 0.001] });
 * const fig = await plotResults({ filepaths: [{ name: "a.tif", bytes }], size: [300, 200] });
 * if (fig.width !== 300 || fig.png[1] !== 0x50) throw new Error();
 * ```
 */
export async function plotResults(options: PlotResultsOptions): Promise<PlotResult> {
  if (options.bands) checkBands(options.bands);
  if (options.cmap) colormapLut(options.cmap);
  return await plot(options, [".tif", ".tiff"], [14, 8], async (input, box) => {
    return await renderRaster(input, {
      fit: box,
      bands: options.bands,
      stretch: options.stretch,
      cmap: options.cmap,
    });
  });
}

/**
 * Plots quicklooks (PNG and JPEG images) in the same layout.
 *
 * @example
 * ```ts
 * import { plotQuicklooks } from "@up42/jobtask/plot";
 * import { encodePng } from "@up42/jobtask/raster";
 * const png = encodePng({ width: 2, height: 2, rgba: new Uint8ClampedArray(16).fill(200) });
 * const fig = await plotQuicklooks({ filepaths: [{ name: "q.png", bytes: png }], size: [200, 200] });
 * if (fig.height !== 200) throw new Error();
 * ```
 */
export async function plotQuicklooks(options: PlotOptions): Promise<PlotResult> {
  return await plot(options, [".jpg", ".jpeg", ".png"], [8, 8], async (input, box) => {
    const name = inputName(input);
    let bytes: Uint8Array;
    if (typeof input === "string") {
      try {
        bytes = await Deno.readFile(input);
      } catch (e) {
        if (isPermissionFailure(e)) {
          throw new PermissionError({ flag: `--allow-read=${input}`, why: `reading ${input}` });
        }
        throw new RasterError({
          file: name,
          reason: "unreadable",
          detail: `cannot read it (${errorLine(e)})`,
        }, { cause: e });
      }
    } else bytes = input.bytes;
    const img = decodeImage(bytes, name);
    const scale = Math.min(box[0] / img.width, box[1] / img.height);
    const w = Math.max(1, Math.round(img.width * scale)),
      h = Math.max(1, Math.round(img.height * scale));
    return resize(img, w, h);
  });
}
