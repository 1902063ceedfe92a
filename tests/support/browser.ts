/**
 * Headless Chromium for tests (Debian's `chromium` package driven by
 * playwright-core), offline: every request that is not a file: or data: URL
 * is aborted and recorded, so a test can assert what a page tried to fetch.
 *
 * @module
 */

import { type Browser, chromium, type Page } from "playwright-core";
import { withTempDir } from "./temp.ts";

/** The Chromium executable; override with CHROMIUM_PATH. */
export const CHROMIUM_PATH: string = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/**
 * Launches headless Chromium with no background networking.
 *
 * @example
 * ```ts ignore
 * import { launchBrowser } from "./browser.ts";
 * const browser = await launchBrowser();
 * await browser.close();
 * ```
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Runs `fn` with a launched browser and a fresh temporary folder named
 * `prefix...`; closes the browser, then removes the folder, however `fn` ends.
 *
 * @example
 * ```ts ignore
 * import { offlinePage, withBrowser } from "./browser.ts";
 * await withBrowser("map-test-", async (browser, dir) => {
 *   const { page } = await offlinePage(browser);
 *   await page.goto(`file://${dir}/map.html`);
 * });
 * ```
 */
export function withBrowser<T>(
  prefix: string,
  fn: (browser: Browser, dir: string) => Promise<T>,
): Promise<T> {
  return withTempDir(prefix, async (dir) => {
    const browser = await launchBrowser();
    try {
      return await fn(browser, dir);
    } finally {
      await browser.close();
    }
  });
}

/** An offline page and what it did. */
export interface OfflinePage {
  /** The Playwright page. */
  page: Page;
  /** Every non-file, non-data URL the page requested (all were aborted). */
  blocked: string[];
  /** Console messages of type "error" and uncaught page errors. */
  errors: string[];
}

/**
 * Opens a new page in which every network request is aborted and recorded.
 *
 * @example
 * ```ts ignore
 * import { launchBrowser, offlinePage } from "./browser.ts";
 * const browser = await launchBrowser();
 * const { page, blocked, errors } = await offlinePage(browser);
 * await page.goto("file:///tmp/map.html");
 * ```
 */
export async function offlinePage(
  browser: Browser,
  viewport = { width: 1000, height: 700 },
): Promise<OfflinePage> {
  const page = await browser.newPage({ viewport });
  const blocked: string[] = [];
  const errors: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  page.on("console", (m) => {
    // Aborted tile requests are expected offline; everything else is an error.
    if (m.type() === "error" && !/net::ERR_FAILED|Failed to load resource/.test(m.text())) {
      errors.push(m.text());
    }
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, blocked, errors };
}

/**
 * The host names of URLs.
 *
 * @example
 * ```ts
 * import { hosts } from "./browser.ts";
 * console.log(hosts(["https://a.b/c", "https://a.b/d"])); // ["a.b"]
 * ```
 */
export function hosts(urls: string[]): string[] {
  return [...new Set(urls.map((u) => new URL(u).host))].sort();
}
