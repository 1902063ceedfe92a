// Feature layers of the map page, drawn on canvas tiles. A layer's features
// arrive as geobuf, gzip-compressed when large (see encode.ts); they are read
// straight into typed arrays in Leaflet's zoom-0 pixels (no GeoJSON objects), indexed
// with Flatbush, and each tile draws only the features that touch it, a whole
// layer in one path: one fill and one stroke for thousands of polygons. Clicks and
// the pointer find features through the same index; properties are parsed
// only when a popup first needs them.
//
// Runs inside the page script's scope after Leaflet, Flatbush and Pbf; it
// defines `FeatureCanvas` and `FeatureSet` and adds no global.

const WORLD = 256;
const MAX_LATITUDE = 85.0511287798;
const RADIANS = Math.PI / 180;

// Leaflet's spherical Mercator at zoom 0, for lon/lat in degrees.
const projectX = (lon) => (lon / 360 + 0.5) * WORLD;
const projectY = (lat) => {
  const s = Math.sin(Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * RADIANS);
  return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * WORLD;
};

function fromBase64(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

async function gunzip(base64) {
  const stream = new Blob([fromBase64(base64)]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const POINT = 0, LINE = 1, POLYGON = 2;

// A geobuf FeatureCollection of geometries as flat arrays: feature f has
// parts featurePart[f]..featurePart[f+1]; part p has kind partKind[p] and
// rings partRing[p]..partRing[p+1]; ring r has vertices ringStart[r]..
// ringStart[r+1] in xy (x, y pairs). A polygon's rings are stored without
// their closing vertex; a point part has one-vertex rings.
function readGeometries(bytes, count) {
  const pbf = new Pbf(bytes);
  // Each coordinate takes at least one byte, so this bounds the vertices.
  const xy = new Float64Array(bytes.length + 2);
  const featurePart = new Int32Array(count + 1);
  const partKind = [], partRing = [], ringStart = [];
  let dim = 2, scale = 1e6, v = 0, f = 0;

  const vertex = (x, y) => {
    xy[v * 2] = projectX(x / scale);
    xy[v * 2 + 1] = projectY(y / scale);
    v++;
  };
  const skipExtra = () => {
    for (let d = 2; d < dim; d++) pbf.readSVarint();
  };
  // One delta-coded run of vertices: `len` of them, or up to `end`.
  const ring = (end, len) => {
    ringStart.push(v);
    let x = 0, y = 0;
    for (let i = 0; len === undefined ? pbf.pos < end : i < len; i++) {
      x += pbf.readSVarint();
      y += pbf.readSVarint();
      skipExtra();
      vertex(x, y);
    }
    if (ringStart[ringStart.length - 1] === v) ringStart.pop();
  };
  const part = (kind) => {
    partKind.push(kind);
    partRing.push(ringStart.length);
  };
  const coordinates = (type, lengths) => {
    const end = pbf.readVarint() + pbf.pos;
    if (type === 0) { // Point
      part(POINT);
      ringStart.push(v);
      const x = pbf.readSVarint(), y = pbf.readSVarint();
      skipExtra();
      vertex(x, y);
    } else if (type === 1) { // MultiPoint: one run, each vertex a ring of its own
      part(POINT);
      let x = 0, y = 0;
      while (pbf.pos < end) {
        x += pbf.readSVarint();
        y += pbf.readSVarint();
        skipExtra();
        ringStart.push(v);
        vertex(x, y);
      }
    } else if (type === 2) { // LineString
      part(LINE);
      ring(end);
    } else if (type === 3) { // MultiLineString
      for (const len of lengths ?? [undefined]) {
        part(LINE);
        ring(end, len);
      }
    } else if (type === 4) { // Polygon
      part(POLYGON);
      for (const len of lengths ?? [undefined]) ring(end, len);
    } else if (type === 5) { // MultiPolygon
      if (!lengths) {
        part(POLYGON);
        ring(end);
      } else {
        for (let p = 0, j = 1; p < lengths[0]; p++) {
          part(POLYGON);
          for (let k = 0; k < lengths[j]; k++) ring(end, lengths[j + 1 + k]);
          j += lengths[j] + 1;
        }
      }
    }
    pbf.pos = end;
  };
  const geometryField = (tag, g) => {
    if (tag === 1) g.type = pbf.readVarint();
    else if (tag === 2) g.lengths = pbf.readPackedVarint();
    else if (tag === 3) coordinates(g.type, g.lengths);
    else if (tag === 4) pbf.readMessage(geometryField, { type: 0, lengths: null });
  };
  const featureField = (tag) => {
    if (tag === 1) pbf.readMessage(geometryField, { type: 0, lengths: null });
  };
  const collectionField = (tag) => {
    if (tag === 1 && f < count) {
      featurePart[f++] = partKind.length;
      pbf.readMessage(featureField, null);
    }
  };
  pbf.readFields((tag) => {
    if (tag === 2) dim = pbf.readVarint();
    else if (tag === 3) scale = 10 ** pbf.readVarint();
    else if (tag === 4) pbf.readMessage(collectionField, null);
  }, null);
  for (; f <= count; f++) featurePart[f] = partKind.length;
  partRing.push(ringStart.length);
  ringStart.push(v);

  // Polygon rings wound one way, holes the other, so that a whole layer
  // fills in one path with the nonzero rule and holes stay open.
  const reverse = new Uint8Array(ringStart.length);
  for (let p = 0; p < partKind.length; p++) {
    if (partKind[p] !== POLYGON) continue;
    for (let r = partRing[p]; r < partRing[p + 1]; r++) {
      let area = 0;
      for (let i = ringStart[r], j = ringStart[r + 1] - 1; i < ringStart[r + 1]; j = i++) {
        area += (xy[j * 2] - xy[i * 2]) * (xy[j * 2 + 1] + xy[i * 2 + 1]);
      }
      if ((r === partRing[p]) !== (area > 0)) reverse[r] = 1;
    }
  }

  const box = new Float64Array(count * 4);
  let indexed = 0;
  for (let k = 0; k < count; k++) {
    const first = ringStart[partRing[featurePart[k]]],
      last = ringStart[partRing[featurePart[k + 1]]];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = first; i < last; i++) {
      const x = xy[i * 2], y = xy[i * 2 + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    box.set([x0, y0, x1, y1], k * 4);
    if (last > first) indexed++;
  }
  const ids = new Int32Array(indexed);
  const index = indexed ? new Flatbush(indexed) : null;
  for (let k = 0, n = 0; k < count; k++) {
    if (box[k * 4] > box[k * 4 + 2]) continue;
    ids[n++] = k;
    index.add(box[k * 4], box[k * 4 + 1], box[k * 4 + 2], box[k * 4 + 3]);
  }
  index?.finish();
  return {
    count,
    xy: xy.slice(0, v * 2),
    featurePart,
    partKind: Uint8Array.from(partKind),
    partRing: Int32Array.from(partRing),
    ringStart: Int32Array.from(ringStart),
    reverse,
    box,
    ids,
    index,
  };
}

function insideRing(g, r, x, y) {
  let inside = false;
  const a = g.ringStart[r], b = g.ringStart[r + 1], xy = g.xy;
  for (let i = a, j = b - 1; i < b; j = i++) {
    const xi = xy[i * 2], yi = xy[i * 2 + 1], xj = xy[j * 2], yj = xy[j * 2 + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function nearRing(g, r, x, y, tolerance, closed) {
  const a = g.ringStart[r], b = g.ringStart[r + 1], xy = g.xy, t2 = tolerance * tolerance;
  for (let i = a; i < b; i++) {
    const j = i + 1 < b ? i + 1 : closed ? a : i;
    const x1 = xy[i * 2], y1 = xy[i * 2 + 1], dx = xy[j * 2] - x1, dy = xy[j * 2 + 1] - y1;
    const len = dx * dx + dy * dy;
    const t = len ? Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / len)) : 0;
    const ex = x1 + t * dx - x, ey = y1 + t * dy - y;
    if (ex * ex + ey * ey <= t2) return true;
  }
  return false;
}

// Whether feature k of g is under (x, y) in zoom-0 pixels, `px` being one
// screen pixel there.
function hits(g, k, x, y, px, style) {
  for (let p = g.featurePart[k]; p < g.featurePart[k + 1]; p++) {
    const kind = g.partKind[p];
    for (let r = g.partRing[p]; r < g.partRing[p + 1]; r++) {
      if (kind === POINT) {
        if (nearRing(g, r, x, y, (style.radius + style.weight / 2 + 2) * px, false)) return true;
      } else if (nearRing(g, r, x, y, (style.weight / 2 + 3) * px, kind === POLYGON)) return true;
    }
    if (kind === POLYGON && style.fill) {
      let inside = false;
      for (let r = g.partRing[p]; r < g.partRing[p + 1]; r++) {
        if (insideRing(g, r, x, y)) inside = !inside;
      }
      if (inside) return true;
    }
  }
  return false;
}

/** One layer's features: a Leaflet layer drawn by the shared FeatureCanvas. */
// deno-lint-ignore no-unused-vars -- page_script.js, in the same scope, uses it
const FeatureSet = L.Layer.extend({
  initialize(spec, canvas, style) {
    this._spec = spec;
    this._canvas = canvas;
    this._style = style;
    this._loading = true;
    this._bounds = spec.bounds ? L.latLngBounds(spec.bounds) : L.latLngBounds([]);
    // Small layers arrive uncompressed and are read at once; large ones wait
    // for the browser's (asynchronous) gzip decompression.
    if (spec.geometryEncoding === "raw") {
      this._geometry = readGeometries(fromBase64(spec.geometry), spec.count);
      this._loading = false;
      this._loaded = Promise.resolve();
      return;
    }
    this._loaded = gunzip(spec.geometry).then((bytes) => {
      this._geometry = readGeometries(bytes, spec.count);
      this._loading = false;
      if (this._map) this._canvas.attach(this);
    });
  },
  onAdd() {
    if (!this._loading) this._canvas.attach(this);
  },
  onRemove() {
    this._canvas.detach(this);
  },
  /** True until the features are read and drawn. */
  isLoading() {
    return this._loading || Boolean(this._map && (!this._canvas._map || this._canvas.isLoading()));
  },
  /** Number of features in the layer (0 until read). */
  getFeatureCount() {
    return this._geometry ? this._geometry.count : 0;
  },
  getBounds() {
    return this._bounds;
  },
  /** The properties of every feature (parsed on first use). */
  properties() {
    this._properties ??= gunzip(this._spec.properties)
      .then((bytes) => JSON.parse(new TextDecoder().decode(bytes)));
    return this._properties;
  },
  // The topmost feature under (x, y) in zoom-0 pixels, or -1.
  _hit(x, y, px) {
    const g = this._geometry, style = this._style;
    if (!g?.index || !style.interactive) return -1;
    const reach = (style.radius + style.weight + 4) * px;
    const found = g.index.search(x - reach, y - reach, x + reach, y + reach);
    let best = -1;
    for (const n of found) {
      const k = g.ids[n];
      if (k > best && hits(g, k, x, y, px, style)) best = k;
    }
    return best;
  },
  // Whether any feature's box meets `view` (zoom-0 pixels).
  _touches(view) {
    const index = this._geometry?.index;
    return Boolean(index && index.search(view[0], view[1], view[2], view[3]).length);
  },
  // Draws the features in `view` (zoom-0 pixels) at scale `s`, offset by
  // (ox, oy). The cost in a browser drawing without a GPU is in rasterising
  // strokes, so the level of detail follows the size on screen: features
  // under 2 pixels are dots, under 8 pixels filled without an outline, larger
  // ones filled and outlined; points become squares when very many are shown.
  _draw(ctx, s, ox, oy, view) {
    const g = this._geometry, style = this._style;
    if (!g?.index) return;
    const found = g.index.search(view[0], view[1], view[2], view[3]);
    const outlined = new Path2D(), small = new Path2D(), lines = new Path2D();
    const points = new Path2D(), dots = new Path2D();
    const xy = g.xy, radius = style.radius, manyPoints = found.length > 20000;
    for (const n of found) {
      const k = g.ids[n];
      const bx = g.box[k * 4], by = g.box[k * 4 + 1];
      const w = (g.box[k * 4 + 2] - bx) * s, h = (g.box[k * 4 + 3] - by) * s;
      const point = g.partKind[g.featurePart[k]] === POINT;
      if (w < 2 && h < 2 && (!point || manyPoints)) {
        dots.rect(bx * s - ox + w / 2 - 1.5, by * s - oy + h / 2 - 1.5, 3, 3);
        continue;
      }
      const detail = style.fill && w < 8 && h < 8 ? small : outlined;
      for (let p = g.featurePart[k]; p < g.featurePart[k + 1]; p++) {
        const kind = g.partKind[p];
        const path = kind === POLYGON ? detail : lines;
        for (let r = g.partRing[p]; r < g.partRing[p + 1]; r++) {
          const a = g.ringStart[r], b = g.ringStart[r + 1];
          if (kind === POINT) {
            const x = xy[a * 2] * s - ox, y = xy[a * 2 + 1] * s - oy;
            points.moveTo(x + radius, y);
            points.arc(x, y, radius, 0, Math.PI * 2);
            continue;
          }
          const back = g.reverse[r] === 1;
          let i = back ? b - 1 : a;
          const step = back ? -1 : 1, stop = back ? a - 1 : b;
          const fx = xy[i * 2] * s - ox, fy = xy[i * 2 + 1] * s - oy;
          let lx = fx, ly = fy;
          path.moveTo(fx, fy);
          for (i += step; i !== stop; i += step) {
            const x = xy[i * 2] * s - ox, y = xy[i * 2 + 1] * s - oy;
            // Vertices closer than a pixel to the last drawn one add nothing visible.
            if (Math.abs(x - lx) < 0.7 && Math.abs(y - ly) < 0.7 && i + step !== stop) continue;
            path.lineTo(x, y);
            lx = x;
            ly = y;
          }
          // Closed by a line back rather than closePath(), which costs Chrome
          // time in proportion to the path's length on every call.
          if (kind === POLYGON) path.lineTo(fx, fy);
        }
      }
    }
    ctx.lineJoin = "miter";
    ctx.lineCap = "square";
    ctx.strokeStyle = ctx.fillStyle = style.color;
    ctx.lineWidth = style.weight;
    if (style.fill) {
      ctx.globalAlpha = style.fillOpacity;
      ctx.fill(outlined, "nonzero");
      ctx.fill(points);
      ctx.globalAlpha = Math.min(1, style.fillOpacity * 4);
      ctx.fill(small, "nonzero");
    } else ctx.stroke(small);
    ctx.globalAlpha = 1;
    ctx.stroke(outlined);
    ctx.stroke(lines);
    ctx.stroke(points);
    ctx.fill(dots);
  },
});

/**
 * The tiles all feature layers draw on: a Leaflet grid layer of canvas tiles
 * (so they move and zoom with the map like Leaflet's own), each drawn in a
 * task of its own with only the features that touch it. Panning draws just
 * the tiles that come into view, and no frame waits for a whole view.
 */
// deno-lint-ignore no-unused-vars -- page_script.js, in the same scope, uses it
const FeatureCanvas = L.GridLayer.extend({
  options: { updateWhenZooming: false, keepBuffer: 1 },
  initialize(options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this._sets = [];
    this._pending = 0;
    this._queue = [];
    this._frame = 0;
    this._drawn = false;
  },
  // A tile no feature touches stays an empty element: a browser without a
  // GPU composites every canvas's pixels on every frame of a zoom.
  createTile(coords, done) {
    const view = this._view(coords);
    if (!this._sets.some((set) => set._touches(view))) {
      const empty = L.DomUtil.create("div", "up42-features");
      setTimeout(() => done(null, empty));
      return empty;
    }
    const tile = L.DomUtil.create("canvas", "up42-features");
    const size = this.getTileSize(), m = globalThis.devicePixelRatio > 1 ? 2 : 1;
    tile.width = size.x * m;
    tile.height = size.y * m;
    this._queue.push({ tile, coords, done, m });
    this._frame ||= requestAnimationFrame(() => this._drawQueued());
    return tile;
  },
  // The first view is drawn whole in one task: nothing on the page moves
  // yet, and without a GPU every frame costs a commit of its canvases, so
  // drawing it over many frames only makes the reader wait longer. Later
  // tiles are drawn for at most ~10 ms per frame while the map moves and
  // ~25 ms while it rests, so that frames keep coming.
  _drawQueued() {
    this._frame = 0;
    const start = performance.now(), map = this._map;
    const moving = map && (map._animatingZoom || map.dragging?.moving());
    const budget = !this._drawn ? Infinity : moving ? 10 : 25;
    while (this._queue.length && performance.now() - start < budget) {
      const { tile, coords, done, m } = this._queue.shift();
      if (map && tile.isConnected) {
        const ctx = tile.getContext("2d");
        ctx.setTransform(m, 0, 0, m, 0, 0);
        const size = this.getTileSize();
        const s = map.options.crs.scale(coords.z) / WORLD;
        const view = this._view(coords);
        for (const set of this._sets) set._draw(ctx, s, coords.x * size.x, coords.y * size.y, view);
      }
      done(null, tile);
    }
    if (this._queue.length) this._frame = requestAnimationFrame(() => this._drawQueued());
    else this._drawn = true;
  },
  // The part of the world (zoom-0 pixels) a tile shows, with a margin for
  // strokes and points that reach into it from outside.
  _view(coords) {
    const size = this.getTileSize();
    const s = this._map.options.crs.scale(coords.z) / WORLD;
    const ox = coords.x * size.x, oy = coords.y * size.y, margin = 12 / s;
    return [
      ox / s - margin,
      oy / s - margin,
      (ox + size.x) / s + margin,
      (oy + size.y) / s + margin,
    ];
  },
  // Tiles appear at once rather than fading in: a fade repaints every tile
  // of the view for a quarter second, which a browser without a GPU feels.
  _tileReady(coords, err, tile) {
    const fade = this._map?._fadeAnimated;
    if (this._map) this._map._fadeAnimated = false;
    L.GridLayer.prototype._tileReady.call(this, coords, err, tile);
    if (this._map) this._map._fadeAnimated = fade;
  },
  /** True while tiles are being drawn. */
  isLoading() {
    return this._pending > 0 || L.GridLayer.prototype.isLoading.call(this);
  },
  attach(set) {
    if (!this._sets.includes(set)) this._sets.push(set);
    this._sets.sort((a, b) => a.options.order - b.options.order);
    this._refresh();
  },
  detach(set) {
    this._sets = this._sets.filter((s) => s !== set);
    this._refresh();
  },
  // Layers that change together are drawn in one pass.
  _refresh() {
    if (this._pending || !this._map) return;
    this._pending = setTimeout(() => {
      this._pending = 0;
      if (this._map) this.redraw();
    });
  },
  // The topmost feature at a container point: [set, index] or null.
  featureAt(point) {
    const map = this._map;
    if (!map) return null;
    const at = map.project(map.containerPointToLatLng(point), 0);
    const px = WORLD / map.options.crs.scale(map.getZoom());
    for (let i = this._sets.length - 1; i >= 0; i--) {
      const k = this._sets[i]._hit(at.x, at.y, px);
      if (k >= 0) return [this._sets[i], k];
    }
    return null;
  },
});
