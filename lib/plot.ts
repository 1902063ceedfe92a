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

import { ConfigError, errorLine, RasterError } from "./errors.ts";
import { base64, blend, decodeImage, JUPYTER_DISPLAY, resize, toPng, whiteCanvas } from "./png.ts";
import { colormapLut } from "./raster_colormap.ts";
import { type PlotInput, selectInputs, stem, writeFileAtomic } from "./raster_files.ts";
import type { Stretch } from "./raster_stretch.ts";
import { checkBands, renderRaster } from "./render_raster.ts";
import { drawText, fitText } from "./text.ts";

export type { PlotInput } from "./raster_files.ts";

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
  /** PNG file to write (atomically); nothing is written when omitted. */
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

/** A plotted figure. In a Deno Jupyter notebook it displays as the image. */
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

type Draw = (
  input: { name: string; source: string | { name: string; bytes: Uint8Array } },
  box: [number, number],
) => Promise<{
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}>;

function figureSize(o: PlotOptions, fallback: [number, number]): [number, number] {
  const [w, h] = o.size ?? (o.figsize ?? fallback).map((v) => Math.round(v * 100));
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 50 && h >= 50 && w * h <= 64e6)) {
    throw new ConfigError(`figure size ${w}x${h} pixels is out of range: use 50 to 8000 per side`);
  }
  return [w, h];
}

async function plot(o: PlotOptions, formats: string[], fallback: [number, number], draw: Draw) {
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
    const title = fitText(o.titles?.[i] ?? stem(input.name), font, cellW - 2 * pad);
    drawText(canvas, title, cx + cellW / 2, y - titleH + Math.round(font * 0.2), font);
  }
  const png = toPng(canvas);
  const result: PlotResult = { png: png as Uint8Array<ArrayBuffer>, width: W, height: H };
  if (o.output) result.path = await writeFileAtomic(o.output, png);
  Object.defineProperty(result, JUPYTER_DISPLAY, {
    value: () => ({ "image/png": base64(png) }),
    enumerable: false,
  });
  return result;
}

/**
 * Plots GeoTIFF results: one raster fills the figure, several are laid out
 * three per row under their titles. Nodata shows the white background.
 *
 * @example
 * ```ts ignore
 * import { plotResults } from "./plot.ts";
 * const fig = await plotResults({ filepaths: ["results/"], bands: [4, 3, 2], output: "plot.png" });
 * console.log(fig.path, fig.width, fig.height);
 * ```
 */
export async function plotResults(options: PlotResultsOptions): Promise<PlotResult> {
  if (options.bands) checkBands(options.bands);
  if (options.cmap) colormapLut(options.cmap);
  return await plot(options, [".tif", ".tiff"], [14, 8], async (input, box) => {
    return await renderRaster(input.source, {
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
 * ```ts ignore
 * import { plotQuicklooks } from "./plot.ts";
 * const fig = await plotQuicklooks({ filepaths: ["quicklooks/"] });
 * await Deno.writeFile("quicklooks.png", fig.png);
 * ```
 */
export async function plotQuicklooks(options: PlotOptions): Promise<PlotResult> {
  return await plot(options, [".jpg", ".jpeg", ".png"], [8, 8], async (input, box) => {
    let bytes: Uint8Array;
    if (typeof input.source === "string") {
      try {
        bytes = await Deno.readFile(input.source);
      } catch (e) {
        throw new RasterError(`${input.name}: cannot read (${errorLine(e)})`, { cause: e });
      }
    } else bytes = input.source.bytes;
    const img = decodeImage(bytes, input.name);
    const scale = Math.min(box[0] / img.width, box[1] / img.height);
    const w = Math.max(1, Math.round(img.width * scale)),
      h = Math.max(1, Math.round(img.height * scale));
    return resize(img, w, h);
  });
}
