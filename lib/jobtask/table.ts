/**
 * Results as a table: the counterpart of the Python SDK's GeoDataFrame. One
 * flat row per feature, nested properties flattened to dotted column names.
 *
 * @module
 */
import type { Feature, FeatureCollection } from "./types.ts";

/** A row: the feature's geometry and its flattened properties. */
export type FeatureRow = { geometry: Feature["geometry"] } & Record<string, unknown>;

/** Rows and their columns (the geometry column first). */
export interface FeatureTable {
  /** Column names in a stable order: `geometry`, `id` when any feature has one, then properties. */
  columns: string[];
  /** One row per feature. */
  rows: FeatureRow[];
}

// Deeper nesting is kept as a value: a hostile document must not exhaust the stack.
const MAX_DEPTH = 32;

/**
 * Flattens a FeatureCollection into a {@linkcode FeatureTable} (plain data;
 * `show` from `@up42/jobtask/notebook` displays it as an HTML table).
 *
 * @example
 * ```ts
 * import { featureTable } from "@up42/jobtask";
 * const table = featureTable({
 *   type: "FeatureCollection",
 *   features: [{ type: "Feature", geometry: null, properties: { uid: "a", acquisition: { mission: "S2" } } }],
 * });
 * if (table.columns.join() !== "geometry,uid,acquisition.mission") throw new Error(table.columns.join());
 * ```
 */
export function featureTable(collection: FeatureCollection): FeatureTable {
  const columns = new Set<string>(["geometry"]);
  if (collection.features.some((f) => f?.id !== undefined)) columns.add("id");
  const rows = collection.features.map((feature) => {
    const row: FeatureRow = { geometry: feature?.geometry ?? null };
    if (feature?.id !== undefined) row.id = feature.id;
    flatten(feature?.properties ?? {}, "", row, 0);
    for (const key of Object.keys(row)) columns.add(key);
    return row;
  });
  return { columns: [...columns], rows };
}

function flatten(
  value: Record<string, unknown>,
  prefix: string,
  into: Record<string, unknown>,
  depth: number,
) {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix + key;
    if (
      depth < MAX_DEPTH && v && typeof v === "object" && !Array.isArray(v) &&
      Object.keys(v).length > 0
    ) {
      flatten(v as Record<string, unknown>, `${name}.`, into, depth + 1);
    } else {
      into[name] = v;
    }
  }
}
