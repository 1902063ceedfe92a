import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { RasterError } from "../../mod.ts";
import { DEFAULT_RASTER_LIMITS, renderRaster } from "../../lib/raster/mod.ts";
import { decodeLzw } from "../../lib/raster/compression/lzw.ts";
import { caught } from "../support/errors.ts";
import { craftTiff, encodeLzw, type Tag } from "../support/tiff.ts";

/** A w x h uint8 image in one strip (or one tile) holding `data`. */
function gray(w: number, h: number, compression: number, tiled = false): Tag[] {
  const layout: Tag[] = tiled
    ? [[322, 3, [w]], [323, 3, [h]], [324, 4, "data+0"]]
    : [[273, 4, "data+0"], [278, 3, [h]]];
  return [[256, 4, [w]], [257, 4, [h]], [258, 3, [8]], [259, 3, [compression]], [262, 3, [1]], [
    277,
    3,
    [1],
  ], ...layout];
}

function withCount(tags: Tag[], count: number, tiled = false): Tag[] {
  return [...tags, [tiled ? 325 : 279, 4, [count]]];
}

const render = (bytes: Uint8Array, options = {}) =>
  renderRaster({ name: "hostile.tif", bytes }, { maxSide: 64, ...options });

Deno.test("hostile: a directory chain that loops ends at the first repeat", async () => {
  const pixels = new Uint8Array(16).fill(9);
  const ifd = withCount(gray(4, 4, 1), 16);
  const r = await render(craftTiff([ifd, ifd, ifd], pixels, true));
  assert.deepEqual([r.width, r.height, r.rgba[0]], [4, 4, 9]);
});

Deno.test("hostile: more image directories than limits.maxIfds is a limit error", async () => {
  const ifd = withCount(gray(4, 4, 1), 16);
  const bytes = craftTiff([ifd, ifd, ifd], new Uint8Array(16));
  const e = await caught(() => render(bytes, { limits: { maxIfds: 2 } }), RasterError);
  assert.deepEqual([e.reason, e.limit], ["limit", "maxIfds"]);
  assert.ok(!e.message.includes("\n"));
});

Deno.test("hostile: a tile declared at 256 MiB is refused before it is inflated", async () => {
  const zeros = new Uint8Array(deflateSync(new Uint8Array(1 << 24)));
  const bytes = craftTiff([withCount(gray(16384, 16384, 8, true), zeros.length, true)], zeros);
  const e = await caught(() => render(bytes), RasterError);
  assert.deepEqual([e.reason, e.limit], ["limit", "maxBlockBytes"]);
  assert.ok(DEFAULT_RASTER_LIMITS.maxBlockBytes < 16384 * 16384);
});

Deno.test("hostile: DEFLATE and LZW streams longer than their block stop at its size", async () => {
  const big = new Uint8Array(32 << 20); // 32 MiB of zeros for a 4 KiB strip
  for (
    const [compression, stream] of [
      [8, new Uint8Array(deflateSync(big))],
      [5, encodeLzw(big.subarray(0, 1 << 20))],
    ] as const
  ) {
    const before = Deno.memoryUsage().rss;
    const r = await render(
      craftTiff([withCount(gray(64, 64, compression), stream.length)], stream),
    );
    assert.equal(r.rgba[0], 0);
    assert.ok(Deno.memoryUsage().rss - before < 48 << 20, `compression ${compression}`);
  }
});

Deno.test("hostile: blocks and offset arrays past the end of the file are corrupt", async () => {
  const past = craftTiff([[...gray(8, 8, 1).filter((t) => t[0] !== 273), [273, 4, [1 << 30]], [
    279,
    4,
    [64],
  ]]], new Uint8Array(4));
  const e = await caught(() => render(past), RasterError);
  assert.equal(e.reason, "corrupt");
  assert.match(e.detail, /past the end of the file/);
  const arrays = craftTiff([[
    ...gray(512, 512, 1, true).filter((t) => t[0] !== 324 && t[0] !== 322 && t[0] !== 323),
    [322, 3, [16]],
    [323, 3, [16]],
    [324, 4, Array(1024).fill(1 << 30)],
  ]], new Uint8Array(4));
  assert.equal((await caught(() => render(arrays), RasterError)).reason, "corrupt");
});

Deno.test("hostile: a gigantic declared size is a maxPixels limit error", async () => {
  const bytes = craftTiff([withCount(gray(1_000_000, 1_000_000, 1), 100)], new Uint8Array(100));
  const e = await caught(() => render(bytes), RasterError);
  assert.deepEqual([e.reason, e.limit], ["limit", "maxPixels"]);
});

Deno.test("hostile: absurd sample layouts are named, never crash", async () => {
  const base = withCount(gray(4, 4, 1), 16).filter((t) => t[0] !== 258 && t[0] !== 277);
  for (
    const [tags, reason] of [
      [[[258, 3, [0]]], "corrupt"],
      [[[258, 3, [33]]], "unsupported"],
      [[[277, 3, [0]]], "corrupt"],
      [[[258, 3, [8]], [339, 3, [3]]], "unsupported"],
    ] as [Tag[], string][]
  ) {
    const e = await caught(
      () => render(craftTiff([[...base, ...tags]], new Uint8Array(16))),
      RasterError,
    );
    assert.equal(e.reason, reason, JSON.stringify(tags));
  }
  const fax = craftTiff([withCount(gray(4, 4, 4), 16)], new Uint8Array(16));
  const e = await caught(() => render(fax), RasterError);
  assert.deepEqual([e.reason, e.detail], ["unsupported", "CCITT Group 4 fax compression"]);
});

Deno.test("hostile: a truncated file is corrupt and says so", async () => {
  const noise = crypto.getRandomValues(new Uint8Array(4096));
  const stream = new Uint8Array(deflateSync(noise)).subarray(0, 1000);
  const bytes = craftTiff([withCount(gray(64, 64, 8), 3000)], stream);
  const e = await caught(() => render(bytes), RasterError);
  assert.equal(e.reason, "corrupt");
});

Deno.test("limits: the decoded-bytes and wall-clock budgets stop a render", async () => {
  const bytes = craftTiff([withCount(gray(256, 256, 1), 65536)], new Uint8Array(65536));
  const bytesHit = await caught(
    () => render(bytes, { limits: { maxDecodedBytes: 1000 } }),
    RasterError,
  );
  assert.deepEqual([bytesHit.reason, bytesHit.limit], ["limit", "maxDecodedBytes"]);
  const slow = await caught(() => render(bytes, { limits: { timeoutMs: 1e-9 } }), RasterError);
  assert.deepEqual([slow.reason, slow.limit], ["limit", "timeoutMs"]);
});

Deno.test("lzw: old-style streams decode like new-style ones", () => {
  const data = new Uint8Array(5000).map((_, i) => (i * i) % 7 + (i >> 6));
  assert.deepEqual(decodeLzw(encodeLzw(data, false), data.length), data);
  assert.deepEqual(decodeLzw(encodeLzw(data, true), data.length), data);
});
