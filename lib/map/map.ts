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
import { MapError } from "../errors.ts";
import { writeFileAtomic } from "../files/atomic_write.ts";
import { checkBands } from "../raster/options.ts";
import type { RasterLimits } from "../raster/limits.ts";
import type { Stretch } from "../raster/stretch.ts";
import { checkFeatureCollection, type FeatureCollection, toFeatureCollection } from "./geojson.ts";
import { listFiles, type MapInput, readFeatures } from "./inputs.ts";
import { type Overlay, overlay } from "./overlay.ts";
import { buildPage } from "./page.ts";

/** Options of {@linkcode mapResults}. */
export interface MapResultsOptions {
  /** Result files or folders (walked), or `{ name, bytes }`: what `downloadResults` or `readResults` return. */
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
  /** HTML file to write (atomically; needs `--allow-write` for its folder); nothing is written when omitted. */
  saveHtml?: string;
  /** Longest side of an embedded image in pixels; default 2048. */
  maxImagePixels?: number;
  /** Resampling of the reprojection: "nearest" (default) or "bilinear". */
  resampling?: "nearest" | "bilinear";
  /** Page title; default "UP42 results map". */
  title?: string;
  /** Decoding budgets per raster (see `DEFAULT_RASTER_LIMITS` in `@up42/jobtask/raster`). */
  limits?: Partial<RasterLimits>;
}

/** A built map: plain data. */
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

function inputName(input: MapInput): string {
  return typeof input === "string" ? input : input.name;
}

/**
 * Builds the map page and, with `saveHtml`, writes it. All features are
 * drawn (on a canvas, so thousands stay smooth); up to `groupFeaturesAbove`
 * features each get a layer, more share one layer "Features".
 *
 * @example
 * ```ts
 * import { mapResults } from "@up42/jobtask/map";
 * const fc = { type: "FeatureCollection", features: [{ type: "Feature", properties: { uid: "a" }, geometry: { type: "Point", coordinates: [13.4, 52.5] } }] };
 * const map = await mapResults({ featureCollection: fc });
 * if (map.features !== 1 || !map.html.includes("up42-map-data")) throw new Error();
 * ```
 */
export async function mapResults(options: MapResultsOptions = {}): Promise<MapResult> {
  if (options.bands) checkBands(options.bands);
  const max = options.maxImagePixels ?? 2048;
  if (!(Number.isInteger(max) && max >= 16 && max <= 8192)) {
    throw new MapError({
      subject: `maxImagePixels ${max}`,
      problem: "is out of range",
      fix: "use a whole number from 16 to 8192",
    });
  }
  const showFeatures = options.showFeatures ?? true;
  const inputs = options.filepaths === undefined
    ? []
    : Array.isArray(options.filepaths)
    ? options.filepaths
    : [options.filepaths];
  const files = await listFiles(inputs);
  const names = inputs.map(inputName);
  const where = names.length
    ? names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "")
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

  const images: Overlay[] = [];
  if (options.showImages ?? true) {
    const formats = (options.plotFileFormat ?? [".tif", ".tiff"])
      .map((f) => (f.startsWith(".") ? f : `.${f}`).toLowerCase());
    const accept = (n: string) => formats.some((f) => n.toLowerCase().endsWith(f));
    const rasters: MapInput[] = [
      ...files.paths.filter(accept),
      ...files.named.filter((n) => accept(n.name)),
      ...(options.images ?? []),
    ];
    for (const source of rasters) {
      images.push(
        await overlay(source, inputName(source), {
          bands: options.bands,
          cmap: options.cmap,
          stretch: options.stretch,
          maxImagePixels: max,
          resampling: options.resampling,
          limits: options.limits,
        }),
      );
    }
  }
  const html = buildPage({
    title: options.title ?? "UP42 results map",
    images: images.map((i) => i.image),
    features: showFeatures ? collection : null,
    aoi,
    nameColumn: options.nameColumn ?? "uid",
    groupAbove: options.groupFeaturesAbove ?? 20,
  });
  const path = options.saveHtml
    ? await writeFileAtomic(options.saveHtml, new TextEncoder().encode(html), {
      setting: "saveHtml",
    })
    : undefined;
  return {
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
}
