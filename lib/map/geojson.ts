/**
 * GeoJSON checks for the map: every geometry is validated before the page is
 * built, so a bad feature is named by its index here rather than silently
 * missing from the map (or breaking its script).
 *
 * @module
 */

import { MapError } from "../errors.ts";

/** A GeoJSON FeatureCollection as the map uses it. */
export interface FeatureCollection {
  /** Always "FeatureCollection". */
  type: "FeatureCollection";
  /** The features; each has `type`, `geometry` and `properties`. */
  features: { type: "Feature"; geometry: unknown; properties?: Record<string, unknown> | null }[];
}

// GeoJSON discourages nested GeometryCollections; a hostile one must not exhaust the stack.
const MAX_NESTING = 32;

const GEOMETRIES = new Set([
  "Point",
  "MultiPoint",
  "LineString",
  "MultiLineString",
  "Polygon",
  "MultiPolygon",
  "GeometryCollection",
]);

/**
 * Wraps a FeatureCollection, Feature or bare geometry as a FeatureCollection;
 * anything else is a MapError naming `what`.
 *
 * @example
 * ```ts
 * import { toFeatureCollection } from "./geojson.ts";
 * const fc = toFeatureCollection({ type: "Point", coordinates: [13.4, 52.5] }, "aoi");
 * if (fc.features.length !== 1) throw new Error();
 * ```
 */
export function toFeatureCollection(value: unknown, what: string): FeatureCollection {
  const v = value as { type?: unknown; features?: unknown } | null;
  if (v?.type === "FeatureCollection" && Array.isArray(v.features)) return v as FeatureCollection;
  if (v?.type === "Feature") return { type: "FeatureCollection", features: [v as any] };
  if (typeof v?.type === "string" && GEOMETRIES.has(v.type)) {
    return {
      type: "FeatureCollection",
      features: [{ type: "Feature", geometry: v, properties: {} }],
    };
  }
  throw new MapError({
    subject: what,
    problem: "is not GeoJSON",
    fix: "pass a FeatureCollection, a Feature or a geometry",
  });
}

function position(p: unknown): string | undefined {
  if (!Array.isArray(p) || p.length < 2 || !p.every((n) => Number.isFinite(n))) {
    return `position ${JSON.stringify(p)?.slice(0, 40)} is not [longitude, latitude]`;
  }
  if (Math.abs(p[0]) > 360 || Math.abs(p[1]) > 90) {
    return `position [${p[0]}, ${p[1]}] is not longitude/latitude (GeoJSON must be in EPSG:4326)`;
  }
}

function positions(list: unknown, min: number, what: string): string | undefined {
  if (!Array.isArray(list) || list.length < min) {
    return `${what} needs at least ${min} positions`;
  }
  for (const p of list) {
    const bad = position(p);
    if (bad) return bad;
  }
}

function each(list: unknown, what: string, f: (x: unknown) => string | undefined) {
  if (!Array.isArray(list)) return `${what} coordinates are not an array`;
  for (const x of list) {
    const bad = f(x);
    if (bad) return bad;
  }
}

/**
 * Why a geometry is invalid, or undefined when it is valid. A null geometry
 * is valid GeoJSON (nothing is drawn).
 *
 * @example
 * ```ts
 * import { geometryProblem } from "./geojson.ts";
 * if (geometryProblem({ type: "LineString", coordinates: [[0, 0]] }) !== "LineString needs at least 2 positions") throw new Error();
 * ```
 */
export function geometryProblem(geometry: unknown, depth = 0): string | undefined {
  if (geometry === null) return undefined;
  if (depth > MAX_NESTING) return `GeometryCollections are nested deeper than ${MAX_NESTING}`;
  const g = geometry as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  const c = g?.coordinates;
  switch (g?.type) {
    case "Point":
      return position(c);
    case "MultiPoint":
      return positions(c, 1, "MultiPoint");
    case "LineString":
      return positions(c, 2, "LineString");
    case "MultiLineString":
      return each(c, "MultiLineString", (l) => positions(l, 2, "each line"));
    case "Polygon":
      return each(c, "Polygon", (r) => positions(r, 4, "each Polygon ring"));
    case "MultiPolygon":
      return each(
        c,
        "MultiPolygon",
        (p) => each(p, "MultiPolygon", (r) => positions(r, 4, "each ring")),
      );
    case "GeometryCollection":
      return each(g.geometries, "GeometryCollection", (x) => geometryProblem(x, depth + 1));
    default:
      return `unknown geometry type ${JSON.stringify(g?.type ?? null)}`;
  }
}

/**
 * Throws a MapError naming the first feature (by index) that is not a
 * Feature or has an invalid geometry.
 *
 * @example
 * ```ts
 * import { checkFeatureCollection } from "./geojson.ts";
 * checkFeatureCollection({ type: "FeatureCollection", features: [] }, "feature");
 * ```
 */
export function checkFeatureCollection(fc: FeatureCollection, what: string): void {
  fc.features.forEach((f, i) => {
    if (f?.type !== "Feature") {
      throw new MapError({
        subject: `${what} ${i}`,
        problem: "is not a GeoJSON Feature",
        fix: "fix or remove it",
      });
    }
    const problem = geometryProblem(f.geometry);
    if (problem) {
      throw new MapError({
        subject: `${what} ${i}`,
        problem: `has an invalid geometry (${problem})`,
        fix: "fix or remove it",
      });
    }
  });
}

/**
 * The [west, south, east, north] of a geometry's positions, or undefined
 * for an empty or null geometry. Call it on checked geometries only.
 *
 * @example
 * ```ts
 * import { geometryBounds } from "./geojson.ts";
 * const b = geometryBounds({ type: "LineString", coordinates: [[1, 2], [3, 0]] });
 * if (b?.join() !== "1,0,3,2") throw new Error();
 * ```
 */
export function geometryBounds(geometry: unknown): [number, number, number, number] | undefined {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const visit = (c: any) => {
    if (typeof c[0] === "number") {
      if (c[0] < w) w = c[0];
      if (c[0] > e) e = c[0];
      if (c[1] < s) s = c[1];
      if (c[1] > n) n = c[1];
    } else for (const x of c) visit(x);
  };
  const walk = (g: any) => {
    if (!g) return;
    if (g.type === "GeometryCollection") { for (const x of g.geometries) walk(x); }
    else visit(g.coordinates);
  };
  walk(geometry);
  return w <= e ? [w, s, e, n] : undefined;
}
