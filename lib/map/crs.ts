/**
 * Coordinate reference systems: EPSG codes resolved to proj4 definitions from
 * the maintained `epsg-index` package, one small JSON file per code, imported
 * on demand (the whole index is 8 MB; a map needs one or two codes).
 *
 * @module
 */

import proj4 from "proj4";
import { errorLine, MapError } from "../errors.ts";

/** Converts coordinates between two CRSs; both directions. */
export interface Transformer {
  /** Source CRS to target CRS. */
  forward(x: number, y: number): [number, number];
  /** Target CRS to source CRS. */
  inverse(x: number, y: number): [number, number];
}

const loaded = new Map<number, Promise<string>>();

/**
 * The EPSG code of "EPSG:nnnn" (any case) or of a number.
 *
 * @example
 * ```ts
 * import { epsgCode } from "./crs.ts";
 * if (epsgCode("epsg:32633") !== 32633) throw new Error();
 * ```
 */
export function epsgCode(crs: string | number): number {
  const m = typeof crs === "number" ? [, String(crs)] : /^\s*EPSG:(\d+)\s*$/i.exec(crs);
  const code = m ? Number(m[1]) : NaN;
  if (!(Number.isInteger(code) && code > 0)) {
    throw new MapError({
      subject: `CRS ${crs}`,
      problem: "is not an EPSG code",
      fix: 'use the form "EPSG:4326"',
    });
  }
  return code;
}

async function lookUp(code: number): Promise<string> {
  let entry: { proj4?: string | null } | undefined;
  try {
    // A computed specifier keeps the 8000-file index out of the module graph until asked for.
    const mod = await import(`epsg-index/s/${code}.json`, { with: { type: "json" } });
    entry = mod.default;
  } catch (e) {
    if (!/not found|cannot find|resolve|no such/i.test(errorLine(e))) {
      throw new MapError({
        subject: `EPSG:${code}`,
        problem: `cannot be loaded (${errorLine(e)})`,
        fix: "check the installation of the module",
      }, { cause: e });
    }
  }
  if (!entry?.proj4) {
    throw new MapError({
      subject: `EPSG:${code}`,
      problem: "is not a CRS this module knows (not in the EPSG index)",
      fix: "reproject the raster to a common CRS such as EPSG:4326 or a UTM zone",
    });
  }
  return entry.proj4;
}

/**
 * The proj4 definition of an EPSG CRS, loaded once per code. Throws a
 * MapError naming the code when the index does not know it.
 *
 * @example
 * ```ts
 * import { crsDefinition } from "./crs.ts";
 * if (!(await crsDefinition("EPSG:32633")).startsWith("+proj=utm +zone=33")) throw new Error();
 * ```
 */
export function crsDefinition(crs: string | number): Promise<string> {
  const code = epsgCode(crs);
  let def = loaded.get(code);
  if (!def) {
    def = lookUp(code);
    loaded.set(code, def);
    def.catch(() => loaded.delete(code));
  }
  return def;
}

/**
 * A transformer between two EPSG CRSs (default target: Web Mercator).
 *
 * @example
 * ```ts
 * import { transformer } from "./crs.ts";
 * const t = await transformer("EPSG:4326", "EPSG:3857");
 * const [x, y] = t.forward(0, 0);
 * if (Math.abs(x) > 1e-6 || Math.abs(y) > 1e-6) throw new Error();
 * ```
 */
export async function transformer(
  from: string | number,
  to: string | number = "EPSG:3857",
): Promise<Transformer> {
  const [a, b] = await Promise.all([crsDefinition(from), crsDefinition(to)]);
  const converter = proj4(a, b);
  return {
    forward: (x, y) => converter.forward([x, y]) as [number, number],
    inverse: (x, y) => converter.inverse([x, y]) as [number, number],
  };
}

/**
 * Web Mercator metres to [longitude, latitude] degrees (closed form: the
 * sphere of EPSG:3857 needs no library).
 *
 * @example
 * ```ts
 * import { mercatorToLonLat } from "./crs.ts";
 * if (mercatorToLonLat(0, 0).join() !== "0,0") throw new Error();
 * ```
 */
export function mercatorToLonLat(x: number, y: number): [number, number] {
  const r = 6378137;
  return [(x / r) * 180 / Math.PI, (2 * Math.atan(Math.exp(y / r)) - Math.PI / 2) * 180 / Math.PI];
}

/**
 * [longitude, latitude] degrees to Web Mercator metres.
 *
 * @example
 * ```ts
 * import { lonLatToMercator } from "./crs.ts";
 * if (Math.round(lonLatToMercator(180, 0)[0]) !== 20037508) throw new Error();
 * ```
 */
export function lonLatToMercator(lon: number, lat: number): [number, number] {
  const r = 6378137;
  const phi = Math.max(-85.0511287798, Math.min(85.0511287798, lat)) * Math.PI / 180;
  return [lon * Math.PI / 180 * r, r * Math.log(Math.tan(Math.PI / 4 + phi / 2))];
}
