import assert from "node:assert/strict";
import { fromArrayBuffer } from "geotiff";
import { type BandArray, type GeoTiffSpec, writeGeoTiff } from "../../lib/emulator/mod.ts";
import { ConfigError } from "../../mod.ts";
import { caught } from "../support/errors.ts";
import { skipWithout } from "../support/tools.ts";

const W = 300, H = 200;

function bandsOf(Ctor: new (n: number) => BandArray, count = 3): BandArray[] {
  return Array.from({ length: count }, (_, b) => {
    const a = new Ctor(W * H);
    for (let i = 0; i < a.length; i++) {
      a[i] = ((i * 7 + b * 13) % 1000) - (Ctor === Int16Array ? 500 : 0) +
        (Ctor === Float32Array || Ctor === Float64Array ? 0.25 : 0);
    }
    return a;
  });
}

const CASES: [new (n: number) => BandArray, Partial<GeoTiffSpec>][] = [
  [Uint8Array, { compression: "deflate", predictor: 2 }],
  [Uint8Array, { compression: "none", tileSize: 0 }],
  [Uint16Array, { compression: "lzw", predictor: 2, interleave: "band" }],
  [Uint16Array, { compression: "deflate", tileSize: 64 }],
  [Int16Array, { compression: "packbits", tileSize: 0 }],
  [Int16Array, { compression: "deflate", predictor: 2, interleave: "band", tileSize: 0 }],
  [Uint32Array, { compression: "none", tileSize: 0, interleave: "band" }],
  [Uint32Array, { compression: "lzw" }],
  [Float32Array, { compression: "deflate", predictor: 3 }],
  [Float64Array, { compression: "lzw", predictor: 3, tileSize: 0 }],
  [Float64Array, { compression: "packbits", interleave: "band" }],
];

function label(c: new (n: number) => BandArray, o: Partial<GeoTiffSpec>): string {
  return `${c.name} ${JSON.stringify(o)}`;
}

for (const [Ctor, opts] of CASES) {
  Deno.test(`writeGeoTiff: geotiff.js reads back ${label(Ctor, opts)}`, async () => {
    const bands = bandsOf(Ctor);
    const bytes = await writeGeoTiff({
      width: W,
      height: H,
      bands,
      epsg: 32633,
      origin: [500000, 5000000],
      pixelSize: [10, 20],
      nodata: 0,
      ...opts,
    });
    const tiff = await fromArrayBuffer(bytes.buffer as ArrayBuffer);
    const image = await tiff.getImage();
    assert.deepEqual([image.getWidth(), image.getHeight()], [W, H]);
    const read = await image.readRasters();
    for (let b = 0; b < bands.length; b++) {
      assert.ok(read[b] instanceof Ctor, `band ${b + 1} type`);
      assert.deepEqual(Array.from(read[b] as BandArray), Array.from(bands[b]), `band ${b + 1}`);
    }
    assert.deepEqual(image.getBoundingBox(), [500000, 4996000, 503000, 5000000]);
    assert.deepEqual(image.getGDALNoData(), 0);
    assert.deepEqual(image.getGeoKeys(), {
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: 32633,
    });
  });
}

Deno.test("writeGeoTiff: geographic CRS, NaN nodata and deterministic output", async () => {
  const spec: GeoTiffSpec = {
    width: W,
    height: H,
    bands: bandsOf(Float32Array, 1),
    epsg: 4326,
    origin: [10, 50],
    pixelSize: [0.01, 0.01],
    nodata: NaN,
  };
  const a = await writeGeoTiff(spec);
  const b = await writeGeoTiff(spec);
  assert.deepEqual(a, b);
  const image = await (await fromArrayBuffer(a.buffer as ArrayBuffer)).getImage();
  assert.deepEqual(image.getGeoKeys()?.GeographicTypeGeoKey, 4326);
  assert.deepEqual(image.getGeoKeys()?.GTModelTypeGeoKey, 2);
  assert.ok(Number.isNaN(image.getGDALNoData()));
});

Deno.test("writeGeoTiff: overviews are reduced IFDs averaged without nodata", async () => {
  const band = new Uint16Array(W * H).fill(100);
  band[0] = 0; // nodata: ignored by the average
  band[1] = 300;
  const bytes = await writeGeoTiff({
    width: W,
    height: H,
    bands: [band],
    epsg: 32633,
    origin: [0, 0],
    pixelSize: [1, 1],
    nodata: 0,
    overviews: [2, 4, 8],
    tileSize: 128,
  });
  const tiff = await fromArrayBuffer(bytes.buffer as ArrayBuffer);
  assert.deepEqual(await tiff.getImageCount(), 4);
  const sizes = [];
  for (let i = 1; i < 4; i++) {
    const ov = await tiff.getImage(i);
    assert.deepEqual(ov.fileDirectory.getValue("NewSubfileType"), 1);
    sizes.push([ov.getWidth(), ov.getHeight()]);
  }
  assert.deepEqual(sizes, [[150, 100], [75, 50], [38, 25]]);
  const first = await (await tiff.getImage(1)).readRasters();
  assert.deepEqual((first[0] as Uint16Array)[0], 167); // (300 + 100 + 100) / 3
});

Deno.test("writeGeoTiff: bad specs are ConfigErrors", async () => {
  const base: GeoTiffSpec = {
    width: 4,
    height: 4,
    bands: [new Uint8Array(16)],
    epsg: 4326,
    origin: [0, 0],
    pixelSize: [1, 1],
  };
  const cases: [Partial<GeoTiffSpec>, string][] = [
    [{ bands: [new Uint8Array(3)] }, "bands"],
    [{ predictor: 3 }, "predictor"],
    [{ bands: [new Float32Array(16)], predictor: 2 }, "predictor"],
    [{ width: 0 }, "width"],
    [{ tileSize: 100 }, "tileSize"],
  ];
  for (const [spec, setting] of cases) {
    assert.equal(
      (await caught(() => writeGeoTiff({ ...base, ...spec }), ConfigError)).setting,
      setting,
    );
  }
});

Deno.test({
  name: "writeGeoTiff: GDAL reads every variant with the same values",
  ignore: skipWithout("gdal"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      for (const [Ctor, opts] of CASES) {
        const bands = bandsOf(Ctor);
        const tif = `${dir}/x.tif`, raw = `${dir}/x.raw`;
        await Deno.writeFile(
          tif,
          await writeGeoTiff({
            width: W,
            height: H,
            bands,
            epsg: 32633,
            origin: [500000, 5000000],
            pixelSize: [10, 10],
            overviews: [2],
            ...opts,
          }),
        );
        const out = await new Deno.Command("gdal_translate", {
          args: ["-q", "-of", "ENVI", "-co", "INTERLEAVE=BSQ", tif, raw],
          stderr: "piped",
        }).output();
        const err = new TextDecoder().decode(out.stderr);
        assert.ok(out.success && !err.includes("ERROR"), `${label(Ctor, opts)}: ${err}`);
        const got = await Deno.readFile(raw);
        const want = new Uint8Array(got.length);
        bands.forEach((b, i) => want.set(new Uint8Array(b.buffer), i * b.byteLength));
        assert.ok(
          got.length === want.length && got.every((v, i) => v === want[i]),
          label(Ctor, opts),
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
