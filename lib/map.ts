/**
 * A self-contained Leaflet map of job task results, like the Python SDK's
 * `map_results`: the results' features with their properties, an optional
 * AOI in red, and each result GeoTIFF reprojected to Web Mercator as an image
 * overlay. The page inlines Leaflet and the images, so it opens from disk with
 * no network but the base-map tiles.
 *
 * Inputs are paths or `{ name, bytes }`, so a process without file system
 * access (an edge function) can build a map from results it holds in memory.
 *
 * @module
 */

import { basename } from "node:path";
import { mercatorToLonLat, transformer } from "./crs.ts";
import { errorLine, MapError, Up42Error } from "./errors.ts";
import {
  checkFeatureCollection,
  type FeatureCollection,
  toFeatureCollection,
} from "./map_geojson.ts";
import { buildPage, escapeHtml, type PageImage } from "./map_page.ts";
import { toPalettePng } from "./palette_png.ts";
import { base64, JUPYTER_DISPLAY } from "./png.ts";
import { walkFiles, writeFileAtomic } from "./raster_files.ts";
import { type NamedBytes, openRaster } from "./raster_source.ts";
import type { Stretch } from "./raster_stretch.ts";
import { checkBands, renderRaster } from "./render_raster.ts";
import { warpToMercator } from "./warp.ts";

export type { NamedBytes } from "./raster_source.ts";
export type { Stretch } from "./raster_stretch.ts";

/** A map input: a file or folder path, or a file already in memory. */
export type MapInput = string | NamedBytes;

/** Options of {@linkcode mapResults}. */
export interface MapResultsOptions {
  /** Result files or folders (walked), or `{ name, bytes }`: the list `downloadResults` returns. */
  filepaths?: MapInput[] | MapInput;
  /** The features to show; default read from the first `.geojson`, else `data.json`, in `filepaths`. */
  featureCollection?: unknown;
  /** Rasters to show besides those found in `filepaths`. */
  images?: MapInput[];
  /** Raster extensions picked from `filepaths`; default [".tif", ".tiff"]. */
  plotFileFormat?: string[];
  /** 1-based bands, one (grey or `cmap`) or three; default [1, 2, 3] ([1] for files with fewer bands). */
  bands?: number[];
  /** Colour map for one band; default "gray". */
  cmap?: string;
  /** Contrast stretch; default "auto". */
  stretch?: Stretch;
  /** Area of interest outlined in red: a FeatureCollection, Feature or geometry (EPSG:4326). */
  aoi?: unknown;
  /** Draw the rasters; default true. */
  showImages?: boolean;
  /** Draw the features; default true. */
  showFeatures?: boolean;
  /** Property naming each feature's layer ("Feature {i} - {value}"); default "uid". */
  nameColumn?: string;
  /** Above this many features they share one layer "Features"; default 20. */
  groupFeaturesAbove?: number;
  /** HTML file to write (atomically); nothing is written when omitted. */
  saveHtml?: string;
  /** Longest side of an embedded image in pixels; default 2048. */
  maxImagePixels?: number;
  /** Resampling of the reprojection: "nearest" (default) or "bilinear". */
  resampling?: "nearest" | "bilinear";
  /** Page title; default "UP42 results map". */
  title?: string;
}

/** A built map. In a Deno Jupyter notebook it displays as the map. */
export interface MapResult {
  /** The self-contained HTML page. */
  html: string;
  /** Absolute path written, when `saveHtml` was given. */
  path?: string;
  /** Features in the page. */
  features: number;
  /** The embedded images: name, size in pixels and PNG bytes. */
  images: { name: string; width: number; height: number; pngBytes: number }[];
}

interface Files {
  named: NamedBytes[];
  paths: string[];
}

async function listFiles(inputs: MapInput[]): Promise<Files> {
  const files: Files = { named: [], paths: [] };
  for (const input of inputs) {
    if (typeof input !== "string") {
      files.named.push(input);
      continue;
    }
    try {
      if ((await Deno.stat(input)).isDirectory) await walkFiles(input, () => true, files.paths);
      else files.paths.push(input);
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound ? "not found" : errorLine(e);
      throw new MapError(`${input}: ${why}: pass the files or folder downloadResults returned`);
    }
  }
  return files;
}

async function readFeatures(files: Files, where: string): Promise<FeatureCollection> {
  const all = [...files.paths, ...files.named.map((n) => n.name)];
  const pick = all.find((n) => /\.geojson$/i.test(n)) ??
    all.find((n) => basename(n).toLowerCase() === "data.json");
  if (!pick) {
    throw new MapError(
      `no FeatureCollection found: looked for a .geojson file, then data.json, in ${where}: pass featureCollection or the results folder`,
    );
  }
  const named = files.named.find((n) => n.name === pick);
  try {
    const text = named ? new TextDecoder().decode(named.bytes) : await Deno.readTextFile(pick);
    return toFeatureCollection(JSON.parse(text), pick);
  } catch (e) {
    if (e instanceof Up42Error) throw e;
    throw new MapError(`${pick}: cannot read it as GeoJSON (${errorLine(e)})`, { cause: e });
  }
}

async function rasterSize(source: MapInput): Promise<[number, number]> {
  const opened = await openRaster(source);
  try {
    const image = await opened.tiff.getImage();
    return [image.getWidth(), image.getHeight()];
  } finally {
    await opened.close();
  }
}

async function overlay(source: MapInput, o: MapResultsOptions) {
  const name = typeof source === "string" ? source : source.name;
  const max = o.maxImagePixels ?? 2048;
  const [w, h] = await rasterSize(source);
  const scale = Math.min(1, max / Math.max(w, h));
  const fit: [number, number] = [Math.round(w * scale) || 1, Math.round(h * scale) || 1];
  const raster = await renderRaster(source, {
    bands: o.bands,
    cmap: o.cmap,
    stretch: o.stretch,
    fit,
  });
  if (!raster.crs) {
    throw new MapError(
      `${name}: no EPSG code in its GeoKeys, so it cannot be placed on the map: pass georeferenced GeoTIFFs or set showImages: false`,
    );
  }
  let warped;
  try {
    warped = warpToMercator(raster, await transformer(raster.crs), {
      maxPixels: max,
      resampling: o.resampling,
    });
  } catch (e) {
    throw new MapError(`${name}: ${errorLine(e)}`, { cause: e });
  }
  const png = toPalettePng(warped);
  const [west, south] = mercatorToLonLat(warped.bounds[0], warped.bounds[1]);
  const [east, north] = mercatorToLonLat(warped.bounds[2], warped.bounds[3]);
  const image: PageImage = {
    name: basename(name),
    url: `data:image/png;base64,${base64(png)}`,
    bounds: [[south, west], [north, east]],
  };
  return { image, width: warped.width, height: warped.height, pngBytes: png.length };
}

/**
 * Builds the map page and, with `saveHtml`, writes it. All features are
 * drawn (on a canvas, so thousands stay smooth); up to `groupFeaturesAbove`
 * features each get a layer, more share one layer "Features".
 *
 * @example
 * ```ts ignore
 * import { mapResults } from "./map.ts";
 * const { path } = await mapResults({ filepaths: ["results/"], saveHtml: "map.html" });
 * console.log(path);
 * ```
 */
export async function mapResults(options: MapResultsOptions = {}): Promise<MapResult> {
  if (options.bands) checkBands(options.bands);
  const max = options.maxImagePixels ?? 2048;
  if (!(Number.isInteger(max) && max >= 16 && max <= 8192)) {
    throw new MapError(`maxImagePixels ${max} is out of range: use a whole number from 16 to 8192`);
  }
  const showFeatures = options.showFeatures ?? true;
  const inputs = options.filepaths === undefined
    ? []
    : Array.isArray(options.filepaths)
    ? options.filepaths
    : [options.filepaths];
  const files = await listFiles(inputs);
  const where = inputs.length
    ? inputs.slice(0, 3).map((i) => (typeof i === "string" ? i : i.name)).join(", ") +
      (inputs.length > 3 ? ", …" : "")
    : "the empty filepaths";
  let collection: FeatureCollection | null = null;
  if (options.featureCollection !== undefined) {
    collection = toFeatureCollection(options.featureCollection, "featureCollection");
  } else if (showFeatures) {
    collection = await readFeatures(files, where);
  }
  if (collection) checkFeatureCollection(collection, "feature");
  const aoi = options.aoi === undefined ? null : toFeatureCollection(options.aoi, "aoi");
  if (aoi) checkFeatureCollection(aoi, "aoi feature");

  const images: Awaited<ReturnType<typeof overlay>>[] = [];
  if (options.showImages ?? true) {
    const formats = (options.plotFileFormat ?? [".tif", ".tiff"])
      .map((f) => (f.startsWith(".") ? f : `.${f}`).toLowerCase());
    const accept = (n: string) => formats.some((f) => n.toLowerCase().endsWith(f));
    const rasters: MapInput[] = [
      ...files.paths.filter(accept),
      ...files.named.filter((n) => accept(n.name)),
      ...(options.images ?? []),
    ];
    for (const source of rasters) images.push(await overlay(source, options));
  }
  const html = buildPage({
    title: options.title ?? "UP42 results map",
    images: images.map((i) => i.image),
    features: showFeatures ? collection : null,
    aoi,
    nameColumn: options.nameColumn ?? "uid",
    groupAbove: options.groupFeaturesAbove ?? 20,
  });
  let path: string | undefined;
  if (options.saveHtml) {
    try {
      path = await writeFileAtomic(options.saveHtml, new TextEncoder().encode(html));
    } catch (e) {
      throw new MapError(errorLine(e), { cause: e });
    }
  }
  const result: MapResult = {
    html,
    ...(path ? { path } : {}),
    features: showFeatures ? collection?.features.length ?? 0 : 0,
    images: images.map(({ image, width, height, pngBytes }) => ({
      name: image.name,
      width,
      height,
      pngBytes,
    })),
  };
  Object.defineProperty(result, JUPYTER_DISPLAY, {
    value: () => ({ "text/html": jupyterFrame(html) }),
    enumerable: false,
  });
  return result;
}

/**
 * The page inside an iframe's `srcdoc`, escaped for the attribute, so its
 * scripts run in JupyterLab (which does not run scripts of HTML outputs).
 *
 * @example
 * ```ts
 * import { jupyterFrame } from "./map.ts";
 * console.log(jupyterFrame('<p title="x">a</p>')); // <iframe srcdoc="&lt;p title=&quot;x&quot;&gt;a&lt;/p&gt;" ...
 * ```
 */
export function jupyterFrame(html: string): string {
  return `<iframe srcdoc="${
    escapeHtml(html)
  }" style="width: 100%; height: 560px; border: 0" title="Results map"></iframe>`;
}
