/**
 * The self-contained HTML page of a results map: Leaflet's CSS and JS
 * inlined (bundled as text imports, so building a page reads no file), the
 * map's data as inert JSON, and a page script that builds every popup with
 * DOM text nodes, so untrusted property values can never become markup.
 *
 * @module
 */

import leafletCss from "leaflet/dist/leaflet.css" with { type: "text" };
import leafletJs from "leaflet/dist/leaflet.js" with { type: "text" };

import { escapeHtml } from "./table.ts";
/** One image overlay, already in Web Mercator, as the page receives it. */
export interface PageImage {
  /** Layer name, e.g. the file name. */
  name: string;
  /** A `data:image/png;base64,...` URL. */
  url: string;
  /** [[south, west], [north, east]] in degrees. */
  bounds: [[number, number], [number, number]];
}

/** Everything the page draws. */
export interface PageData {
  /** Page title. */
  title: string;
  /** Image overlays, drawn in order. */
  images: PageImage[];
  /** Result features, or null when not shown. */
  features: { type: "FeatureCollection"; features: unknown[] } | null;
  /** The AOI, outlined in red, or null. */
  aoi: { type: "FeatureCollection"; features: unknown[] } | null;
  /** Property naming each feature's layer. */
  nameColumn: string;
  /** Above this many features they share one layer "Features". */
  groupAbove: number;
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
 * import { leafletStyles } from "./map_page.ts";
 * console.log(leafletStyles().includes("url(images/")); // false
 * ```
 */
export function leafletStyles(): string {
  return leafletCss
    .replace(/url\(images\/layers(-2x)?\.png\)/g, LAYERS_ICON)
    .replace(/url\(images\/marker-icon(-2x)?\.png\)/g, MARKER_ICON);
}

export { escapeHtml } from "./table.ts";

/**
 * JSON that can sit inside a `<script type="application/json">` element:
 * every `<` is escaped, so no value can close the element or open a comment.
 *
 * @example
 * ```ts
 * import { scriptJson } from "./map_page.ts";
 * console.log(scriptJson({ a: "</script>" })); // {"a":"\u003c/script>"}
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
.up42-fullscreen { cursor: pointer; background: #fff ${FULLSCREEN_ICON} center no-repeat; }`;

/**
 * The complete HTML page of a map.
 *
 * @example
 * ```ts
 * import { buildPage } from "./map_page.ts";
 * const html = buildPage({ title: "Map", images: [], features: null, aoi: null, nameColumn: "uid", groupAbove: 20 });
 * console.log(html.startsWith("<!DOCTYPE html>")); // true
 * ```
 */
export function buildPage(data: PageData): string {
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
<script type="application/json" id="up42-map-data">${scriptJson(data)}</script>
<script>${LEAFLET_JS}</script>
<script>
(${page.toString()})(L, JSON.parse(document.getElementById("up42-map-data").textContent), window);
</script>
</body>
</html>
`;
}

/**
 * The page script, run in the browser as `page(L, data, window)`. It is
 * shipped as its source text, so it uses nothing from outside its body.
 * Everything that comes from results (names, properties) reaches the page as
 * text nodes or through `escape`, never as markup.
 *
 * @example
 * ```ts
 * import { page } from "./map_page.ts";
 * console.log(typeof page.toString()); // "string"
 * ```
 */
export function page(L: any, data: PageData, win: any): void {
  const doc = win.document;
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const map = L.map(doc.getElementById("map"), { preferCanvas: true });
  const renderer = L.canvas({ padding: 0.5 });
  win.up42Map = map;
  const osmUrl = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  const osmAttribution =
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
  const osm = L.tileLayer(osmUrl, { maxZoom: 19, attribution: osmAttribution });
  const esri = L.tileLayer(
    "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
    {
      maxZoom: 19,
      attribution: "Tiles &copy; Esri &mdash; Source: Esri, Maxar, Earthstar Geographics, " +
        "and the GIS User Community",
    },
  ).addTo(map);
  const overlays: Record<string, unknown> = {};
  const bounds = L.latLngBounds([]);
  const add = (name: string, layer: any) => {
    let key = escape(name);
    for (let n = 2; key in overlays; n++) key = `${escape(name)} (${n})`;
    overlays[key] = layer.addTo(map);
    if (layer.getBounds) {
      const b = layer.getBounds();
      if (b.isValid()) bounds.extend(b);
    }
  };
  const loads = data.images.map((image) => {
    const layer = L.imageOverlay(image.url, image.bounds, { alt: image.name });
    const loaded = new Promise((resolve) => {
      layer.on("load", () => resolve(true));
      layer.on("error", () => resolve(false));
    });
    add(`Image - ${image.name}`, layer);
    return loaded;
  });
  const table = (layer: any) => {
    const box = doc.createElement("div");
    box.className = "up42-popup";
    const t = doc.createElement("table");
    t.className = "up42-props";
    for (const [k, v] of Object.entries(layer.feature?.properties ?? {})) {
      const row = t.insertRow();
      const th = doc.createElement("th");
      th.textContent = k;
      row.appendChild(th);
      row.insertCell().textContent = v !== null && typeof v === "object"
        ? JSON.stringify(v)
        : String(v);
    }
    box.appendChild(t);
    return box;
  };
  const options = (style: Record<string, unknown>) => ({
    renderer,
    style: () => style,
    pointToLayer: (_: unknown, latlng: unknown) =>
      L.circleMarker(latlng, { renderer, radius: 6, ...style }),
  });
  const featureStyle = { color: "#3388ff", weight: 2, fillOpacity: 0.15 };
  const features = (data.features?.features ?? []) as any[];
  let featureLayers = 0;
  if (features.length > data.groupAbove) {
    add("Features", L.geoJSON(data.features, options(featureStyle)).bindPopup(table));
    featureLayers = 1;
  } else {
    features.forEach((f, i) => {
      const value = f.properties?.[data.nameColumn];
      const name = value === undefined || value === null ? "" : ` - ${value}`;
      add(`Feature ${i}${name}`, L.geoJSON(f, options(featureStyle)).bindPopup(table));
      featureLayers++;
    });
  }
  if (data.aoi) {
    const aoiStyle = { color: "red", weight: 3, fill: false, interactive: false };
    add("AOI", L.geoJSON(data.aoi, options(aoiStyle)));
  }
  const count = Object.keys(overlays).length;
  L.control.layers({ "Satellite (Esri)": esri, "OpenStreetMap": osm }, overlays, {
    position: "bottomleft",
    collapsed: count > 4,
  }).addTo(map);
  L.control.scale({ position: "bottomright" }).addTo(map);
  const Position = L.Control.extend({
    onAdd() {
      const el = L.DomUtil.create("div", "up42-position");
      map.on("mousemove", (e: any) => {
        el.textContent = `lon ${e.latlng.lng.toFixed(5)}  lat ${e.latlng.lat.toFixed(5)}`;
      });
      map.on("mouseout", () => el.textContent = "");
      return el;
    },
  });
  new Position({ position: "bottomright" }).addTo(map);
  const Fullscreen = L.Control.extend({
    onAdd() {
      const bar = L.DomUtil.create("div", "leaflet-bar");
      const a = L.DomUtil.create("a", "up42-fullscreen", bar);
      a.href = "#";
      a.title = "Full screen";
      a.setAttribute("role", "button");
      L.DomEvent.disableClickPropagation(bar);
      L.DomEvent.on(a, "click", (e: unknown) => {
        L.DomEvent.preventDefault(e);
        if (doc.fullscreenElement) doc.exitFullscreen();
        else map.getContainer().requestFullscreen?.();
      });
      return bar;
    },
  });
  new Fullscreen({ position: "topleft" }).addTo(map);
  const MiniMap = L.Control.extend({
    onAdd() {
      const el = L.DomUtil.create("div", "up42-minimap");
      L.DomEvent.disableClickPropagation(el);
      return el;
    },
  });
  const mini = new MiniMap({ position: "topright" }).addTo(map);
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  else map.setView([20, 0], 2);
  const overview = L.map(mini.getContainer(), {
    attributionControl: false,
    zoomControl: false,
    dragging: false,
    scrollWheelZoom: false,
    doubleClickZoom: false,
    boxZoom: false,
    keyboard: false,
  });
  L.tileLayer(osmUrl, { maxZoom: 19 }).addTo(overview);
  const frame = L.rectangle(map.getBounds(), { color: "#ff7800", weight: 1, interactive: false })
    .addTo(overview);
  const sync = () => {
    overview.setView(map.getCenter(), Math.max(0, map.getZoom() - 5), { animate: false });
    frame.setBounds(map.getBounds());
  };
  map.on("moveend", sync);
  sync();
  const info = {
    images: data.images.length,
    featureLayers,
    features: features.length,
    aoi: Boolean(data.aoi),
    overlays: Object.keys(overlays),
    imagesLoaded: 0,
    ready: false,
  };
  win.up42MapInfo = info;
  win.up42MapReady = Promise.all(loads).then((results) => {
    info.imagesLoaded = results.filter(Boolean).length;
    info.ready = true;
    return info;
  });
}
