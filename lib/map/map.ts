/**
 * A self-contained Leaflet map of job task results, like the Python SDK's
 * `map_results`: the results' features with their properties, an optional
 * AOI in red, each result GeoTIFF reprojected to Web Mercator as an image
 * overlay, and optionally the scenes' quicklooks over their footprints. The
 * page inlines Leaflet, its libraries and the images, so it opens from disk
 * with no network but the base-map tiles.
 *
 * Inputs are paths or `{ name, bytes }`, so a process without file system
 * access (an edge function) can build a map from results it holds in memory.
 * A job folder (`project_{p}/job_{j}/` with `jobtask_{t}/` folders) or several
 * result folders give one group of layers per jobtask (see jobtasks.ts).
 *
 * @module
 */
import { MapError } from "../errors.ts";
import { writeFileAtomic } from "../files/atomic_write.ts";
import { checkBands } from "../raster/options.ts";
import type { RasterLimits } from "../raster/limits.ts";
import type { Stretch } from "../raster/stretch.ts";
import { encodeFeatures } from "./encode.ts";
import {
  checkFeatureCollection,
  type FeatureCollection,
  geometryBounds,
  toFeatureCollection,
} from "./geojson.ts";
import { groupJobtasks, type JobtaskGroup } from "./jobtasks.ts";
import { listFiles, type MapInput, readFeatures } from "./inputs.ts";
import { type Overlay, overlay } from "./overlay.ts";
import { buildPage, type LatLngBounds, type PageFeatures, type PageLayer } from "./page.ts";
import { featureIdentifiers, isQuicklookName, quicklookIds, quicklookUrl } from "./quicklooks.ts";

/** Options of {@linkcode mapResults}. */
export interface MapResultsOptions {
  /**
   * Result files or folders (walked), or `{ name, bytes }`: what
   * `downloadResults` or `readResults` return, or a job's folder.
   */
  filepaths?: MapInput[] | MapInput;
  /** The features to show; default read from each jobtask's first `.geojson`, else `data.json`. */
  featureCollection?: unknown;
  /** Rasters to show besides those found in `filepaths`. */
  images?: MapInput[];
  /** Raster extensions picked from `filepaths`; default [".tif", ".tiff"]. */
  plotFileFormat?: string[];
  /** 1-based bands, one (grey or `cmap`) or three; default [1, 2, 3] ([1] for files with fewer bands). */
  bands?: number[];
  /** Colour map for one band; default "gray". Such rasters get a legend. */
  cmap?: string;
  /** Contrast stretch; default "auto". */
  stretch?: Stretch;
  /** Area of interest outlined in red: a FeatureCollection, Feature or geometry (EPSG:4326). */
  aoi?: unknown;
  /** Draw the rasters; default true. */
  showImages?: boolean;
  /** Draw the features; default true. */
  showFeatures?: boolean;
  /**
   * Draw quicklooks over their scenes' footprints: `true` for the
   * `quicklook_{id}.{ext}` files in `filepaths` (what `downloadQuicklooks`
   * writes), or the quicklook files or folders themselves. A quicklook is
   * matched to the feature whose `id`, `uid`, `sceneId`,
   * `identification.externalId` or `archive.filename` (without extension) is
   * its id. Default false.
   */
  quicklooks?: boolean | MapInput[];
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

/** What the map shows of one jobtask (or result folder). */
export interface MapJobtask {
  /** Its id, when its folder is `jobtask_{id}`. */
  id?: string;
  /** Its name in the layer control. */
  name: string;
  /** Features drawn. */
  features: number;
  /** The file they were read from. */
  featuresFrom?: string;
  /** File names of its rasters drawn. */
  images: string[];
  /** Ids of its quicklooks drawn. */
  quicklooks: string[];
}

/** A built map: plain data. */
export interface MapResult {
  /** The self-contained HTML page. */
  html: string;
  /** Absolute path written, when `saveHtml` was given. */
  path?: string;
  /** Features in the page (the AOI aside). */
  features: number;
  /** The embedded images: name, size in pixels and PNG bytes. */
  images: { name: string; width: number; height: number; pngBytes: number }[];
  /** Per jobtask (or result folder): what the map shows of it. */
  jobtasks: MapJobtask[];
  /** Every quicklook considered, and whether a feature's footprint carries it. */
  quicklooks: { name: string; id: string; drawn: boolean }[];
}

function inputName(input: MapInput): string {
  return typeof input === "string" ? input : input.name;
}

const text = (v: unknown) => (v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));

function latLngBounds(features: { geometry: unknown }[]): LatLngBounds | undefined {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const f of features) {
    const b = geometryBounds(f.geometry);
    if (!b) continue;
    w = Math.min(w, b[0]), s = Math.min(s, b[1]), e = Math.max(e, b[2]), n = Math.max(n, b[3]);
  }
  return w <= e ? [[s, w], [n, e]] : undefined;
}

async function featureLayer(
  name: string,
  features: FeatureCollection["features"],
  style: "results" | "aoi",
): Promise<PageFeatures> {
  const bounds = latLngBounds(features);
  return {
    kind: "features",
    name,
    style,
    ...(bounds ? { bounds } : {}),
    ...await encodeFeatures(features),
  };
}

interface Quicklook {
  name: string;
  /** The last of `ids`: the one shown. */
  id: string;
  /** Every id the file may stand for (see `quicklookIds`). */
  ids: string[];
  bytes: () => Promise<Uint8Array>;
}

/** A quicklook's feature: each one's group, and its place in group-then-feature order. */
type FeatureIndex = Map<string, { group: number; feature: Feature; order: number }>;
type Feature = FeatureCollection["features"][number];

/** What one group (a jobtask, or an input folder) draws. */
interface GroupLayers {
  group: JobtaskGroup;
  /** Its features, if any. */
  collection: FeatureCollection | null;
  /** The file they were read from. */
  source?: string;
  overlays: Overlay[];
  quicklooks: { id: string; url: string; bounds: LatLngBounds }[];
}

/** Each feature identifier's first feature, in group-then-feature order. */
function indexFeatures(collections: (FeatureCollection | null)[]): FeatureIndex {
  const index: FeatureIndex = new Map();
  let order = 0;
  for (const [group, c] of collections.entries()) {
    for (const feature of c?.features ?? []) {
      for (const id of featureIdentifiers(feature as any)) {
        if (!index.has(id)) index.set(id, { group, feature, order });
      }
      order++;
    }
  }
  return index;
}

async function quicklookInputs(
  option: boolean | MapInput[] | undefined,
  found: { paths: string[]; named: { name: string; bytes: Uint8Array }[] },
): Promise<Quicklook[]> {
  if (!option) return [];
  const files = option === true ? found : await listFiles(option);
  const out: Quicklook[] = [];
  for (const path of files.paths.filter(isQuicklookName)) {
    const ids = quicklookIds(path);
    out.push({ name: path, id: ids.at(-1)!, ids, bytes: () => Deno.readFile(path) });
  }
  for (const file of files.named.filter((f) => isQuicklookName(f.name))) {
    const ids = quicklookIds(file.name);
    out.push({
      name: file.name,
      id: ids.at(-1)!,
      ids,
      bytes: () => Promise.resolve(file.bytes),
    });
  }
  return out;
}

/**
 * Builds the map page and, with `saveHtml`, writes it. All features are
 * drawn on one canvas that redraws only what is in view, so 100,000 stay
 * smooth to pan and zoom. For one jobtask, up to `groupFeaturesAbove`
 * features each get a layer and more share one layer "Features"; for a job
 * folder or several result folders, each jobtask's features are one layer
 * named after the jobtask, with its rasters and quicklooks listed under it.
 * `jobtasks` in the result says what was drawn for each, and from which file.
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
  const groups: JobtaskGroup[] = await groupJobtasks(inputs, files);
  const names = inputs.map(inputName);
  const where = names.length
    ? names.slice(0, 3).join(", ") + (names.length > 3 ? ", …" : "")
    : "the empty filepaths";

  // Features: given, or each group's own.
  const group = (name: string): JobtaskGroup => ({ name, paths: [], named: [] });
  const given = options.featureCollection === undefined
    ? undefined
    : toFeatureCollection(options.featureCollection, "featureCollection");
  if (given && groups.length !== 1) groups.unshift(group(groups.length ? "Features" : "results"));
  if (!groups.length && options.images?.length) groups.push(group("results"));
  const parts: GroupLayers[] = groups.map((group) => ({
    group,
    collection: null,
    overlays: [],
    quicklooks: [],
  }));
  if (given) parts[0].collection = given;
  else if (showFeatures) {
    for (const part of parts) {
      const read = await readFeatures(part.group, where);
      if (read) [part.collection, part.source] = [read.collection, read.from];
    }
    if (!parts.some((p) => p.collection)) {
      throw new MapError({
        subject: where,
        problem: "holds no FeatureCollection (looked for a .geojson file, then data.json)",
        fix: "pass featureCollection or the results folder",
      });
    }
  }
  parts.forEach((p) => p.collection && checkFeatureCollection(p.collection, "feature"));
  const aoi = options.aoi === undefined ? null : toFeatureCollection(options.aoi, "aoi");
  if (aoi) checkFeatureCollection(aoi, "aoi feature");

  // Rasters of each group; extra images go with the first.
  if (options.showImages ?? true) {
    const formats = (options.plotFileFormat ?? [".tif", ".tiff"])
      .map((f) => (f.startsWith(".") ? f : `.${f}`).toLowerCase());
    const accept = (n: string) => formats.some((f) => n.toLowerCase().endsWith(f));
    for (const [i, { group: g, overlays }] of parts.entries()) {
      const rasters: MapInput[] = [
        ...g.paths.filter(accept),
        ...g.named.filter((n) => accept(n.name)),
        ...(i === 0 ? options.images ?? [] : []),
      ];
      for (const source of rasters) {
        overlays.push(
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
  }

  // Quicklooks over the footprints of the features they belong to.
  const quicklookFiles = await quicklookInputs(options.quicklooks, files);
  const quicklookReport: MapResult["quicklooks"] = [];
  const index = quicklookFiles.length
    ? indexFeatures(parts.map((p) => p.collection))
    : new Map() as FeatureIndex;
  for (const q of quicklookFiles) {
    // The first feature (groups in order, then features) carrying any of its ids.
    let at: { group: number; feature: Feature; order: number } | undefined;
    for (const id of q.ids) {
      const hit = index.get(id);
      if (hit && (!at || hit.order < at.order)) at = hit;
    }
    const bounds = at && latLngBounds([at.feature]);
    const url = bounds && quicklookUrl(await q.bytes());
    if (at && bounds && url) parts[at.group].quicklooks.push({ id: q.id, url, bounds });
    quicklookReport.push({ name: q.name, id: q.id, drawn: Boolean(at && bounds && url) });
  }

  // Groups with nothing to draw (a job folder's own quicklooks, say) are left out.
  const kept = parts.filter((p) =>
    p.collection?.features.length || p.overlays.length || p.quicklooks.length
  );

  // The layers: flat for one jobtask, a heading per jobtask for several.
  const layers: PageLayer[] = [];
  const nameColumn = options.nameColumn ?? "uid";
  const groupAbove = options.groupFeaturesAbove ?? 20;
  const several = kept.length > 1;
  for (const { group: g, collection, overlays, quicklooks } of kept) {
    const features = showFeatures ? collection?.features ?? [] : [];
    const members: PageLayer[] = [
      ...overlays.map((o) => ({ ...o.image, indent: several })),
      ...quicklooks.map((q) => ({
        kind: "quicklook" as const,
        name: `Quicklook - ${q.id}`,
        alt: q.id,
        url: q.url,
        bounds: q.bounds,
        indent: several,
      })),
    ];
    if (several) {
      layers.push(
        features.length
          ? { ...await featureLayer(g.name, features, "results"), heading: true }
          : { kind: "group", name: g.name, heading: true },
      );
      layers.push(...members);
    } else {
      layers.push(...members);
      if (features.length > groupAbove) {
        layers.push(await featureLayer("Features", features, "results"));
      } else {
        for (const [k, f] of features.entries()) {
          const value = (f.properties as Record<string, unknown> | null | undefined)?.[nameColumn];
          const label = value === undefined || value === null ? "" : ` - ${text(value)}`;
          layers.push(await featureLayer(`Feature ${k}${label}`, [f], "results"));
        }
      }
    }
  }
  if (aoi) layers.push(await featureLayer("AOI", aoi.features, "aoi"));

  const html = buildPage({ title: options.title ?? "UP42 results map", layers });
  const path = options.saveHtml
    ? await writeFileAtomic(options.saveHtml, new TextEncoder().encode(html), {
      setting: "saveHtml",
    })
    : undefined;
  const counts = kept.map((p) => (showFeatures ? p.collection?.features.length ?? 0 : 0));
  return {
    html,
    ...(path ? { path } : {}),
    features: counts.reduce((a, b) => a + b, 0),
    images: kept.flatMap((p) => p.overlays).map(({ file, width, height, pngBytes }) => ({
      name: file,
      width,
      height,
      pngBytes,
    })),
    jobtasks: kept.map(({ group: g, source, overlays, quicklooks }, i) => ({
      ...(g.id ? { id: g.id } : {}),
      name: g.name,
      features: counts[i],
      ...(source ? { featuresFrom: source } : {}),
      images: overlays.map((o) => o.file),
      quicklooks: quicklooks.map((q) => q.id),
    })),
    quicklooks: quicklookReport,
  };
}
