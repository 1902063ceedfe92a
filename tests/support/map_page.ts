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
 * has read and drawn its features; runs in the page. Large images may still
 * show their previews (the full ones follow at the document's end).
 */
function drawn(): boolean {
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
 * Whether every large image shows its full version (listed in the page's
 * `#up42-map-images` element, read once the document is); runs in the page.
 */
function full(): boolean {
  const g = globalThis as any;
  if (g.document.readyState === "loading") return false;
  const listed = g.document.getElementById("up42-map-images")?.textContent;
  const shown = new Set<string>();
  g.up42Map.eachLayer((l: any) => {
    if (l instanceof g.L.ImageOverlay) shown.add(l.getElement()?.getAttribute("src"));
  });
  return Object.values(JSON.parse(listed || "{}")).every((url) => shown.has(url as string));
}

/**
 * Whether the page is complete, as an expression run in the page: every
 * large image shows its full version and everything is drawn.
 */
const READY = `(${drawn.toString()})() && (${full.toString()})()`;

/** The marks `watchReady` sets. */
export type ReadyMark = "map-drawn" | "map-ready";

/**
 * Makes the page set two performance marks (so their times count from
 * navigation start): `map-drawn` in the first animation frame in which every
 * overlay is loaded (large ones possibly as previews) and every feature
 * drawn, and `map-ready` in the first in which the full images are drawn
 * too. Call before `page.goto`.
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
    const drawn = ${drawn.toString()};
    const ready = () => ${READY};
    let seen = false;
    const tick = () => {
      if (!seen && drawn()) seen = !!performance.mark("map-drawn");
      if (ready()) {
        if (!seen) performance.mark("map-drawn");
        performance.mark("map-ready");
      } else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
}

/**
 * Milliseconds from navigation start to `mark` (see `watchReady`).
 *
 * @example
 * ```ts ignore
 * const ms = await readyTime(page);
 * const first = await readyTime(page, 60_000, "map-drawn");
 * ```
 */
export async function readyTime(
  page: Page,
  timeoutMs = 60_000,
  mark: ReadyMark = "map-ready",
): Promise<number> {
  await page.waitForFunction(
    (name) => performance.getEntriesByName(name).length > 0,
    mark,
    { timeout: timeoutMs },
  );
  return await page.evaluate((name) => performance.getEntriesByName(name)[0].startTime, mark);
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
  await page.waitForFunction(READY, undefined, { timeout: timeoutMs });
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
