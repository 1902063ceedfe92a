import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { type BandArray, type GeoTiffSpec, writeGeoTiff } from "../lib/emulator/geotiff_writer.ts";
import { ConfigError } from "../lib/errors.ts";
import { fromArrayBuffer } from "geotiff";

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
    assertEquals([image.getWidth(), image.getHeight()], [W, H]);
    const read = await image.readRasters();
    for (let b = 0; b < bands.length; b++) {
      assert(read[b] instanceof Ctor, `band ${b + 1} type`);
      assertEquals(Array.from(read[b] as BandArray), Array.from(bands[b]), `band ${b + 1}`);
    }
    assertEquals(image.getBoundingBox(), [500000, 4996000, 503000, 5000000]);
    assertEquals(image.getGDALNoData(), 0);
    assertEquals(image.getGeoKeys(), {
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
  assertEquals(a, b);
  const image = await (await fromArrayBuffer(a.buffer as ArrayBuffer)).getImage();
  assertEquals(image.getGeoKeys()?.GeographicTypeGeoKey, 4326);
  assertEquals(image.getGeoKeys()?.GTModelTypeGeoKey, 2);
  assert(Number.isNaN(image.getGDALNoData()));
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
  assertEquals(await tiff.getImageCount(), 4);
  const sizes = [];
  for (let i = 1; i < 4; i++) {
    const ov = await tiff.getImage(i);
    assertEquals(ov.fileDirectory.getValue("NewSubfileType"), 1);
    sizes.push([ov.getWidth(), ov.getHeight()]);
  }
  assertEquals(sizes, [[150, 100], [75, 50], [38, 25]]);
  const first = await (await tiff.getImage(1)).readRasters();
  assertEquals((first[0] as Uint16Array)[0], 167); // (300 + 100 + 100) / 3
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
  await rejects(() => writeGeoTiff({ ...base, bands: [new Uint8Array(3)] }), ConfigError);
  await rejects(() => writeGeoTiff({ ...base, predictor: 3 }), /predictor 3/);
  await rejects(
    () => writeGeoTiff({ ...base, bands: [new Float32Array(16)], predictor: 2 }),
    ConfigError,
  );
  await rejects(() => writeGeoTiff({ ...base, width: 0 }), ConfigError);
  await rejects(() => writeGeoTiff({ ...base, tileSize: 100 }), ConfigError);
});

// CI installs GDAL: there its absence fails the cross-check instead of skipping it.
const hasGdal = (() => {
  if (Deno.env.get("CI")) return true;
  try {
    return new Deno.Command("gdal_translate", { args: ["--version"], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "writeGeoTiff: GDAL reads every variant with the same values",
  ignore: !hasGdal,
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
        assert(out.success && !err.includes("ERROR"), `${label(Ctor, opts)}: ${err}`);
        const got = await Deno.readFile(raw);
        const want = new Uint8Array(got.length);
        bands.forEach((b, i) => want.set(new Uint8Array(b.buffer), i * b.byteLength));
        assert(got.length === want.length && got.every((v, i) => v === want[i]), label(Ctor, opts));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
