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
import { writeGeoTiff } from "../lib/emulator/geotiff_writer.ts";
import { mapResults } from "../lib/map.ts";
import { renderRaster } from "../lib/render_raster.ts";
import { hasChromium, launchBrowser, offlinePage } from "../tests/browser.ts";

function field(x: number, y: number, seed: number): number {
  const waves = 0.3 * Math.sin(x * 0.012 + seed) * Math.cos(y * 0.015 - seed) +
    0.12 * Math.sin((x - y) * 0.05 + seed * 2);
  const noise = (Math.imul((x * 2654435761) ^ (y * 40503) ^ seed, 0x9e3779b1) >>> 0) / 2 ** 32;
  return Math.min(1, Math.max(0, 0.5 + waves + (noise - 0.5) * 0.07));
}

/**
 * Two rasters like the emulator's processing job task: a 1024×1024 RGB uint8
 * in UTM zone 33N near Berlin, and a 1280×1024 4-band uint16 (nodata 0, with
 * a nodata strip on its west side) in the same zone.
 *
 * @example
 * ```ts ignore
 * import { sampleRasters } from "./map.ts";
 * const [rgb, u16] = await sampleRasters();
 * ```
 */
export async function sampleRasters(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const n = 1024;
  const rgb = [0, 1, 2].map(() => new Uint8Array(n * n));
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x, t = field(x, y, 3), crops = ((x >> 7) + (y >> 7)) % 2 === 0;
      const [r, g, b] = t < 0.28 ? [25, 60, 120] : crops ? [150, 140, 75] : [45, 95, 40];
      rgb[0][i] = r + t * 60, rgb[1][i] = g + t * 80, rgb[2][i] = b + t * 40;
    }
  }
  const w = 1280, h = 1024, strip = 150;
  const refl = [0, 1, 2, 3].map(() => new Uint16Array(w * h));
  for (let y = 0; y < h; y++) {
    for (let x = strip; x < w; x++) {
      const i = y * w + x, t = field(x, y, 9), water = t < 0.3;
      refl[0][i] = water ? 300 + t * 700 : 600 + t * 1300;
      refl[1][i] = water ? 500 + t * 800 : 700 + t * 1000;
      refl[2][i] = water ? 700 + t * 900 : 450 + t * 650;
      refl[3][i] = water ? 250 + t * 300 : 2400 + t * 2600;
    }
  }
  return [
    {
      name: "rgb_uint8.tif",
      bytes: await writeGeoTiff({
        width: n,
        height: n,
        bands: rgb,
        epsg: 32633,
        origin: [385_000, 5_825_000],
        pixelSize: [10, 10],
      }),
    },
    {
      name: "reflectance_uint16.tif",
      bytes: await writeGeoTiff({
        width: w,
        height: h,
        bands: refl,
        epsg: 32633,
        origin: [396_000, 5_822_000],
        pixelSize: [8, 8],
        nodata: 0,
        predictor: 2,
      }),
    },
  ];
}

/**
 * A FeatureCollection of `count` small squares near Berlin.
 *
 * @example
 * ```ts ignore
 * import { squares } from "./map.ts";
 * console.log(squares(4).features.length); // 4
 * ```
 */
export function squares(count: number) {
  const side = Math.ceil(Math.sqrt(count));
  const features = Array.from({ length: count }, (_, i) => {
    const w = 13.2 + (i % side) * 0.004, s = 52.4 + Math.floor(i / side) * 0.0025;
    const ring = [[w, s], [w + 0.003, s], [w + 0.003, s + 0.002], [w, s + 0.002], [w, s]];
    return {
      type: "Feature",
      properties: { uid: `f${i}`, cloudCover: i % 100 },
      geometry: { type: "Polygon", coordinates: [ring] },
    };
  });
  return { type: "FeatureCollection", features };
}

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
  if (hasChromium()) {
    const browser = await launchBrowser();
    for (
      const [label, path, limit] of [["2 rasters", html, 1000], ["10,000 polygons", bigPath, 3000]]
    ) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { page } = await offlinePage(browser);
        const t0 = performance.now();
        await page.goto(`file://${path}`);
        await page.evaluate(() => (globalThis as any).up42MapReady);
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
