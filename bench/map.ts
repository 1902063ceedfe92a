/**
 * Benchmark of mapResults: HTML size against the Python SDK's approach, time
 * to build, and time until headless Chromium has drawn every overlay, for two
 * rasters like the emulator's processing job task, then for 10,000 polygons.
 *
 * The Python SDK (folium) embeds each raster as a full-resolution RGBA PNG
 * written without filtering at zlib level 9, base64 encoded, and loads Leaflet
 * from a CDN; its page is about the sum of those base64 images, which is the
 * baseline here.
 *
 *     deno run -A bench/map.ts
 *
 * @module
 */

import { encode } from "fast-png";
import { mapResults } from "../lib/map/mod.ts";
import { renderRaster } from "../lib/raster/mod.ts";
import { mapState } from "../tests/support/map_page.ts";
import { launchBrowser, offlinePage } from "../tests/support/browser.ts";
import { sampleRasters, squares } from "../tests/support/rasters.ts";
import { has } from "../tests/support/tools.ts";

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const rasters = await sampleRasters();
  let baseline = 0;
  for (const r of rasters) {
    const full = await renderRaster(r, { fit: [4096, 4096] });
    const png = encode(
      { width: full.width, height: full.height, data: new Uint8Array(full.rgba.buffer), depth: 8 },
      { zlib: { level: 9 } },
    );
    baseline += Math.ceil(png.length / 3) * 4;
  }
  const dir = await Deno.makeTempDir({ prefix: "map-bench-" });
  const features = {
    type: "FeatureCollection",
    features: squares(2).features,
  };
  const build: number[] = [], big: number[] = [];
  let html = "", bigPath = "";
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const m = await mapResults({
      images: rasters,
      featureCollection: features,
      saveHtml: `${dir}/map.html`,
    });
    build.push(performance.now() - t0);
    html = m.path!;
    const t1 = performance.now();
    bigPath =
      (await mapResults({ featureCollection: squares(10_000), saveHtml: `${dir}/big.html` }))
        .path!;
    big.push(performance.now() - t1);
  }
  const size = (await Deno.stat(html)).size;
  const rows = [
    ["HTML size (2 rasters)", `${(size / 1e6).toFixed(2)} MB`, `${(baseline / 1e6).toFixed(2)} MB`],
    ["size ratio", (size / baseline).toFixed(2), "≤ 0.50 wanted"],
    ["build mapResults (2 rasters)", `${median(build).toFixed(0)} ms`, ""],
    ["build mapResults (10,000 polygons)", `${median(big).toFixed(0)} ms`, ""],
  ];
  if (has("chromium")) {
    const browser = await launchBrowser();
    for (
      const [label, path, limit] of [["2 rasters", html, 1000], ["10,000 polygons", bigPath, 3000]]
    ) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { page } = await offlinePage(browser);
        const t0 = performance.now();
        await page.goto(`file://${path}`);
        await mapState(page);
        // Two animation frames: the overlays and the canvas have been painted.
        await page.evaluate(() =>
          new Promise((r) => {
            const raf = (globalThis as any).requestAnimationFrame;
            raf(() => raf(r));
          })
        );
        times.push(performance.now() - t0);
        await page.close();
      }
      rows.push([
        `open in Chromium, ${label}`,
        `${median(times).toFixed(0)} ms`,
        `< ${limit} ms wanted`,
      ]);
    }
    await browser.close();
  } else {
    rows.push(["open in Chromium", "skipped: /usr/bin/chromium missing", ""]);
  }
  await Deno.remove(dir, { recursive: true });
  console.log("| map (median of 5) | this module | Python SDK approach / target |");
  console.log("|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

if (import.meta.main) await main();
