/**
 * One raster as a map overlay: rendered at most `maxImagePixels` on its
 * longest side, warped to Web Mercator, and embedded as a palette PNG, with
 * a preview of at most {@linkcode PREVIEW_SIDE} pixels when it is larger.
 *
 * @module
 */
import { basename } from "node:path";
import { errorLine, MapError } from "../errors.ts";
import { encodePalettePng } from "../image/palette.ts";
import { resize, type RgbaImage } from "../image/rgba.ts";
import { renderRaster } from "../raster/render.ts";
import type { RasterSource } from "../raster/source.ts";
import type { RasterLimits } from "../raster/limits.ts";
import type { Stretch } from "../raster/stretch.ts";
import { mercatorToLonLat, transformer } from "./crs.ts";
import { legendFor } from "./legend.ts";
import type { PageImage } from "./page.ts";
import { warpToMercator } from "./warp.ts";

/**
 * Longest side of an overlay's preview. The page draws previews first and
 * swaps in the full images once it has read them: in the view a map opens
 * at, an overlay covers a few hundred screen pixels, and inline image data
 * is what a page spends its load time on (the demo job's map drew every
 * overlay 0.4 s sooner in headless Chromium, `deno task bench map`).
 */
export const PREVIEW_SIDE = 512;

/** How overlays are drawn. */
export interface OverlayOptions {
  /** 1-based bands. */
  bands?: number[];
  /** Colour map for one band. */
  cmap?: string;
  /** Contrast stretch. */
  stretch?: Stretch;
  /** Longest side of the embedded image in pixels. */
  maxImagePixels: number;
  /** Resampling of the reprojection. */
  resampling?: "nearest" | "bilinear";
  /** Decoding budgets. */
  limits?: Partial<RasterLimits>;
}

/** An overlay ready for the page, with its size. */
export interface Overlay {
  /** What the page draws. */
  image: PageImage;
  /** The raster's file name. */
  file: string;
  /** Width of the embedded image. */
  width: number;
  /** Height of the embedded image. */
  height: number;
  /** Size of its PNG. */
  pngBytes: number;
}

/**
 * Renders, warps and encodes one raster for the map.
 *
 * @example
 * ```ts
 * import { overlay } from "./overlay.ts";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const bytes = await writeGeoTiff({ width: 8, height: 8, bands: [new Uint8Array(64).fill(50)], epsg: 4326, origin: [13, 52], pixelSize: [0.001, 0.001] });
 * const o = await overlay({ name: "a.tif", bytes }, "a.tif", { maxImagePixels: 64 });
 * if (!o.image.url.startsWith("data:image/png;base64,") || !o.image.legend) throw new Error();
 * ```
 */
export async function overlay(
  source: RasterSource,
  name: string,
  o: OverlayOptions,
): Promise<Overlay> {
  const raster = await renderRaster(source, {
    bands: o.bands,
    cmap: o.cmap,
    stretch: o.stretch,
    maxSide: o.maxImagePixels,
    limits: o.limits,
  });
  if (!raster.crs) {
    throw new MapError({
      subject: name,
      problem: "has no EPSG code in its GeoKeys, so it cannot be placed on the map",
      fix: "pass georeferenced GeoTIFFs or set showImages: false",
    });
  }
  let warped;
  try {
    warped = warpToMercator(raster, await transformer(raster.crs), {
      maxPixels: o.maxImagePixels,
      resampling: o.resampling,
    });
  } catch (e) {
    if (e instanceof MapError) throw e;
    throw new MapError({
      subject: name,
      problem: `cannot be reprojected (${errorLine(e)})`,
      fix: "pass a raster in a common CRS such as EPSG:4326 or a UTM zone",
    }, { cause: e });
  }
  const png = encodePalettePng(warped);
  const preview = previewOf(warped);
  const [west, south] = mercatorToLonLat(warped.bounds[0], warped.bounds[1]);
  const [east, north] = mercatorToLonLat(warped.bounds[2], warped.bounds[3]);
  const file = basename(name);
  return {
    image: {
      kind: "image",
      name: `Image - ${file}`,
      alt: file,
      url: `data:image/png;base64,${png.toBase64()}`,
      ...(preview ? { preview: `data:image/png;base64,${preview.toBase64()}` } : {}),
      bounds: [[south, west], [north, east]],
      ...(raster.range ? { legend: legendFor(file, o.cmap ?? "gray", raster.range) } : {}),
    },
    file,
    width: warped.width,
    height: warped.height,
    pngBytes: png.length,
  };
}

/** A smaller palette PNG of `image`, when it is worth one (over 1.25× the preview's side). */
function previewOf(image: RgbaImage): Uint8Array | undefined {
  const side = Math.max(image.width, image.height);
  if (side <= PREVIEW_SIDE * 1.25) return undefined;
  const scale = PREVIEW_SIDE / side;
  const small = resize(
    image,
    Math.max(1, Math.round(image.width * scale)),
    Math.max(1, Math.round(image.height * scale)),
  );
  return encodePalettePng(small);
}
