// The map page's script, run after Leaflet, the libraries and
// page_features.js, in one scope of its own. It reads the map's data from the
// inert JSON element #up42-map-data and builds the map. Everything that comes
// from results (names, properties, legend labels) reaches the page as text
// nodes or through `escape`, never as markup. Its one documented global is
// `up42Map`, the Leaflet map, for people who script the page: its feature
// layers have `isLoading()`, `getFeatureCount()` and `getBounds()`.
const data = JSON.parse(document.getElementById("up42-map-data").textContent);
const doc = document;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Any JSON value as one line of text: objects as JSON, never through their own toString.
const text = (v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));
const map = L.map(doc.getElementById("map"), { preferCanvas: true });
globalThis.up42Map = map;
map.createPane("up42Features").style.zIndex = 450;
const canvas = new FeatureCanvas({ pane: "up42Features" });

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
);
// The base map starts once the results are on their way: its tiles are
// requests and decodes that the reader's own overlays and features would
// otherwise queue behind. It is the one shown unless the reader picked another.
const startBaseMap = () => {
  if (!map.hasLayer(osm)) esri.addTo(map);
};

// A short notice instead of a silent grey page when base-map tiles fail.
const notice = L.DomUtil.create("div", "up42-notice", map.getContainer());
notice.setAttribute("role", "status");
notice.hidden = true;
for (const base of [esri, osm]) {
  let loaded = 0;
  base.on("tileload", () => {
    loaded++;
    notice.hidden = true;
  });
  base.on("tileerror", () => {
    if (loaded || !map.hasLayer(base)) return;
    notice.textContent = "The base map could not be loaded (offline or blocked): " +
      "the results are drawn without it.";
    notice.hidden = false;
  });
}

const STYLES = {
  results: {
    color: "#3388ff",
    weight: 2,
    fill: true,
    fillOpacity: 0.15,
    radius: 6,
    interactive: true,
  },
  aoi: { color: "red", weight: 3, fill: false, fillOpacity: 0, radius: 6, interactive: false },
};

// Layers in data order; a layer that is not indented starts a group, and a
// heading without features of its own shows and hides the layers under it.
const entries = [];
const images = new Map();
const bounds = L.latLngBounds([]);
const legends = [];
let heading = null;
for (const [index, spec] of data.layers.entries()) {
  let layer;
  if (spec.kind === "image" || spec.kind === "quicklook") {
    layer = L.imageOverlay(spec.url, spec.bounds, { alt: spec.alt });
    images.set(index, layer);
    if (spec.legend) legends.push({ layer, legend: spec.legend });
  } else if (spec.kind === "features") {
    layer = new FeatureSet(spec, canvas, STYLES[spec.style] ?? STYLES.results);
    L.setOptions(layer, { order: entries.length });
    layer._loaded.catch((e) => console.error(`${spec.name}: ${e}`));
  } else if (spec.kind === "group") {
    layer = L.layerGroup();
  } else continue;
  L.setOptions(layer, { up42Indent: !!spec.indent, up42Heading: !!spec.heading });
  if (!spec.indent) heading = spec.kind === "group" ? layer : null;
  else heading?.addLayer(layer);
  layer.addTo(map);
  entries.push([escape(spec.name), layer]);
  const b = spec.bounds && L.latLngBounds(spec.bounds);
  if (b?.isValid()) bounds.extend(b);
}

// Large images are drawn from their previews first; their full versions,
// read at the document's end, start loading once the first view is drawn
// (every preview shown, the feature tiles drawn; at most a second), and
// replace them once decoded, so that the swap never shows a blank.
const shown = (layer) =>
  !layer.getElement() || layer.getElement().complete
    ? Promise.resolve()
    : new Promise((resolve) => layer.once("load error", resolve));
const featuresDrawn = new Promise((resolve) => canvas.once("load", resolve));
const swapToFull = async () => {
  const full = JSON.parse(doc.getElementById("up42-map-images")?.textContent || "{}");
  const firstView = Promise.all([...images.values()].map(shown).concat(featuresDrawn));
  await Promise.race([firstView, new Promise((resolve) => setTimeout(resolve, 1000))]);
  for (const [i, url] of Object.entries(full)) {
    const layer = images.get(Number(i));
    if (!layer) continue;
    const image = new Image();
    image.src = url;
    const swap = () => layer.setUrl(url);
    image.decode().then(swap, swap);
  }
};
if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", swapToFull);
else swapToFull();

// The feature tiles are drawn once every layer's features are read.
Promise.allSettled(
  entries.filter(([, l]) => l instanceof FeatureSet).map(([, l]) => l._loaded),
).then(() => canvas.addTo(map));

const table = (properties) => {
  const box = doc.createElement("div");
  box.className = "up42-popup";
  const t = doc.createElement("table");
  t.className = "up42-props";
  if (properties && typeof properties === "object") {
    for (const [k, v] of Object.entries(properties)) {
      const row = t.insertRow();
      const th = doc.createElement("th");
      th.textContent = k;
      row.appendChild(th);
      row.insertCell().textContent = text(v);
    }
  }
  box.appendChild(t);
  return box;
};
map.on("click", async (e) => {
  const hit = canvas.featureAt(e.containerPoint);
  if (!hit) return;
  const properties = (await hit[0].properties())[hit[1]];
  L.popup({ maxWidth: 440 }).setLatLng(e.latlng).setContent(table(properties)).openOn(map);
});
let pointer = null;
map.on("mousemove", (e) => {
  if (pointer) return;
  pointer = requestAnimationFrame(() => {
    pointer = null;
    map.getContainer().classList.toggle("up42-over-feature", !!canvas.featureAt(e.containerPoint));
  });
});

const Layers = L.Control.Layers.extend({
  _addItem(obj) {
    const label = L.Control.Layers.prototype._addItem.call(this, obj);
    if (obj.layer.options.up42Indent) label.classList.add("up42-indent");
    if (obj.layer.options.up42Heading) label.classList.add("up42-heading");
    return label;
  },
});
const layers = new Layers({ "Satellite (Esri)": esri, "OpenStreetMap": osm }, {}, {
  position: "bottomleft",
  collapsed: entries.length > 4,
});
for (const [name, layer] of entries) layers.addOverlay(layer, name);
layers.addTo(map);
L.control.scale({ position: "bottomright" }).addTo(map);
const Position = L.Control.extend({
  onAdd() {
    const el = L.DomUtil.create("div", "up42-position");
    map.on("mousemove", (e) => {
      el.textContent = `lon ${e.latlng.lng.toFixed(5)}  lat ${e.latlng.lat.toFixed(5)}`;
    });
    map.on("mouseout", () => el.textContent = "");
    return el;
  },
});
new Position({ position: "bottomright" }).addTo(map);

// Legends of single-band rasters drawn with a colour map, while they are shown.
const Legend = L.Control.extend({
  onAdd() {
    this._box = L.DomUtil.create("div", "up42-legend");
    L.DomEvent.disableClickPropagation(this._box);
    this.refresh();
    map.on("layeradd layerremove", () => this.refresh());
    return this._box;
  },
  refresh() {
    const shown = legends.filter((l) => map.hasLayer(l.layer));
    this._box.replaceChildren();
    this._box.hidden = shown.length === 0;
    for (const { legend } of shown) {
      const item = L.DomUtil.create("div", "up42-legend-item", this._box);
      L.DomUtil.create("div", "up42-legend-title", item).textContent = legend.title;
      const bar = L.DomUtil.create("div", "up42-legend-bar", item);
      bar.style.background = `linear-gradient(to right, ${legend.colors.join(", ")})`;
      const labels = L.DomUtil.create("div", "up42-legend-labels", item);
      for (const label of legend.labels) L.DomUtil.create("span", "", labels).textContent = label;
    }
  },
});
if (legends.length) new Legend({ position: "bottomright" }).addTo(map);

const Fullscreen = L.Control.extend({
  onAdd() {
    const bar = L.DomUtil.create("div", "leaflet-bar");
    const a = L.DomUtil.create("a", "up42-fullscreen", bar);
    a.href = "#";
    a.title = "Full screen";
    a.setAttribute("role", "button");
    L.DomEvent.disableClickPropagation(bar);
    L.DomEvent.on(a, "click", (e) => {
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
if (globalThis.requestIdleCallback) requestIdleCallback(startBaseMap, { timeout: 300 });
else setTimeout(startBaseMap, 100);
// The overview map starts once the page is idle: it is not what a reader waits for.
const startOverview = () => {
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
};
if (globalThis.requestIdleCallback) requestIdleCallback(startOverview, { timeout: 1000 });
else setTimeout(startOverview, 200);
