import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { writeGeoTiff } from "../../lib/emulator/mod.ts";
import { RasterError } from "../../mod.ts";
import { describeRaster } from "../../lib/raster/describe.ts";
import { Budget, DEFAULT_RASTER_LIMITS } from "../../lib/raster/limits.ts";
import { type DecodePool, holdPool, startPool } from "../../lib/raster/pool.ts";
import { readDecimated } from "../../lib/raster/read.ts";
import { renderRaster, renderRasterOn } from "../../lib/raster/render.ts";
import { openRaster } from "../../lib/raster/source.ts";
import { caught } from "../support/errors.ts";
import { craftTiff } from "../support/tiff.ts";

/** A 3-band uint16 DEFLATE raster of several tiles, with a gradient and noise. */
async function tiles(): Promise<Uint8Array> {
  const n = 600;
  const bands = [0, 1, 2].map((b) => {
    const a = new Uint16Array(n * n);
    let seed = 7 + b;
    for (let i = 0; i < n * n; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      a[i] = 1000 + ((i % n) * 3 + Math.floor(i / n) * 2 + b * 90) + (seed & 63);
    }
    return a;
  });
  return await writeGeoTiff({
    width: n,
    height: n,
    bands,
    epsg: 32633,
    origin: [500000, 5000000],
    pixelSize: [10, 10],
    tileSize: 256,
    predictor: 2,
  });
}

/** Runs `f` with a started pool; skips (returns false) on a single-core machine. */
async function withPool(f: (pool: DecodePool) => Promise<void>): Promise<boolean> {
  return await holdPool(async () => {
    const pool = startPool();
    if (!pool) return false;
    await f(pool);
    return true;
  });
}

Deno.test("pool: blocks decoded on workers equal those decoded here", async () => {
  const bytes = await tiles();
  const read = async (pool?: DecodePool) => {
    const o = await openRaster({ name: "t.tif", bytes });
    const info = await describeRaster(o.tiff, DEFAULT_RASTER_LIMITS);
    const budget = new Budget(o.name, DEFAULT_RASTER_LIMITS);
    return await readDecimated(info, [0, 1, 2], 450, 450, { budget, pool });
  };
  const here = await read();
  const ran = await withPool(async (pool) => {
    await pool.ready();
    assert.deepEqual((await read(pool)).bands, here.bands);
  });
  if (!ran) console.log("single core: no workers to compare with");
});

Deno.test("pool: a raster rendered on a worker equals one rendered here", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = await tiles();
    const path = `${dir}/t.tif`;
    await Deno.writeFile(path, bytes);
    const options = { fit: [300, 200] as [number, number], cmap: "viridis" };
    const here = await renderRaster(path, options);
    await withPool(async (pool) => {
      for (const source of [path, new URL(`file://${path}`), { name: "t.tif", bytes }]) {
        const there = await renderRasterOn(pool, source, options);
        assert.deepEqual(there.rgba, here.rgba);
        assert.deepEqual([there.width, there.height, there.range], [
          here.width,
          here.height,
          here.range,
        ]);
        assert.equal(there.crs, "EPSG:32633");
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pool: a worker's failure keeps its class and fields, and a spent budget stops it", async () => {
  const noise = crypto.getRandomValues(new Uint8Array(4096));
  const stream = new Uint8Array(deflateSync(noise)).subarray(0, 1000);
  const tags = [
    [256, 4, [64]],
    [257, 4, [64]],
    [258, 3, [8]],
    [259, 3, [8]],
    [262, 3, [1]],
    [277, 3, [1]],
    [273, 4, "data+0"],
    [278, 3, [64]],
    [279, 4, [3000]],
  ] as Parameters<typeof craftTiff>[0][0];
  const truncated = craftTiff([tags], stream);
  const bytes = await tiles();
  await withPool(async (pool) => {
    const e = await caught(
      () => renderRasterOn(pool, { name: "cut.tif", bytes: truncated }),
      RasterError,
    );
    assert.deepEqual([e.reason, e.file], ["corrupt", "cut.tif"]);
    assert.ok(!e.message.includes("\n"));
    const slow = await caught(
      () => renderRasterOn(pool, { name: "t.tif", bytes }, { limits: { timeoutMs: 1 } }),
      RasterError,
    );
    assert.deepEqual([slow.reason, slow.limit], ["limit", "timeoutMs"]);
  });
});

Deno.test("pool: no worker starts, and nothing prompts, where its script may not be read", async () => {
  const pool = new URL("../../lib/raster/pool.ts", import.meta.url).href;
  const script = `
    import { holdPool, startPool } from ${JSON.stringify(pool)};
    const started = await holdPool(() => Promise.resolve(startPool() !== undefined));
    console.log(JSON.stringify({ started }));
  `;
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/start.ts`, script);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-config", `${dir}/start.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(dir, { recursive: true }));
  assert.equal(new TextDecoder().decode(out.stderr), "");
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), { started: false });
});
