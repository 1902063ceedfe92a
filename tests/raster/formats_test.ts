import assert from "node:assert/strict";
import { renderRaster } from "../../lib/raster/mod.ts";
import { describeRaster } from "../../lib/raster/describe.ts";
import { Budget, DEFAULT_RASTER_LIMITS } from "../../lib/raster/limits.ts";
import { readDecimated } from "../../lib/raster/read.ts";
import { openRaster } from "../../lib/raster/source.ts";
import { craftTiff, type Tag } from "../support/tiff.ts";

/** A w x 1 image in one uncompressed strip: `bits` per sample, `spp` samples, `format` 1/2/3. */
function strip(
  w: number,
  bits: number,
  spp: number,
  data: Uint8Array,
  extra: Tag[] = [],
): Uint8Array {
  const tags: Tag[] = [
    [256, 4, [w]],
    [257, 4, [1]],
    [258, 3, Array(spp).fill(bits)],
    [259, 3, [1]],
    [273, 4, "data+0"],
    [277, 3, [spp]],
    [278, 3, [1]],
    [279, 4, [data.length]],
    ...extra,
  ];
  if (!extra.some((t) => t[0] === 262)) tags.push([262, 3, [1]]);
  return craftTiff([tags], data);
}

async function values(bytes: Uint8Array, samples = [0]): Promise<number[][]> {
  const o = await openRaster({ name: "t.tif", bytes });
  const info = await describeRaster(o.tiff, DEFAULT_RASTER_LIMITS);
  const budget = new Budget("t.tif", DEFAULT_RASTER_LIMITS);
  const r = await readDecimated(info, samples, info.width, info.height, { budget });
  return r.bands.map((b) => Array.from(b));
}

Deno.test("formats: 1-7, 10, 12, 14 and 24-bit samples are unpacked MSB first", async () => {
  assert.deepEqual(await values(strip(4, 4, 1, new Uint8Array([0x12, 0xf0]))), [[1, 2, 15, 0]]);
  assert.deepEqual(await values(strip(3, 1, 1, new Uint8Array([0b10100000]))), [[1, 0, 1]]);
  // 12-bit: 0xabc, 0x123
  assert.deepEqual(await values(strip(2, 12, 1, new Uint8Array([0xab, 0xc1, 0x23]))), [[
    0xabc,
    0x123,
  ]]);
  assert.deepEqual(await values(strip(1, 24, 1, new Uint8Array([0x01, 0x02, 0x03]))), [[
    0x010203,
  ]]);
});

Deno.test("formats: float16, int64 and uint64 samples are read", async () => {
  const half = new Uint8Array(new Uint16Array([0x3c00, 0x7bff, 0xfc00]).buffer);
  assert.deepEqual(await values(strip(3, 16, 1, half, [[339, 3, [3]]])), [[1, 65504, -Infinity]]);
  const i64 = new Uint8Array(new BigInt64Array([-5n, 2n ** 40n]).buffer);
  assert.deepEqual(await values(strip(2, 64, 1, i64, [[339, 3, [2]]])), [[-5, 2 ** 40]]);
  const u64 = new Uint8Array(new BigUint64Array([7n]).buffer);
  assert.deepEqual(await values(strip(1, 64, 1, u64)), [[7]]);
});

Deno.test("formats: nodata is compared at the sample's own precision", async () => {
  const f64 = new Uint8Array(new Float64Array([-1.27e30, 3]).buffer);
  const nodata: Tag = [42113, 2, "-1.27e+30"];
  assert.deepEqual(await values(strip(2, 64, 1, f64, [[339, 3, [3]], nodata])), [[NaN, 3]]);
  const f32 = new Uint8Array(new Float32Array([-1.27e30, 3]).buffer);
  assert.deepEqual(await values(strip(2, 32, 1, f32, [[339, 3, [3]], nodata])), [[NaN, 3]]);
});

Deno.test("formats: palette images render through their colour table, nodata clear", async () => {
  const map = Array(3 * 256).fill(0);
  map[1] = 65535; // index 1 red
  map[256 + 2] = 65535; // index 2 green
  const bytes = strip(3, 8, 1, new Uint8Array([1, 2, 0]), [
    [262, 3, [3]],
    [320, 3, map],
    [42113, 2, "0"],
  ]);
  const r = await renderRaster({ name: "p.tif", bytes });
  assert.deepEqual(Array.from(r.rgba), [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 0]);
  assert.equal(r.range, undefined);
});

Deno.test("formats: 8-bit CMYK is shown as RGB, as GDAL converts it", async () => {
  const bytes = strip(2, 8, 4, new Uint8Array([0, 255, 0, 0, 0, 0, 0, 128]), [[262, 3, [5]]]);
  assert.deepEqual(await values(bytes, [0, 1, 2, 3]), [[255, 127], [0, 127], [255, 127], [
    255,
    255,
  ]]);
  const r = await renderRaster({ name: "c.tif", bytes });
  assert.deepEqual(Array.from(r.rgba), [255, 0, 255, 255, 127, 127, 127, 255]);
});
