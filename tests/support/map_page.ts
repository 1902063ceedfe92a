/**
 * Reading a map page's state through its one documented handle,
 * `window.up42Map` (the Leaflet map), and its layer control: no hooks are
 * added to the page for tests.
 *
 * @module
 */
import type { Page } from "playwright-core";

/** What a built map page shows. */
export interface MapState {
  /** Image overlays on the map. */
  images: number;
  /** Of those, images that have loaded. */
  imagesLoaded: number;
  /** Overlay names in the layer control, in order. */
  overlays: string[];
  /** Vector features drawn (points, lines, polygons), AOI included. */
  features: number;
}

/**
 * Waits until every image overlay has loaded, then reports the page's state.
 *
 * @example
 * ```ts ignore
 * const state = await mapState(page);
 * ```
 */
export async function mapState(page: Page, timeoutMs = 30_000): Promise<MapState> {
  await page.waitForFunction(
    () => {
      const g = globalThis as any;
      if (!g.up42Map) return false;
      let pending = 0;
      g.up42Map.eachLayer((l: any) => {
        if (l instanceof g.L.ImageOverlay && !l.getElement()?.complete) pending++;
      });
      return pending === 0;
    },
    undefined,
    { timeout: timeoutMs },
  );
  return await page.evaluate(() => {
    const g = globalThis as any;
    let images = 0, imagesLoaded = 0, features = 0;
    g.up42Map.eachLayer((l: any) => {
      if (l instanceof g.L.ImageOverlay) {
        images++;
        if (l.getElement()?.naturalWidth > 0) imagesLoaded++;
      } else if (l.feature && !(l instanceof g.L.GeoJSON)) features++;
    });
    const overlays = [
      ...g.document.querySelectorAll(".leaflet-control-layers-overlays label > span > span"),
    ]
      .map((s: any) => s.textContent.trim());
    return { images, imagesLoaded, overlays, features };
  });
}
