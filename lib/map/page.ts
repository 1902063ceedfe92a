/**
 * The self-contained HTML page of a results map: Leaflet's CSS and JS and
 * the page's other libraries inlined (bundled as text imports, so building a
 * page reads no file), the map's data as inert JSON, and a page script that
 * builds every popup with DOM text nodes, so untrusted property values can
 * never become markup.
 *
 * @module
 */

import leafletCss from "leaflet/dist/leaflet.css" with { type: "text" };
import leafletJs from "leaflet/dist/leaflet.js" with { type: "text" };
import { escapeHtml } from "../internal/html.ts";
import type { EncodedFeatures } from "./encode.ts";
import featuresScript from "./page_features.js" with { type: "text" };
import pageScript from "./page_script.js" with { type: "text" };
import { vendorScript } from "./vendor.ts";

/** [[south, west], [north, east]] in degrees. */
export type LatLngBounds = [[number, number], [number, number]];

/** A colour bar with value labels, for a single-band raster drawn with a colour map. */
export interface PageLegend {
  /** Heading, e.g. the file name and colour map. */
  title: string;
  /** CSS colours from the low to the high end. */
  colors: string[];
  /** Labels spread evenly under the bar, low to high. */
  labels: string[];
}

/** What every layer entry of the page has. */
interface PageLayerBase {
  /** Name in the layer control. */
  name: string;
  /** Shown under the heading before it in the layer control. */
  indent?: boolean;
  /** A group's heading in the layer control. */
  heading?: boolean;
  /** Where it lies, for the initial view. */
  bounds?: LatLngBounds;
}

/** An image drawn at its bounds: a result raster in Web Mercator, or a quicklook. */
export interface PageImage extends PageLayerBase {
  /** "image" for results, "quicklook" for quicklooks. */
  kind: "image" | "quicklook";
  /** A `data:image/...;base64,...` URL. */
  url: string;
  /** A smaller image drawn until the page has read `url`, for large images. */
  preview?: string;
  /** Text alternative of the image: its file name or quicklook id. */
  alt: string;
  /** [[south, west], [north, east]] in degrees. */
  bounds: LatLngBounds;
  /** Its legend, if any. */
  legend?: PageLegend;
}

/** Features drawn on the page's feature canvas. */
export interface PageFeatures extends PageLayerBase, EncodedFeatures {
  /** "features". */
  kind: "features";
  /** "results" (blue, with popups) or "aoi" (red outline). */
  style: "results" | "aoi";
}

/** A heading with no drawing of its own: it shows and hides the layers under it. */
export interface PageGroup extends PageLayerBase {
  /** "group". */
  kind: "group";
}

/** One entry of the layer control. */
export type PageLayer = PageImage | PageFeatures | PageGroup;

/** Everything the page draws. */
export interface PageData {
  /** Page title. */
  title: string;
  /** Layers in drawing and layer-control order. */
  layers: PageLayer[];
}

function svgUrl(svg: string): string {
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}

// Leaflet's stylesheet points at PNGs beside it (images/*.png), which a page
// opened from disk cannot load: the same pictures are drawn as inline SVG.
const LAYERS_ICON = svgUrl(
  '<svg xmlns="http://www.w3.org/2000/svg" width="26" height="26" viewBox="0 0 26 26">' +
    '<path d="M13 17 3 12l10-5 10 5z" fill="#b5cde8" stroke="#33597f" stroke-width="1.2"/>' +
    '<path d="M3 15.5l10 5 10-5" fill="none" stroke="#33597f" stroke-width="1.2"/>' +
    '<path d="M3 19l10 5 10-5" fill="none" stroke="#33597f" stroke-width="1.2"/></svg>',
);
const MARKER_ICON = svgUrl(
  '<svg xmlns="http://www.w3.org/2000/svg" width="25" height="41" viewBox="0 0 25 41">' +
    '<path d="M12.5 40C6 27 1 21 1 12.5a11.5 11.5 0 0 1 23 0C24 21 19 27 12.5 40z" ' +
    'fill="#2a81cb" stroke="#1b5a8f"/><circle cx="12.5" cy="12.5" r="4.5" fill="#fff"/></svg>',
);

/**
 * Leaflet's CSS with its image references replaced by inline SVG.
 *
 * @example
 * ```ts
 * import { leafletStyles } from "./page.ts";
 * if (leafletStyles().includes("url(images/")) throw new Error();
 * ```
 */
export function leafletStyles(): string {
  return leafletCss
    .replace(/url\(images\/layers(-2x)?\.png\)/g, LAYERS_ICON)
    .replace(/url\(images\/marker-icon(-2x)?\.png\)/g, MARKER_ICON);
}

/**
 * JSON that can sit inside a `<script type="application/json">` element:
 * every `<` is escaped, so no value can close the element or open a comment.
 *
 * @example
 * ```ts
 * import { scriptJson } from "./page.ts";
 * if (scriptJson({ a: "</script>" }) !== '{"a":"\\u003c/script>"}') throw new Error(scriptJson({ a: "</script>" }));
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

// Source maps would make developer tools fetch a file that is not there.
const LEAFLET_JS = leafletJs.replace(/\/\/# sourceMappingURL=\S*\s*$/, "");

const FULLSCREEN_ICON = svgUrl(
  '<svg xmlns="http://www.w3.org/2000/svg" width="18" height="18" viewBox="0 0 18 18" ' +
    'fill="none" stroke="#333" stroke-width="2"><path d="M2 7V2h5M11 2h5v5M16 11v5h-5M7 16H2v-5"/></svg>',
);

const PAGE_CSS = `html, body, #map { height: 100%; margin: 0; }
.up42-props { border-collapse: collapse; font: 12px/1.4 system-ui, sans-serif; }
.up42-props th { text-align: left; padding: 2px 8px 2px 0; vertical-align: top; color: #444; }
.up42-props td { padding: 2px 0; word-break: break-word; }
.up42-popup { max-height: 320px; max-width: 420px; overflow: auto; }
.up42-position { background: rgba(255,255,255,.8); padding: 0 6px; font: 11px/1.6 monospace;
  min-width: 13em; text-align: right; }
.up42-minimap { width: 150px; height: 150px; border: 2px solid rgba(0,0,0,.2);
  border-radius: 4px; }
.up42-fullscreen { cursor: pointer; background: #fff ${FULLSCREEN_ICON} center no-repeat; }
.up42-features { pointer-events: none; }
.up42-over-feature { cursor: pointer; }
.leaflet-control-layers label.up42-heading { font-weight: 600; margin-top: 4px; }
.leaflet-control-layers label.up42-indent { padding-left: 16px; }
.up42-legend { background: rgba(255,255,255,.9); padding: 6px 8px; border-radius: 4px;
  font: 11px/1.4 system-ui, sans-serif; box-shadow: 0 1px 5px rgba(0,0,0,.4); }
.up42-legend-item + .up42-legend-item { margin-top: 6px; }
.up42-legend-title { font-weight: 600; max-width: 220px; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.up42-legend-bar { width: 200px; height: 10px; border: 1px solid #888; margin: 2px 0; }
.up42-legend-labels { display: flex; justify-content: space-between; width: 202px; }
.up42-notice { position: absolute; z-index: 1000; top: 10px; left: 50%; transform: translateX(-50%);
  max-width: calc(100% - 380px); padding: 4px 10px; border-radius: 4px;
  background: rgba(255,248,220,.95); border: 1px solid #c9a227; color: #333;
  font: 12px/1.4 system-ui, sans-serif; pointer-events: none; }
.up42-notice[hidden] { display: none; }`;

/**
 * The complete HTML page of a map.
 *
 * @example
 * ```ts
 * import { buildPage } from "./page.ts";
 * const html = buildPage({ title: "Map", layers: [] });
 * if (!html.startsWith("<!DOCTYPE html>")) throw new Error();
 * ```
 */
export function buildPage(data: PageData): string {
  // Previews are read with the page's data; the full images follow the
  // script at the end of the document, and replace them once it is parsed.
  const full: Record<number, string> = {};
  const layers = data.layers.map((layer, i) => {
    if (layer.kind === "group" || layer.kind === "features" || !layer.preview) return layer;
    const { preview, ...image } = layer;
    full[i] = image.url;
    return { ...image, url: preview };
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<link rel="icon" href="data:,">
<style>${leafletStyles()}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<div id="map"></div>
<script type="application/json" id="up42-map-data">${scriptJson({ ...data, layers })}</script>
<script>${LEAFLET_JS}</script>
<script>(() => {
"use strict";
${vendorScript()}
${featuresScript}
${pageScript}
})();</script>
<script type="application/json" id="up42-map-images">${scriptJson(full)}</script>
</body>
</html>
`;
}
