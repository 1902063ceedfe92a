// The map page's script, run in the browser after Leaflet. It reads the
// map's data from the inert JSON element #up42-map-data and builds the map.
// Everything that comes from results (names, properties) reaches the page as
// text nodes or through `escape`, never as markup. Its one documented global
// is `up42Map`, the Leaflet map, for people who script the page.
(function (L, data, win) {
  "use strict";
  const doc = win.document;
  const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // Any JSON value as one line of text: objects as JSON, never through their own toString.
  const text = (v) => (v !== null && typeof v === "object" ? JSON.stringify(v) : String(v));
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
  const overlays = {};
  const bounds = L.latLngBounds([]);
  const add = (name, layer) => {
    let key = escape(name);
    for (let n = 2; key in overlays; n++) key = `${escape(name)} (${n})`;
    overlays[key] = layer.addTo(map);
    if (layer.getBounds) {
      const b = layer.getBounds();
      if (b.isValid()) bounds.extend(b);
    }
  };
  for (const image of data.images) {
    add(`Image - ${image.name}`, L.imageOverlay(image.url, image.bounds, { alt: image.name }));
  }
  const table = (layer) => {
    const box = doc.createElement("div");
    box.className = "up42-popup";
    const t = doc.createElement("table");
    t.className = "up42-props";
    const properties = layer.feature?.properties;
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
  const options = (style) => ({
    renderer,
    style: () => style,
    pointToLayer: (_, latlng) => L.circleMarker(latlng, { renderer, radius: 6, ...style }),
  });
  const featureStyle = { color: "#3388ff", weight: 2, fillOpacity: 0.15 };
  const features = data.features?.features ?? [];
  if (features.length > data.groupAbove) {
    add("Features", L.geoJSON(data.features, options(featureStyle)).bindPopup(table));
  } else {
    features.forEach((f, i) => {
      const value = f.properties?.[data.nameColumn];
      const name = value === undefined || value === null ? "" : ` - ${text(value)}`;
      add(`Feature ${i}${name}`, L.geoJSON(f, options(featureStyle)).bindPopup(table));
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
      map.on("mousemove", (e) => {
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
})(L, JSON.parse(document.getElementById("up42-map-data").textContent), window);
