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
import { encodePng } from "../image/png.ts";
import { blend, resize, type RgbaImage, whiteCanvas } from "../image/rgba.ts";
import { drawText, fitText, loadFont, textWidth } from "../image/text.ts";
import type { RasterLimits } from "../raster/limits.ts";
import { checkBands } from "../raster/options.ts";
import { type DecodePool, holdPool, startPool, workQueue } from "../raster/pool.ts";
import { colourTable, renderRasterOn } from "../raster/render.ts";
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
  /**
   * Images prepared at once; default the number of cores plus one (one per
   * decoding thread, one on the main thread). 1 prepares them one by one on
   * the main thread.
   */
  concurrency?: number;
}

/** Options of {@linkcode plotResults}. */
export interface PlotResultsOptions extends PlotOptions {
  /** 1-based bands, one or three; default [1, 2, 3] ([1] for files with fewer bands). */
  bands?: number[];
  /** Contrast stretch; default "auto". */
  stretch?: Stretch;
  /** Colour map for one band; default "gray". A colour-mapped band gets a colour bar with its value range. */
  cmap?: string;
  /** Decoding budgets per raster (see `DEFAULT_RASTER_LIMITS`). */
  limits?: Partial<RasterLimits>;
  /** Decode tiles on worker threads when worthwhile; default true. */
  workers?: boolean;
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

/** A drawn cell: its image, and for a colour-mapped band the bar's colours and value range. */
interface Cell {
  image: RgbaImage;
  bar?: { lut: Uint8Array; range: [number, number] };
}

/** Prepares one cell, on a worker of `pool` when given. */
type Draw = (input: SelectedInput, box: [number, number], pool?: DecodePool) => Promise<Cell>;

/**
 * Stored bytes of rasters from which a figure renders whole panels on worker
 * threads (started before the font loads, so that neither waits for the
 * other). A thread costs about 0.3 s of processor time before it works at
 * full speed, and on two cores competes with the runtime's own threads:
 * nine 3072² panels (108 MB stored) took 3.2 s one by one on the main thread
 * and 4.0 s with a worker; below this, panels are prepared concurrently on
 * the main thread, which overlaps their reads.
 */
const THREADS_BYTES = 512 * 2 ** 20;

async function storedSize(input: SelectedInput): Promise<number> {
  if (typeof input !== "string") return input.bytes.length;
  try {
    return (await Deno.stat(input)).size;
  } catch {
    return 0; // the render reports it
  }
}

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

/**
 * A value label short enough for a colour bar: 4 significant digits, with
 * an exponent for very large or small magnitudes.
 *
 * @example
 * ```ts
 * import { barLabel } from "./plot.ts";
 * if (barLabel(1234.5678) !== "1235" || barLabel(0.000025) !== "2.5e-5") throw new Error();
 * ```
 */
export function barLabel(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, "e").replace("e+", "e");
  return String(Number(v.toPrecision(4)));
}

/** A horizontal colour bar with low, middle and high value labels under it. */
function drawBar(
  canvas: RgbaImage,
  bar: NonNullable<Cell["bar"]>,
  x: number,
  y: number,
  width: number,
  font: number,
): void {
  const h = Math.max(6, Math.round(font * 0.7));
  for (let i = 0; i < width; i++) {
    const k = Math.min(255, Math.floor((i / Math.max(1, width - 1)) * 255)) * 3;
    for (let j = 0; j < h; j++) {
      const d = ((y + j) * canvas.width + x + i) * 4;
      if (d < 0 || d + 3 >= canvas.rgba.length) continue;
      canvas.rgba[d] = bar.lut[k];
      canvas.rgba[d + 1] = bar.lut[k + 1];
      canvas.rgba[d + 2] = bar.lut[k + 2];
      canvas.rgba[d + 3] = 255;
    }
  }
  const [lo, hi] = bar.range, size = Math.max(9, Math.round(font * 0.8));
  const labels = [lo, (lo + hi) / 2, hi].map(barLabel);
  const slot = width / 3;
  labels.forEach((text, i) => {
    const fitted = fitText(text, size, slot - 2);
    const half = textWidth(fitted, size) / 2;
    const at = [x + half, x + width / 2, x + width - half][i];
    drawText(canvas, fitted, at, y + h + 1, size);
  });
}

async function plot(
  o: PlotOptions,
  formats: string[],
  fallback: [number, number],
  draw: Draw,
  { bars = false, threads = false } = {},
): Promise<PlotResult> {
  const [W, H] = figureSize(o, fallback);
  const list = Array.isArray(o.filepaths) ? o.filepaths : [o.filepaths];
  const inputs = await selectInputs(list, o.plotFileFormat ?? formats);
  const n = inputs.length;
  const cols = n === 1 ? 1 : 3, rows = Math.ceil(n / cols);
  const cellW = Math.floor(W / cols), cellH = Math.floor(H / rows);
  const font = Math.max(10, Math.min(18, Math.round(Math.min(cellW / 28, cellH / 14))));
  const pad = Math.round(font * 0.6), titleH = Math.round(font * 1.6);
  // Room under each image for a colour bar and its labels, when one may be drawn.
  const barH = bars ? Math.round(font * 2.2) : 0;
  const box: [number, number] = [
    Math.max(1, cellW - 2 * pad),
    Math.max(1, cellH - 2 * pad - titleH - barH),
  ];
  const limit = o.concurrency ?? (navigator.hardwareConcurrency ?? 1) + 1;
  if (!(Number.isInteger(limit) && limit >= 1)) {
    throw new ConfigError({
      setting: "concurrency",
      problem: `concurrency ${limit} is not a whole number of at least 1`,
      fix: "pass 1 or more",
    });
  }
  // Cells are prepared concurrently, whole panels on worker threads and on the main thread
  // (one message each way per panel), and drawn in order.
  let firstError: unknown, errorAt = n;
  const cells = await holdPool(async () => {
    let pool: DecodePool | undefined;
    if (threads && limit > 1 && n > 1) {
      const sizes = await Promise.all(inputs.map(storedSize));
      if (sizes.reduce((a, b) => a + b, 0) >= THREADS_BYTES) pool = startPool();
    }
    const results: Cell[] = new Array(n);
    const queue = workQueue(n);
    const lane = async (on?: DecodePool) => {
      if (on) await queue.ready(on);
      for (let i = queue.take(); i !== undefined; i = queue.take()) {
        try {
          results[i] = await draw(inputs[i], box, on);
        } catch (error) {
          queue.stop();
          // Of panels failing together, the earliest in the figure's order is reported.
          if (i < errorAt) [firstError, errorAt] = [error, i];
        }
      }
    };
    // The workers start on their panels as soon as they are ready, while the font loads here.
    const lanes = pool
      ? Array.from({ length: Math.min(pool.size, limit - 1) }, () => lane(pool))
      : [];
    await loadFont();
    lanes.push(...Array.from({ length: pool ? 1 : Math.min(limit, n) }, () => lane()));
    await Promise.all(lanes);
    return results;
  });
  if (errorAt < n) throw firstError;
  const canvas = whiteCanvas(W, H);
  for (const [i, { image: img, bar }] of cells.entries()) {
    const cx = (i % cols) * cellW, cy = Math.floor(i / cols) * cellH;
    const x = cx + pad + Math.floor((box[0] - img.width) / 2);
    const y = cy + pad + titleH + Math.floor((box[1] - img.height) / 2);
    blend(canvas, img, x, y);
    const title = fitText(o.titles?.[i] ?? stem(inputName(inputs[i])), font, cellW - 2 * pad);
    drawText(canvas, title, cx + cellW / 2, y - titleH + Math.round(font * 0.2), font);
    if (bar) drawBar(canvas, bar, x, y + img.height + Math.round(font * 0.4), img.width, font);
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
  // A bar is drawn for colour-mapped single bands: room is kept when bands or a cmap ask for one.
  const bars = options.bands?.length === 1 || options.cmap !== undefined;
  // A named colour map loads only when a bar may need one; an unknown name fails here.
  const lut = bars ? await colourTable(options.cmap) : undefined;
  const draw: Draw = async (input, box, pool) => {
    const r = await renderRasterOn(pool, input, {
      fit: box,
      bands: options.bands,
      stretch: options.stretch,
      cmap: options.cmap,
      limits: options.limits,
      workers: options.workers,
    });
    const bar = lut && r.range ? { lut, range: r.range } : undefined;
    return { image: r, bar };
  };
  return await plot(options, [".tif", ".tiff"], [14, 8], draw, {
    bars,
    threads: options.workers !== false,
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
    const { decodeImage } = await import("../image/decode.ts");
    const img = decodeImage(bytes, name);
    const scale = Math.min(box[0] / img.width, box[1] / img.height);
    const w = Math.max(1, Math.round(img.width * scale)),
      h = Math.max(1, Math.round(img.height * scale));
    return { image: resize(img, w, h) };
  });
}
