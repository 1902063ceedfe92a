/**
 * mapResults pages in headless Chromium, offline, opened from file:// URLs.
 * Overlay placement is compared with `gdalwarp -t_srs EPSG:3857`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { writeGeoTiff } from "../../lib/emulator/mod.ts";
import { mapResults } from "../../lib/map/mod.ts";
import { hosts, offlinePage, withBrowser } from "../support/browser.ts";
import { mapState } from "../support/map_page.ts";
import { jobFolder, sampleRasters, squares } from "../support/rasters.ts";
import { skipWithout } from "../support/tools.ts";

const TILE_HOSTS = ["server.arcgisonline.com", "tile.openstreetmap.org"];
const HOSTILE = "<img src=x onerror=window.__pwned=1>";
const ignore = skipWithout("chromium");

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** gdalwarp's Web Mercator grid of a GeoTIFF, and the output file. */
async function gdalWarp(tif: string) {
  const out = tif.replace(/\.tif$/, "_3857.tif");
  await run("gdalwarp", ["-q", "-overwrite", "-t_srs", "EPSG:3857", tif, out]);
  const info = JSON.parse(await run("gdalinfo", ["-json", out]));
  const [x0, sx, , y1, , sy] = info.geoTransform as number[];
  const [w, h] = info.size as number[];
  return { out, size: sx, bounds: [x0, y1 + sy * h, x0 + sx * w, y1] };
}

function square(w: number, s: number, dx: number, dy: number, props: Record<string, unknown>) {
  const ring = [[w, s], [w + dx, s], [w + dx, s + dy], [w, s + dy], [w, s]];
  return { type: "Feature", properties: props, geometry: { type: "Polygon", coordinates: [ring] } };
}

type Page = Awaited<ReturnType<typeof offlinePage>>["page"];

function overlays(page: Page) {
  return page.evaluate(() => {
    const g = globalThis as any;
    const out: { name: string; bounds: number[]; width: number; height: number }[] = [];
    g.up42Map.eachLayer((l: any) => {
      if (!(l instanceof g.L.ImageOverlay)) return;
      const b = l.getBounds();
      const sw = g.L.CRS.EPSG3857.project(b.getSouthWest());
      const ne = g.L.CRS.EPSG3857.project(b.getNorthEast());
      const img = l.getElement();
      out.push({
        name: l.options.alt,
        bounds: [sw.x, sw.y, ne.x, ne.y],
        width: img.naturalWidth,
        height: img.naturalHeight,
      });
    });
    return out;
  });
}

/** Offline, the base-map notice is shown and covers none of the map's controls. */
async function noticeShownBesideControls(page: Page) {
  const notice = page.locator(".up42-notice");
  await notice.waitFor({ state: "visible" });
  assert.match((await notice.textContent())!, /base map could not be loaded/);
  const box = (await notice.boundingBox())!;
  const controls = await page.locator(".leaflet-control").evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height, name: e.className };
    })
  );
  assert.ok(controls.length >= 5, `${controls.length} controls`);
  for (const c of controls) {
    const apart = box.x + box.width <= c.x || c.x + c.width <= box.x ||
      box.y + box.height <= c.y || c.y + c.height <= box.y;
    assert.ok(apart, `the notice covers ${c.name}`);
  }
}

/** Alpha of the feature tiles at the container point of [lat, lon]. */
function featureAlpha(page: Page, lat: number, lon: number): Promise<number> {
  return page.evaluate(([lat, lon]) => {
    const g = globalThis as any;
    const at = g.up42Map.latLngToContainerPoint([lat, lon]);
    const map = g.up42Map.getContainer().getBoundingClientRect();
    const x = at.x + map.left, y = at.y + map.top;
    for (const tile of g.document.querySelectorAll("canvas.up42-features")) {
      const r = tile.getBoundingClientRect();
      if (x < r.left || x >= r.right || y < r.top || y >= r.bottom) continue;
      const scale = tile.width / r.width;
      const px = [Math.floor((x - r.left) * scale), Math.floor((y - r.top) * scale)];
      return tile.getContext("2d").getImageData(px[0], px[1], 1, 1).data[3];
    }
    return 0;
  }, [lat, lon]);
}

Deno.test({
  name:
    "map page: offline from file://, counts, hostile popup as text, overlays where gdalwarp puts them",
  ignore,
  fn: () =>
    withBrowser("map-test-", async (browser, dir) => {
      const paths: string[] = [];
      for (const r of await sampleRasters()) {
        paths.push(join(dir, r.name));
        await Deno.writeFile(join(dir, r.name), r.bytes);
      }
      const fc = {
        type: "FeatureCollection",
        features: [
          square(13.32, 52.46, 0.05, 0.03, {
            uid: "scene-a",
            note: HOSTILE,
            meta: { a: [1, 2] },
            odd: { toString: "x" },
          }),
          square(13.47, 52.47, 0.1, 0.05, { uid: "scene-b" }),
          {
            type: "Feature",
            properties: { uid: "pt" },
            geometry: { type: "Point", coordinates: [13.5, 52.53] },
          },
        ],
      };
      await Deno.writeTextFile(join(dir, "data.json"), JSON.stringify(fc));
      const aoi = square(13.28, 52.43, 0.38, 0.16, {});
      const m = await mapResults({ filepaths: dir, aoi, saveHtml: join(dir, "map.html") });
      const { page, blocked, errors } = await offlinePage(browser);
      await page.goto(`file://${m.path}`);
      const info = await mapState(page);
      assert.deepEqual(errors, []);
      assert.ok(
        hosts(blocked).every((h) => TILE_HOSTS.includes(h)),
        `requests to ${hosts(blocked)}`,
      );
      assert.ok(blocked.length > 0, "no tile requests: the base map is missing");
      assert.deepEqual([info.images, info.imagesLoaded, info.features], [2, 2, 4]);
      assert.deepEqual(info.overlays, [
        "Image - reflectance_uint16.tif",
        "Image - rgb_uint8.tif",
        "Feature 0 - scene-a",
        "Feature 1 - scene-b",
        "Feature 2 - pt",
        "AOI",
      ]);
      const globals = await page.evaluate(() =>
        Object.keys(globalThis).filter((k) => k.toLowerCase().startsWith("up42"))
      );
      assert.deepEqual(globals, ["up42Map"], "one documented global");
      assert.deepEqual(await page.locator(".leaflet-control-layers-expanded").count(), 0);
      await noticeShownBesideControls(page);

      // Click inside the first feature: its popup shows the hostile value as text.
      const at = await page.evaluate(() =>
        (globalThis as any).up42Map.latLngToContainerPoint([52.475, 13.33])
      );
      await page.mouse.click(at.x, at.y);
      const popup = page.locator(".leaflet-popup-content");
      await popup.waitFor();
      assert.ok((await popup.textContent())!.includes(HOSTILE));
      assert.ok((await popup.textContent())!.includes('{"a":[1,2]}'));
      assert.ok((await popup.textContent())!.includes('{"toString":"x"}'));
      assert.deepEqual(await popup.locator("img").count(), 0);
      assert.deepEqual(await page.evaluate(() => (globalThis as any).__pwned), undefined);
      await page.waitForTimeout(400); // the popup fades in
      await page.screenshot({ path: join(Deno.env.get("MAP_SCREENSHOT_DIR") ?? dir, "map.png") });

      // Large images open as their previews and end as their full versions.
      const shown = await overlays(page);
      assert.equal(m.images.length, 2);
      for (const image of m.images) {
        const o = shown.find((s) => s.name === image.name)!;
        assert.ok(Math.max(image.width, image.height) > 640, `${image.name} has a preview`);
        assert.deepEqual([o.width, o.height], [image.width, image.height], image.name);
      }
      const html = m.html;
      const first = /id="up42-map-data">(.*?)<\/script>/s.exec(html)![1];
      const previews = JSON.parse(first).layers
        .filter((l: { kind: string }) => l.kind === "image")
        .map((l: { url: string }) => l.url.length);
      assert.equal(previews.length, 2);
      assert.ok(previews.every((n: number) => n < 150_000), `previews of ${previews} characters`);

      if (skipWithout("gdal")) return;
      for (const path of paths) {
        const ref = await gdalWarp(path);
        const o = shown.find((s) => path.endsWith(s.name))!;
        for (let k = 0; k < 4; k++) {
          assert.ok(
            Math.abs(o.bounds[k] - ref.bounds[k]) <= ref.size,
            `${o.name} edge ${k}: ${o.bounds[k]} vs ${ref.bounds[k]}`,
          );
        }
      }
    }),
});

Deno.test({
  name: "map page: a marker pixel lands within one pixel of where gdalwarp puts it",
  ignore: skipWithout("chromium", "gdal"),
  fn: () =>
    withBrowser("map-test-", async (browser, dir) => {
      const w = 300, h = 200, mx = 217, my = 43;
      const band = new Uint8Array(w * h).fill(100);
      band[my * w + mx] = 255;
      const tif = join(dir, "marker.tif");
      await Deno.writeFile(
        tif,
        await writeGeoTiff({
          width: w,
          height: h,
          bands: [band],
          epsg: 32633,
          origin: [385_000, 5_825_000],
          pixelSize: [30, 30],
        }),
      );
      const ref = await gdalWarp(tif);
      const grid = (await run("gdal_translate", ["-q", "-of", "AAIGrid", ref.out, "/vsistdout/"]))
        .trim().split("\n");
      const rows = grid.filter((l) => /^\s*\d/.test(l));
      const gy = rows.findIndex((r) => r.trim().split(/\s+/).includes("255"));
      const gx = rows[gy].trim().split(/\s+/).indexOf("255");
      const expected = [
        ref.bounds[0] + (gx + 0.5) * ref.size,
        ref.bounds[3] - (gy + 0.5) * ref.size,
      ];

      const m = await mapResults({
        images: [tif],
        showFeatures: false,
        saveHtml: join(dir, "marker.html"),
      });
      const { page, errors } = await offlinePage(browser);
      await page.goto(`file://${m.path}`);
      await mapState(page);
      const [o] = await overlays(page);
      const hits: number[][] = await page.evaluate(() => {
        const g = globalThis as any;
        let img: any;
        g.up42Map.eachLayer((l: any) => {
          if (l instanceof g.L.ImageOverlay) img = l.getElement();
        });
        const canvas = g.document.createElement("canvas");
        canvas.width = img.naturalWidth, canvas.height = img.naturalHeight;
        const ctx = canvas.getContext("2d");
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const found: number[][] = [];
        for (let i = 0; i < px.length / 4; i++) {
          if (px[i * 4] === 255 && px[i * 4 + 3] === 255) {
            found.push([i % canvas.width, Math.floor(i / canvas.width)]);
          }
        }
        return found;
      });
      assert.deepEqual(errors, []);
      assert.ok(hits.length >= 1 && hits.length <= 4, `${hits.length} marker pixels`);
      const size = (o.bounds[2] - o.bounds[0]) / o.width;
      for (const [x, y] of hits) {
        const at = [o.bounds[0] + (x + 0.5) * size, o.bounds[3] - (y + 0.5) * size];
        assert.ok(
          Math.abs(at[0] - expected[0]) <= ref.size && Math.abs(at[1] - expected[1]) <= ref.size,
          `marker at ${at}, gdalwarp ${expected}`,
        );
      }
    }),
});

Deno.test({
  name: "map page: 10,000 polygons load as one layer, no errors",
  ignore,
  fn: () =>
    withBrowser("map-test-", async (browser, dir) => {
      const m = await mapResults({
        featureCollection: squares(10_000),
        saveHtml: join(dir, "big.html"),
      });
      const { page, blocked, errors } = await offlinePage(browser);
      await page.goto(`file://${m.path}`);
      const info = await mapState(page);
      assert.deepEqual(errors, []);
      assert.ok(
        hosts(blocked).every((h) => TILE_HOSTS.includes(h)),
        `requests to ${hosts(blocked)}`,
      );
      assert.deepEqual([info.features, info.overlays], [10_000, ["Features"]]);
      // The first and last squares are drawn; a gap between squares is not.
      const fc = squares(10_000);
      const corner = (i: number) => (fc.features[i].geometry.coordinates[0][0] as number[]);
      for (const i of [0, 9_999]) {
        const [lon, lat] = corner(i);
        assert.ok(await featureAlpha(page, lat + 0.001, lon + 0.0015) > 0, `square ${i} not drawn`);
      }
      const [lon, lat] = corner(0);
      assert.equal(await featureAlpha(page, lat - 0.02, lon - 0.02), 0);
    }),
});

Deno.test({
  name:
    "map page: a job folder groups each jobtask's layers under its name; hostile names stay text",
  ignore,
  fn: () =>
    withBrowser("map-test-", async (browser, dir) => {
      const job = await jobFolder(dir, HOSTILE);
      const m = await mapResults({
        filepaths: job.folder,
        quicklooks: true,
        saveHtml: join(dir, "job.html"),
      });
      const { page, errors } = await offlinePage(browser);
      await page.goto(`file://${m.path}`);
      const info = await mapState(page);
      assert.deepEqual(errors, []);
      assert.deepEqual([info.images, info.imagesLoaded, info.features], [3, 3, 4]);
      assert.deepEqual(info.overlays, [
        HOSTILE,
        "Image - scene0_0-0.tif",
        "Quicklook - S2_0_1",
        "bbbb-2222",
        "Image - scene1_0-0.tif",
      ]);
      const classes = await page.locator(".leaflet-control-layers-overlays label")
        .evaluateAll((els) => els.map((e) => e.className));
      assert.deepEqual(classes, [
        "up42-heading",
        "up42-indent",
        "up42-indent",
        "up42-heading",
        "up42-indent",
      ]);
      assert.deepEqual(await page.evaluate(() => (globalThis as any).__pwned), undefined);

      // A feature of the second jobtask opens its own properties.
      const at = await page.evaluate(() =>
        (globalThis as any).up42Map.latLngToContainerPoint([52.43, 13.55])
      );
      await page.mouse.click(at.x, at.y);
      const popup = page.locator(".leaflet-popup-content");
      await popup.waitFor();
      assert.match((await popup.textContent())!, /bbbb-2222-0/);

      // Unticking a jobtask hides its features only.
      await page.locator(".leaflet-control-layers").hover();
      await page.locator(".leaflet-control-layers-overlays label").nth(3).locator("input").click();
      assert.deepEqual((await mapState(page)).features, 2);
      await page.screenshot({ path: join(Deno.env.get("MAP_SCREENSHOT_DIR") ?? dir, "job.png") });
    }),
});

Deno.test({
  name: "map page: a single band with a colour map shows its legend while shown",
  ignore,
  fn: () =>
    withBrowser("map-test-", async (browser, dir) => {
      const w = 200, h = 150;
      const band = new Uint16Array(w * h).map((_, i) => 2000 + (i % w) * 20);
      const m = await mapResults({
        images: [{
          name: "ndvi.tif",
          bytes: await writeGeoTiff({
            width: w,
            height: h,
            bands: [band],
            epsg: 32633,
            origin: [385_000, 5_825_000],
            pixelSize: [30, 30],
          }),
        }],
        showFeatures: false,
        cmap: "viridis",
        stretch: "minmax",
        saveHtml: join(dir, "legend.html"),
      });
      const { page, errors } = await offlinePage(browser);
      await page.goto(`file://${m.path}`);
      await mapState(page);
      assert.deepEqual(errors, []);
      const legend = page.locator(".up42-legend");
      await legend.waitFor({ state: "visible" });
      assert.deepEqual(
        await legend.locator(".up42-legend-labels span").allTextContents(),
        ["≤ 2000", "2995", "3990", "4985", "≥ 5980"],
      );
      assert.equal(await legend.locator(".up42-legend-title").textContent(), "ndvi.tif (viridis)");
      await noticeShownBesideControls(page);
      await page.screenshot({
        path: join(Deno.env.get("MAP_SCREENSHOT_DIR") ?? dir, "legend.png"),
      });
      await page.locator(".leaflet-control-layers").hover();
      await page.locator(".leaflet-control-layers-overlays input").first().click();
      await legend.waitFor({ state: "hidden" });
    }),
});
