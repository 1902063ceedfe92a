import assert from "node:assert/strict";
import { decode } from "fast-png";
import { join } from "node:path";
import { epsgCode, lonLatToMercator, mercatorToLonLat, transformer } from "../../lib/map/crs.ts";
import { writeGeoTiff } from "../../lib/emulator/mod.ts";
import { ConfigError, MapError, RasterError } from "../../mod.ts";
import { mapResults } from "../../lib/map/mod.ts";
import { jupyterFrame, mimeBundle } from "../../lib/notebook/mod.ts";
import { geometryProblem, toFeatureCollection } from "../../lib/map/geojson.ts";
import { leafletStyles, scriptJson } from "../../lib/map/page.ts";
import { escapeHtml } from "../../lib/internal/html.ts";
import { encodePalettePng as toPalettePng, quantize } from "../../lib/image/palette.ts";
import { warpToMercator } from "../../lib/map/warp.ts";
import { caught } from "../support/errors.ts";
import { decode as decodeGeobuf } from "geobuf";
import Pbf from "pbf";
import { encodeFeatures } from "../../lib/map/encode.ts";
import { legendFor } from "../../lib/map/legend.ts";
import { featureIdentifiers, quicklookIds } from "../../lib/map/quicklooks.ts";
import { classicScript } from "../../lib/map/vendor.ts";
import { squares } from "../support/rasters.ts";
import { jobFolder } from "../support/rasters.ts";

/** The data a page draws, from its inert JSON element. */
function pageData(html: string): any {
  const m = html.match(/<script type="application\/json" id="up42-map-data">(.*?)<\/script>/s)!;
  return JSON.parse(m[1]);
}

async function gunzip(base64: string): Promise<Uint8Array> {
  const stream = new Blob([Uint8Array.fromBase64(base64)]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzipJson(base64: string): Promise<any> {
  return JSON.parse(new TextDecoder().decode(await gunzip(base64)));
}

const HOSTILE = "<img src=x onerror=window.__pwned=1>";

function square(w: number, s: number, props: Record<string, unknown>) {
  const ring = [[w, s], [w + 0.1, s], [w + 0.1, s + 0.1], [w, s + 0.1], [w, s]];
  return { type: "Feature", properties: props, geometry: { type: "Polygon", coordinates: [ring] } };
}

const FC = {
  type: "FeatureCollection",
  features: [square(13.3, 52.4, { uid: "a", note: HOSTILE }), square(13.5, 52.5, { uid: "b" })],
};

function tinyTif(epsg = 32633) {
  return writeGeoTiff({
    width: 8,
    height: 6,
    bands: [0, 1, 2].map((b) => new Uint8Array(48).map((_, i) => (i * 5 + b * 40) % 256)),
    epsg,
    origin: [385_000, 5_825_000],
    pixelSize: [100, 100],
  });
}

Deno.test("crs: EPSG codes resolve through the index; unknown codes name the code", async () => {
  assert.deepEqual(epsgCode("epsg:32633"), 32633);
  const t = await transformer("EPSG:32633");
  const [x, y] = t.forward(385_000, 5_825_000);
  const [lon, lat] = mercatorToLonLat(x, y);
  assert.ok(Math.abs(lon - 13.312) < 0.01 && Math.abs(lat - 52.56) < 0.01, `${lon} ${lat}`);
  const back = lonLatToMercator(lon, lat);
  assert.ok(Math.abs(back[0] - x) < 1e-6 && Math.abs(back[1] - y) < 1e-6);
  assert.equal((await caught(() => transformer("EPSG:999999"), MapError)).subject, "EPSG:999999");
  assert.equal((await caught(() => transformer("WGS84"), MapError)).subject, "CRS WGS84");
});

Deno.test("warp: a marker pixel lands where its projected centre is, within one pixel", async () => {
  const w = 300, h = 200, mx = 217, my = 43, res = 30, x0 = 385_000, y1 = 5_825_000;
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([100, 100, 100, 255], i * 4);
  rgba.set([255, 0, 0, 255], (my * w + mx) * 4);
  const t = await transformer("EPSG:32633");
  const out = warpToMercator({
    width: w,
    height: h,
    rgba,
    bounds: [x0, y1 - h * res, x0 + w * res, y1],
  }, t);
  const size = (out.bounds[2] - out.bounds[0]) / out.width;
  const hits: [number, number][] = [];
  for (let i = 0; i < out.width * out.height; i++) {
    if (out.rgba[i * 4 + 1] === 0 && out.rgba[i * 4 + 3] === 255) {
      hits.push([i % out.width, Math.floor(i / out.width)]);
    }
  }
  assert.ok(hits.length >= 1, "marker not found");
  const [ex, ey] = t.forward(x0 + (mx + 0.5) * res, y1 - (my + 0.5) * res);
  const [px, py] = [(ex - out.bounds[0]) / size, (out.bounds[3] - ey) / size];
  for (const [hx, hy] of hits) {
    assert.ok(
      Math.abs(hx + 0.5 - px) <= 1 && Math.abs(hy + 0.5 - py) <= 1,
      `${hx},${hy} vs ${px},${py}`,
    );
  }
  // Outside the rotated source footprint the output is transparent.
  assert.deepEqual(out.rgba[3], 0);
});

Deno.test("warp: a bounded output size keeps the extent", async () => {
  const t = await transformer("EPSG:4326");
  const rgba = new Uint8ClampedArray(400 * 100 * 4).fill(255);
  const bounds: [number, number, number, number] = [13, 52, 14, 52.25];
  const out = warpToMercator({ width: 400, height: 100, rgba, bounds }, t, { maxPixels: 64 });
  assert.deepEqual(out.width, 64);
  const [w, s] = mercatorToLonLat(out.bounds[0], out.bounds[1]);
  const [e, n] = mercatorToLonLat(out.bounds[2], out.bounds[3]);
  const px = 1 / 64;
  assert.ok(Math.abs(w - 13) < 1e-9 && Math.abs(n - 52.25) < 1e-9, `${w} ${n}`);
  assert.ok(Math.abs(e - 14) <= px && Math.abs(s - 52) <= 0.25 / out.height * 1.5, `${e} ${s}`);
});

Deno.test("palette PNG: lossless up to 255 colours, transparency kept, deterministic", () => {
  const n = 64 * 64;
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) rgba.set(i % 7 ? [i % 200, 3, 9, 255] : [0, 0, 0, 0], i * 4);
  const png = decode(toPalettePng({ width: 64, height: 64, rgba }));
  assert.ok(png.palette && png.palette.length <= 256);
  for (let i = 0; i < n; i++) {
    const [r, g, b, a]: number[] = png.palette![png.data[i]] as number[];
    if (i % 7 === 0) assert.deepEqual(a, 0);
    else assert.deepEqual([r, g, b, a], [i % 200, 3, 9, 255]);
  }
  const many = new Uint8ClampedArray(256 * 256 * 4);
  for (let i = 0; i < 65536; i++) many.set([i & 255, i >> 8, (i * 7) & 255, 255], i * 4);
  const q = quantize({ width: 256, height: 256, rgba: many });
  assert.ok(q.palette.length <= 256, `${q.palette.length}`);
  let err = 0;
  for (let i = 0; i < 65536; i++) {
    const p = q.palette[q.indices[i]];
    err = Math.max(err, Math.abs(p[0] - many[i * 4]), Math.abs(p[1] - many[i * 4 + 1]));
  }
  assert.ok(err < 48, `max error ${err}`);
  const image = { width: 256, height: 256, rgba: many };
  assert.deepEqual(toPalettePng(image), toPalettePng(image));
});

Deno.test("geojson: invalid geometries are explained; wrappers accepted", () => {
  assert.deepEqual(
    toFeatureCollection({ type: "Point", coordinates: [1, 2] }, "aoi").features.length,
    1,
  );
  assert.deepEqual(toFeatureCollection(square(1, 2, {}), "aoi").features.length, 1);
  assert.ok(geometryProblem({ type: "Polygon", coordinates: [[[0, 0], [1, 1]]] })!.includes("4"));
  assert.ok(
    geometryProblem({ type: "Point", coordinates: [385000, 5825000] })!.includes("EPSG:4326"),
  );
  assert.ok(geometryProblem({ type: "Circle" })!.includes("Circle"));
  assert.deepEqual(geometryProblem(null), undefined);
});

Deno.test("page: self-contained, data embedded inertly, images inline", async () => {
  const m = await mapResults({
    featureCollection: FC,
    images: [{ name: "t.tif", bytes: await tinyTif() }],
  });
  assert.ok(!/<script[^>]+src=/i.test(m.html), "external script");
  assert.ok(!/<link[^>]+stylesheet/i.test(m.html), "external stylesheet");
  assert.ok(!m.html.includes("url(images/") && !leafletStyles().includes("url(images/"));
  assert.ok(!m.html.includes(HOSTILE), "hostile value embedded as markup");
  const features = pageData(m.html).layers.filter((l: any) => l.kind === "features");
  assert.deepEqual((await gunzipJson(features[0].properties))[0].note, HOSTILE);
  assert.deepEqual(scriptJson({ a: "</script>" }), '{"a":"\\u003c/script>"}');
  assert.deepEqual(escapeHtml(`<"&'>`), "&lt;&quot;&amp;&#39;&gt;");
  assert.deepEqual(m.images.length, 1);
  assert.deepEqual(m.features, 2);
  const hosts = [...m.html.matchAll(/https?:\/\/([a-z0-9.-]+)/gi)].map((x) => x[1]);
  assert.ok(hosts.every((h) => !/unpkg|jsdelivr|cdnjs/.test(h)), `CDN host in ${hosts}`);
});

Deno.test("Jupyter: the value displays as an iframe whose srcdoc is the escaped page", async () => {
  const m = await mapResults({ featureCollection: FC });
  const frame: string = (await mimeBundle(m))["text/html"];
  assert.ok(frame.startsWith('<iframe srcdoc="'));
  const srcdoc = frame.slice(16, frame.indexOf('" style='));
  assert.ok(!/["<>]/.test(srcdoc), "unescaped character in srcdoc");
  const back = srcdoc.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  assert.deepEqual(back, m.html);
  assert.ok(jupyterFrame("a&b").includes("a&amp;b"));
});

Deno.test("files: .geojson preferred to data.json, rasters found in folders, atomic save", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "output", "x"), { recursive: true });
    await Deno.writeTextFile(join(dir, "output", "data.json"), JSON.stringify(FC));
    await Deno.writeFile(join(dir, "output", "x", "x_0-0.tif"), await tinyTif());
    const m = await mapResults({ filepaths: dir, saveHtml: join(dir, "map.html") });
    assert.deepEqual([m.features, m.images.length], [2, 1]);
    assert.deepEqual(m.path, join(dir, "map.html"));
    assert.deepEqual(await Deno.readTextFile(m.path!), m.html);
    const one = { type: "FeatureCollection", features: [FC.features[0]] };
    await Deno.writeTextFile(join(dir, "output", "extra.geojson"), JSON.stringify(one));
    const again = await mapResults({ filepaths: [dir], showImages: false });
    assert.deepEqual([again.features, again.images.length], [1, 0]);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("errors: fields naming what is wrong, nothing written", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "map.html");
  try {
    const none = await caught(() => mapResults({ filepaths: [dir], saveHtml: out }), MapError);
    assert.equal(none.subject, dir);
    assert.match(none.problem, /\.geojson.*data\.json/);
    const bad = structuredClone(FC);
    (bad.features[1].geometry.coordinates[0] as number[][]).splice(1);
    const geometry = await caught(
      () => mapResults({ featureCollection: bad, saveHtml: out }),
      MapError,
    );
    assert.equal(geometry.subject, "feature 1");
    const bands = await caught(
      () => mapResults({ featureCollection: FC, bands: [1, 2] }),
      ConfigError,
    );
    assert.equal(bands.setting, "bands");
    const junk = { name: "broken.tif", bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const raster = await caught(
      () => mapResults({ featureCollection: FC, images: [junk], saveHtml: out }),
      RasterError,
    );
    assert.deepEqual([raster.file, raster.reason], ["broken.tif", "format"]);
    const unknown = { name: "odd.tif", bytes: await tinyTif(3) };
    const crs = await caught(
      () => mapResults({ featureCollection: FC, images: [unknown] }),
      MapError,
    );
    assert.equal(crs.subject, "EPSG:3");
    const missing = await caught(() => mapResults({ filepaths: [join(dir, "nope")] }), MapError);
    assert.equal(missing.subject, join(dir, "nope"));
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hostile features: properties with odd names and deep nesting are handled", async () => {
  const odd = {
    type: "FeatureCollection",
    features: [
      square(13.3, 52.4, { toString: "x", uid: { toString: "y" }, __proto__: "z" }),
      square(13.5, 52.5, { valueOf: 1 }),
    ],
  };
  const m = await mapResults({ featureCollection: odd });
  assert.equal(m.features, 2);
  let deep: unknown = { type: "Point", coordinates: [13, 52] };
  for (let i = 0; i < 20_000; i++) deep = { type: "GeometryCollection", geometries: [deep] };
  const error = await caught(
    () => mapResults({ featureCollection: { type: "Feature", properties: {}, geometry: deep } }),
    MapError,
  );
  assert.match(error.problem, /nested deeper than/);
});

Deno.test("edge: a map is built from bytes with no file system or network permission", async () => {
  const script = `
    import { mapResults } from "${new URL("../../lib/map/mod.ts", import.meta.url)}";
    import { writeGeoTiff } from "${new URL("../../lib/emulator/mod.ts", import.meta.url)}";
    const bytes = await writeGeoTiff({ width: 4, height: 4, bands: [new Uint8Array(16).fill(9)],
      epsg: 32633, origin: [385000, 5825000], pixelSize: [10, 10] });
    const fc = { type: "FeatureCollection", features: [] };
    const m = await mapResults({ featureCollection: fc, images: [{ name: "m.tif", bytes }] });
    console.log(m.images.length, m.html.length > 100000);
  `;
  // `deno eval` would grant every permission: run a file with none instead.
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", `--config=${config}`, file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, err);
  assert.deepEqual(new TextDecoder().decode(out.stdout).trim(), "1 true");
});

Deno.test("encode: geometries survive geobuf to 1e-6 degrees, properties exactly, odd keys too", async () => {
  let nested: any = { type: "Point", coordinates: [13.1, 52.1] };
  for (let i = 0; i < 3; i++) nested = { type: "GeometryCollection", geometries: [nested] };
  const geometries = [
    { type: "Point", coordinates: [13.123456789, 52.5] },
    { type: "MultiPoint", coordinates: [[1, 2], [3, 4]] },
    { type: "LineString", coordinates: [[0, 0], [1, 1], [2, 0]] },
    { type: "MultiLineString", coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3]]] },
    {
      type: "Polygon",
      coordinates: [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [1, 2], [2, 2], [1, 1]]],
    },
    {
      type: "MultiPolygon",
      coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 5]]]],
    },
    { type: "Point", coordinates: [1, 2, 300] },
    nested,
    null,
  ];
  const properties = JSON.parse(
    '{"__proto__": {"x": 1}, "constructor": "c", "toString": "t", "deep": {"a": [1, {"b": null}]}}',
  );
  const features = geometries.map((geometry, i) => ({
    geometry,
    properties: i === 0 ? properties : i === 1 ? null : { i },
  }));
  const e = await encodeFeatures(features);
  assert.equal(e.count, geometries.length);
  // Small geometries travel uncompressed; a large layer's are gzip-compressed.
  assert.equal(e.geometryEncoding, "raw");
  const back = decodeGeobuf(new Pbf(Uint8Array.fromBase64(e.geometry))) as any;
  const close = (a: unknown, b: unknown): boolean =>
    Array.isArray(a)
      ? Array.isArray(b) && a.length === b.length && a.every((x, i) => close(x, b[i]))
      : typeof a === "number"
      ? Math.abs(a - (b as number)) <= 1e-6
      : a === b;
  back.features.forEach((f: any, i: number) => {
    const g: any = geometries[i];
    if (g === null) return assert.equal(f.geometry, null);
    assert.equal(f.geometry.type, g.type);
    if (g.type !== "GeometryCollection") {
      // A third coordinate anywhere makes geobuf carry one everywhere; the page reads x and y.
      const xy = (c: any): any => typeof c[0] === "number" ? c.slice(0, 2) : c.map(xy);
      assert.ok(
        close(xy(f.geometry.coordinates), xy(g.coordinates)),
        `${g.type} ${JSON.stringify(f.geometry)}`,
      );
    }
  });
  const props = await gunzipJson(e.properties);
  assert.deepEqual(Object.keys(props[0]), ["__proto__", "constructor", "toString", "deep"]);
  assert.deepEqual(JSON.stringify(props), JSON.stringify(features.map((f) => f.properties)));
});

Deno.test("job folder: each jobtask's features, rasters and quicklooks, named from its manifest or id", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const job = await jobFolder(dir, "pansharpen:1");
    const m = await mapResults({ filepaths: job.folder, quicklooks: true });
    assert.deepEqual(
      m.jobtasks.map((j) => [j.id, j.name, j.features, j.images, j.quicklooks]),
      [
        ["aaaa-1111", "pansharpen:1", 2, ["scene0_0-0.tif"], ["S2_0_1"]],
        ["bbbb-2222", "bbbb-2222", 2, ["scene1_0-0.tif"], []],
      ],
    );
    assert.ok(m.jobtasks[1].featuresFrom!.endsWith(join("jobtask_bbbb-2222", "data.json")));
    assert.deepEqual(m.quicklooks.map((q) => [q.id, q.drawn]), [["S2_0_1", true], [
      "S2_9_9.jpg",
      false,
    ]]);
    assert.equal(m.features, 4);
    const layers = pageData(m.html).layers;
    assert.deepEqual(
      layers.map((l: any) => [l.kind, l.name, !!l.heading, !!l.indent]),
      [
        ["features", "pansharpen:1", true, false],
        ["image", "Image - scene0_0-0.tif", false, true],
        ["quicklook", "Quicklook - S2_0_1", false, true],
        ["features", "bbbb-2222", true, false],
        ["image", "Image - scene1_0-0.tif", false, true],
      ],
    );
    // The quicklook lies on its scene's footprint (the second feature of the first jobtask).
    assert.deepEqual(layers[2].bounds, [[52.47, 13.3], [52.53, 13.4]]);

    // Several result folders, each a group named after its folder; without quicklooks none drawn.
    const [a, b] = job.jobtasks.map((t) => join(job.folder, `jobtask_${t}`));
    const two = await mapResults({ filepaths: [a, b], showImages: false });
    assert.deepEqual(two.jobtasks.map((j) => [j.name, j.features]), [["pansharpen:1", 2], [
      "bbbb-2222",
      2,
    ]]);
    assert.deepEqual(two.quicklooks, []);
    // One jobtask folder alone: the layers of a single jobtask.
    const one = await mapResults({ filepaths: b, showImages: false });
    assert.deepEqual(
      pageData(one.html).layers.map((l: any) => l.name),
      ["Feature 0 - bbbb-2222-0", "Feature 1 - bbbb-2222-1"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("quicklooks: one matching two features through different ids lies on the first", async () => {
  const square = (x: number) => ({
    type: "Polygon",
    coordinates: [[[x, 50], [x + 1, 50], [x + 1, 51], [x, 51], [x, 50]]],
  });
  const fc = {
    type: "FeatureCollection",
    features: [
      { type: "Feature", properties: { uid: "other" }, geometry: square(10) },
      { type: "Feature", properties: { uid: "first", sceneId: "A" }, geometry: square(30) },
      // Matched by the quicklook's first id ("A.png"), but later in order.
      { type: "Feature", properties: { uid: "second", sceneId: "A.png" }, geometry: square(20) },
    ],
  };
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
  const m = await mapResults({
    featureCollection: fc,
    quicklooks: [{ name: "quicklook_A.png", bytes: png }],
  });
  assert.deepEqual(m.quicklooks.map((q) => [q.id, q.drawn]), [["A", true]]);
  const layer = pageData(m.html).layers.find((l: any) => l.kind === "quicklook");
  assert.deepEqual(layer.bounds, [[50, 30], [51, 31]]);
});

Deno.test("quicklooks: matched by the ids UP42 results carry", () => {
  // The identifying fields of the real data.json in the reference material.
  const real = {
    properties: {
      uid: "21ac03b7-1b1e-43c8-b385-56fde04610aa",
      identification: {
        externalId: "S2A_MSIL1C_20191220T101431_N0208_R022_T33UUU_20191220T105312",
      },
      archive: { filename: "S2A_MSIL1C_20191220T101431_N0208_R022_T33UUU_20191220T105312.SAFE" },
    },
  };
  const ids = featureIdentifiers(real);
  for (
    const file of [
      "quicklook_S2A_MSIL1C_20191220T101431_N0208_R022_T33UUU_20191220T105312.png",
      "quicklook_S2A_MSIL1C_20191220T101431_N0208_R022_T33UUU_20191220T105312.jpg",
      "quicklook_21ac03b7-1b1e-43c8-b385-56fde04610aa.jpg",
    ]
  ) {
    assert.ok(quicklookIds(file).some((id) => ids.includes(id)), file);
  }
  assert.ok(!quicklookIds("quicklook_S2B_other.png").some((id) => ids.includes(id)));
  assert.deepEqual(quicklookIds("quicklook_S2B_1.jpg.png"), ["S2B_1.jpg.png", "S2B_1.jpg"]);
  assert.deepEqual(featureIdentifiers({ properties: { uid: { toString: "x" } } }), []);
});

Deno.test("legend: a single band with a colour map carries its range; three bands none", async () => {
  const band = new Uint16Array(64 * 48).map((_, i) => 1000 + (i % 64) * 10);
  const single = await writeGeoTiff({
    width: 64,
    height: 48,
    bands: [band],
    epsg: 32633,
    origin: [385_000, 5_825_000],
    pixelSize: [100, 100],
  });
  const m = await mapResults({
    images: [{ name: "ndvi.tif", bytes: single }, { name: "rgb.tif", bytes: await tinyTif() }],
    showFeatures: false,
    cmap: "viridis",
    stretch: "minmax",
  });
  const [one, three] = pageData(m.html).layers;
  assert.deepEqual(one.legend.title, "ndvi.tif (viridis)");
  assert.deepEqual(one.legend.labels, ["≤ 1000", "1158", "1315", "1473", "≥ 1630"]);
  assert.deepEqual(one.legend.colors.length, 11);
  assert.equal(three.legend, undefined);
  assert.deepEqual(legendFor("x", "gray", [0, 1e7]).labels.at(-1), "≥ 1.00e+7");
});

Deno.test("vendor: a library whose module shape changed is refused, not inlined", () => {
  assert.throws(
    () => classicScript("x", "export default function f() {}"),
    /one default-exported class/,
  );
  assert.throws(
    () => classicScript("x", "export default class A {}\nexport const b = 1;"),
    /unexpected/,
  );
  assert.throws(() => classicScript("x", "export default class A {}", ["y"]), /no import of y/);
});

Deno.test("map encoding: a large layer's geometries are gzip-compressed and decode the same", async () => {
  const fc = squares(2000);
  const e = await encodeFeatures(fc.features);
  assert.equal(e.geometryEncoding, "gzip");
  const back = decodeGeobuf(new Pbf(await gunzip(e.geometry))) as any;
  assert.equal(back.features.length, 2000);
  assert.deepEqual(back.features[7].geometry.type, fc.features[7].geometry.type);
});
