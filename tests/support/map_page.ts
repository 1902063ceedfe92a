/**
 * Reading a map page's state through its one documented handle,
 * `window.up42Map` (the Leaflet map), its layers' documented methods
 * (`isLoading()`, `getFeatureCount()`) and its layer control: no hooks are
 * added to the page for tests. `watchReady` times readiness from navigation
 * start with a script of the test's own, injected before the page's.
 *
 * @module
 */
import type { Page } from "playwright-core";

/** What a built map page shows. */
export interface MapState {
  /** Image overlays on the map (results and quicklooks). */
  images: number;
  /** Of those, images that have loaded. */
  imagesLoaded: number;
  /** Overlay names in the layer control, in order. */
  overlays: string[];
  /** Features drawn, AOI included. */
  features: number;
}

/**
 * Whether every image overlay on the map has loaded and every feature layer
 * has read and drawn its features; runs in the page.
 */
function ready(): boolean {
  const g = globalThis as any;
  if (!g.up42Map) return false;
  let pending = 0;
  g.up42Map.eachLayer((l: any) => {
    if (l instanceof g.L.ImageOverlay && !(l.getElement()?.complete)) pending++;
    if (typeof l.getFeatureCount === "function" && l.isLoading()) pending++;
  });
  return pending === 0;
}

/**
 * Makes the page mark `map-ready` (a performance mark, so its time counts
 * from navigation start) in the first animation frame in which every overlay
 * is loaded and every feature drawn. Call before `page.goto`.
 *
 * @example
 * ```ts ignore
 * await watchReady(page);
 * await page.goto(url);
 * const ms = await readyTime(page);
 * ```
 */
export async function watchReady(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const ready = ${ready.toString()};
    const tick = () => ready() ? performance.mark("map-ready") : requestAnimationFrame(tick);
    requestAnimationFrame(tick);
  })()`);
}

/**
 * Milliseconds from navigation start to `map-ready` (see `watchReady`).
 *
 * @example
 * ```ts ignore
 * const ms = await readyTime(page);
 * ```
 */
export async function readyTime(page: Page, timeoutMs = 60_000): Promise<number> {
  await page.waitForFunction(
    () => performance.getEntriesByName("map-ready").length > 0,
    undefined,
    {
      timeout: timeoutMs,
    },
  );
  return await page.evaluate(() => performance.getEntriesByName("map-ready")[0].startTime);
}

/**
 * Waits until every image overlay has loaded and every feature layer has
 * drawn, then reports the page's state.
 *
 * @example
 * ```ts ignore
 * const state = await mapState(page);
 * ```
 */
export async function mapState(page: Page, timeoutMs = 30_000): Promise<MapState> {
  await page.waitForFunction(ready, undefined, { timeout: timeoutMs });
  return await page.evaluate(() => {
    const g = globalThis as any;
    let images = 0, imagesLoaded = 0, features = 0;
    g.up42Map.eachLayer((l: any) => {
      if (l instanceof g.L.ImageOverlay) {
        images++;
        if (l.getElement()?.naturalWidth > 0) imagesLoaded++;
      } else if (typeof l.getFeatureCount === "function") features += l.getFeatureCount();
    });
    const overlays = [
      ...g.document.querySelectorAll(".leaflet-control-layers-overlays label > span > span"),
    ]
      .map((s: any) => s.textContent.trim());
    return { images, imagesLoaded, overlays, features };
  });
}
