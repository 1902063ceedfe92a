/**
 * The shapes the jobs API answers with: jobtasks and GeoJSON results.
 *
 * @module
 */

/** A jobtask as the API lists it. Fields beyond these are kept as they come. */
export interface JobtaskInfo {
  /** The jobtask id. */
  id: string;
  /** The block's name and version, e.g. `sentinelhub-s2:1`. */
  name?: string;
  /** E.g. `SUCCEEDED`. */
  status?: string;
  /** Every other field the API sent. */
  [key: string]: unknown;
}

/** A GeoJSON Feature. */
export interface Feature {
  /** Always `Feature`. */
  type: "Feature";
  /** The geometry, in EPSG:4326 for UP42 results. */
  geometry: { type: string; coordinates?: unknown; geometries?: unknown } | null;
  /** The feature's properties. */
  properties: Record<string, unknown> | null;
  /** Optional id. */
  id?: string | number;
  /** Optional bounding box. */
  bbox?: number[];
}

/** A GeoJSON FeatureCollection. */
export interface FeatureCollection {
  /** Always `FeatureCollection`. */
  type: "FeatureCollection";
  /** The features. */
  features: Feature[];
}

/** Options every API call takes. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Time limit of each attempt until its headers, in ms. Default `ctx.timeoutMs`. */
  timeoutMs?: number;
}
