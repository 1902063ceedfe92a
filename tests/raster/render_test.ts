import assert from "node:assert/strict";
import { type BandArray, writeGeoTiff } from "../../lib/emulator/mod.ts";
import { ConfigError, RasterError } from "../../mod.ts";
import { colormapLut } from "../../lib/raster/colormap.ts";
import { describeRaster } from "../../lib/raster/describe.ts";
import { Budget, DEFAULT_RASTER_LIMITS } from "../../lib/raster/limits.ts";
import { readDecimated, samplePositions } from "../../lib/raster/read.ts";
import { openRaster } from "../../lib/raster/source.ts";
import { applyStretch, parseStretch, percentiles } from "../../lib/raster/stretch.ts";
import { encodePng, renderRaster } from "../../lib/raster/mod.ts";
import { decodeImage } from "../../lib/image/decode.ts";
import { mimeBundle } from "../../lib/notebook/mod.ts";
import { caught } from "../support/errors.ts";
import { FH, fixtureBands, FW, GDAL_FIXTURES } from "./fixtures/make_fixtures.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

async function tiff(dtype: string, opts: Record<string, unknown> = {}, count = 3) {
  return await writeGeoTiff({
    width: FW,
    height: FH,
    bands: fixtureBands(dtype, count),
    epsg: 32633,
    origin: [500000, 5000000],
    pixelSize: [10, 10],
    ...opts,
  });
}

async function readAll(source: string | Uint8Array, w = FW, h = FH, samples = [0, 1, 2]) {
  const o = await openRaster(source);
  try {
    const info = await describeRaster(o.tiff, DEFAULT_RASTER_LIMITS);
    const budget = new Budget(o.name, DEFAULT_RASTER_LIMITS);
    return await readDecimated(info, samples, w, h, { budget });
  } finally {
    await o.close();
  }
}

function maxDiff(got: ArrayLike<number>[], want: BandArray[]): number {
  let d = 0;
  want.forEach((w, b) => w.forEach((v, i) => (d = Math.max(d, Math.abs(got[b][i] - v)))));
  return d;
}

const LAYOUTS = [
  { compression: "deflate", predictor: 2 },
  { compression: "lzw", tileSize: 0 },
  { compression: "packbits", interleave: "band" },
  { compression: "none", tileSize: 0, interleave: "band" },
];

for (const dtype of ["uint8", "uint16", "int16", "uint32", "float32", "float64"]) {
  Deno.test(`read: ${dtype} in every compression and layout of the writer`, async () => {
    for (const layout of LAYOUTS) {
      const opts = { ...layout } as Record<string, unknown>;
      if (dtype.startsWith("float") && opts.predictor) opts.predictor = 3;
      const got = await readAll(await tiff(dtype, opts));
      assert.deepEqual(maxDiff(got.bands, fixtureBands(dtype)), 0, JSON.stringify(opts));
    }
  });
}

for (const [dtype, name] of GDAL_FIXTURES) {
  Deno.test(`read: GDAL-written ${name}`, async () => {
    const got = await readAll(FIXTURES + name);
    // JPEG is lossy; everything else must be exact.
    const tolerance = name.startsWith("jpeg") ? 8 : 0;
    const d = maxDiff(got.bands, fixtureBands(dtype));
    assert.ok(d <= tolerance, `${name}: max difference ${d}`);
  });
}

Deno.test("read: decimated reads equal a full read sampled at pixel centres", async () => {
  const bytes = await tiff("uint16", { tileSize: 16, compression: "deflate" });
  const full = await readAll(bytes);
  const small = await readAll(bytes, 13, 7);
  const xs = samplePositions(FW, 13), ys = samplePositions(FH, 7);
  for (let b = 0; b < 3; b++) {
    for (let j = 0; j < 7; j++) {
      for (let i = 0; i < 13; i++) {
        assert.deepEqual(small.bands[b][j * 13 + i], full.bands[b][ys[j] * FW + xs[i]]);
      }
    }
  }
  assert.deepEqual(small.level, { width: FW, height: FH });
});

Deno.test("read: the most reduced overview within 1.2x of the output's detail is used", async () => {
  const o = await openRaster(FIXTURES + "cog_uint16.tif");
  const info = await describeRaster(o.tiff, DEFAULT_RASTER_LIMITS);
  assert.deepEqual(info.levels.map((l) => l.width), [40, 20, 10]);
  const level = async (w: number, h: number) =>
    (await readDecimated(info, [0], w, h, { budget: new Budget(o.name, DEFAULT_RASTER_LIMITS) }))
      .level;
  assert.deepEqual(await level(15, 9), { width: 20, height: 12 });
  assert.deepEqual(await level(21, 13), { width: 20, height: 12 });
  assert.deepEqual(await level(35, 21), { width: 40, height: 24 });
  assert.deepEqual(await level(5, 3), { width: 10, height: 6 });
  await o.close();
});

Deno.test("stretch: percentiles, limits and mapping on known data", () => {
  const ramp = new Float32Array(101).map((_, i) => i * 10);
  assert.deepEqual(percentiles(ramp, [2, 98]), [20, 980]);
  assert.deepEqual(percentiles(new Float32Array([0.5, 1.5, NaN, 2.5]), [0, 100]), [0.5, 2.5]);
  assert.deepEqual([...applyStretch(new Float32Array([20, 500, 980, 1000]), 20, 980)], [
    0,
    128,
    255,
    255,
  ]);
  assert.deepEqual(parseStretch("p1,99"), { percentile: [1, 99] });
  assert.deepEqual(parseStretch("100,2000"), { min: 100, max: 2000 });
});

Deno.test("render: stretches on a uint16 ramp", async () => {
  const w = 101, h = 1;
  const band = new Uint16Array(w).map((_, i) => 1000 + i * 10);
  const bytes = await writeGeoTiff({
    width: w,
    height: h,
    bands: [band],
    epsg: 4326,
    origin: [0, 1],
    pixelSize: [1, 1],
  });
  const red = async (stretch: unknown) =>
    [...(await renderRaster(bytes, { width: w, stretch: stretch as any })).rgba].filter((_, i) =>
      i % 4 === 0
    );
  const auto = await red(undefined); // 2–98 percentile: 1020 → 0, 1980 → 255
  assert.deepEqual([auto[0], auto[2], auto[50], auto[98], auto[100]], [0, 0, 128, 255, 255]);
  const minmax = await red("minmax");
  assert.deepEqual([minmax[0], minmax[100]], [0, 255]);
  const explicit = await red({ min: 1000, max: 2000 });
  assert.deepEqual([explicit[0], explicit[50], explicit[100]], [0, 128, 255]);
  const none = await red("none");
  assert.deepEqual(none[0], 255); // 1000 clamps to 255
  const pct = await red({ percentile: [10, 90] });
  assert.deepEqual([pct[10], pct[90]], [0, 255]);
});

Deno.test("render: uint8 RGB is shown as-is and bounds/crs come from the GeoKeys", async () => {
  const r = await renderRaster(await tiff("uint8", { epsg: 32633 }), { width: FW });
  const want = fixtureBands("uint8");
  for (let i = 0; i < FW * FH; i++) {
    assert.deepEqual([r.rgba[i * 4], r.rgba[i * 4 + 1], r.rgba[i * 4 + 2], r.rgba[i * 4 + 3]], [
      want[0][i],
      want[1][i],
      want[2][i],
      255,
    ]);
  }
  assert.deepEqual(r.bounds, [500000, 5000000 - FH * 10, 500000 + FW * 10, 5000000]);
  assert.deepEqual(r.crs, "EPSG:32633");
  assert.deepEqual([r.width, r.height, r.bandCount], [FW, FH, 3]);
  const g = await renderRaster(await tiff("uint8", { epsg: 4326 }), { height: 12 });
  assert.deepEqual([g.width, g.height, g.crs], [20, 12, "EPSG:4326"]);
});

Deno.test("render: one band through a colour map", async () => {
  const r = await renderRaster(await tiff("uint8"), {
    bands: [2],
    cmap: "viridis",
    stretch: "none",
  });
  const lut = colormapLut("viridis");
  const v = fixtureBands("uint8")[1][5];
  assert.deepEqual([...r.rgba.subarray(20, 23)], [...lut.subarray(v * 3, v * 3 + 3)]);
  assert.ok(lut[0] !== lut[1], "viridis is not gray");
  assert.equal(
    (await caught(() => renderRaster(FIXTURES + "zstd_uint16.tif", { cmap: "nope" }), ConfigError))
      .setting,
    "cmap",
  );
});

Deno.test("render: nodata, NaN, alpha bands and internal masks are transparent", async () => {
  const bands = fixtureBands("uint16", 4);
  for (const b of bands) for (let y = 0; y < FH; y++) for (let x = 0; x < 5; x++) b[y * FW + x] = 0;
  const bytes = await writeGeoTiff({
    width: FW,
    height: FH,
    bands,
    epsg: 32633,
    origin: [0, 0],
    pixelSize: [1, 1],
    nodata: 0,
  });
  const alphaAt = (r: { rgba: Uint8ClampedArray }, x: number, y: number) =>
    r.rgba[(y * FW + x) * 4 + 3];
  const r = await renderRaster(bytes, { bands: [1, 2, 3], width: FW });
  assert.deepEqual([alphaAt(r, 4, 3), alphaAt(r, 5, 3)], [0, 255]);
  const explicit = await renderRaster(await tiff("uint16"), { nodata: 100 * 30 + 300, width: FW });
  assert.ok(explicit.rgba.some((v, i) => i % 4 === 3 && v === 255));
  const float = fixtureBands("float32", 1);
  float[0][7] = NaN;
  const f = await renderRaster(
    await writeGeoTiff({
      width: FW,
      height: FH,
      bands: float,
      epsg: 4326,
      origin: [0, 0],
      pixelSize: [1, 1],
    }),
    { width: FW },
  );
  assert.deepEqual([alphaAt(f, 7, 0), alphaAt(f, 8, 0)], [0, 255]);
  for (const name of ["alpha_uint8.tif", "mask_uint8.tif"]) {
    const m = await renderRaster(FIXTURES + name, { width: FW });
    assert.deepEqual([alphaAt(m, 7, 2), alphaAt(m, 8, 2)], [0, 255], name);
  }
});

Deno.test("render: a COG over HTTP is read by ranges", async () => {
  const bytes = await Deno.readFile(FIXTURES + "cog_uint16.tif");
  const ranges: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.get("range") ?? "");
    if (!m) return new Response(bytes);
    ranges.push(m[0]);
    const [a, b] = [Number(m[1]), Math.min(Number(m[2]), bytes.length - 1)];
    return new Response(bytes.slice(a, b + 1), {
      status: 206,
      headers: { "content-range": `bytes ${a}-${b}/${bytes.length}` },
    });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/cog.tif?signature=secret`;
    const r = await renderRaster(url, { width: 10 });
    assert.deepEqual([r.width, r.height, r.crs], [10, 6, "EPSG:32633"]);
    assert.ok(ranges.length > 0);
    const error = await caught(() => renderRaster(url, { bands: [5] }), RasterError);
    assert.equal(error.reason, "bands");
    assert.ok(!error.message.includes("secret"), "no signed query in messages");
  } finally {
    await server.shutdown();
  }
});

Deno.test("render: errors carry the file and the reason", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await caught(() => renderRaster(`${dir}/missing.tif`), RasterError);
    assert.deepEqual([missing.file, missing.reason], [`${dir}/missing.tif`, "not-found"]);
    await Deno.writeTextFile(`${dir}/text.tif`, "hello, not a tiff");
    assert.equal(
      (await caught(() => renderRaster(`${dir}/text.tif`), RasterError)).reason,
      "format",
    );
    const bands = await caught(
      () => renderRaster(FIXTURES + "zstd_uint16.tif", { bands: [4, 3, 2] }),
      RasterError,
    );
    assert.deepEqual([bands.reason, bands.detail], [
      "bands",
      "band 4 does not exist (the file has 3 bands)",
    ]);
    const two = await caught(
      () => renderRaster(FIXTURES + "zstd_uint16.tif", { bands: [1, 2] }),
      ConfigError,
    );
    assert.equal(two.setting, "bands");
    const bytes = await writeGeoTiff({
      width: 64,
      height: 64,
      bands: [new Uint16Array(64 * 64).map((_, i) => i)],
      epsg: 4326,
      origin: [0, 0],
      pixelSize: [1, 1],
      tileSize: 16,
    });
    bytes.fill(0xab, bytes.length - 3000, bytes.length - 1000);
    await Deno.writeFile(`${dir}/corrupt.tif`, bytes);
    const corrupt = await caught(() => renderRaster(`${dir}/corrupt.tif`), RasterError);
    assert.deepEqual([corrupt.file, corrupt.reason], [`${dir}/corrupt.tif`, "corrupt"]);
    assert.ok(!corrupt.message.includes("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("render: plain data that encodes to PNG and displays in a notebook", async () => {
  const r = await renderRaster(FIXTURES + "lzw_pred2_uint16.tif", { width: 20 });
  assert.deepEqual(Object.getOwnPropertySymbols(r), []);
  assert.ok(!Object.values(r).some((v) => typeof v === "function"), "no methods");
  const png = decodeImage(encodePng(r), "x.png");
  assert.deepEqual([png.width, png.height], [20, 12]);
  assert.ok((await mimeBundle(r))["image/png"].length > 100);
});
