/**
 * Features as the page receives them: geometries in geobuf (coordinates
 * quantised to 1e-6 degrees and delta-encoded, by the geobuf library) and
 * properties as JSON, each gzip-compressed (geometries when large enough,
 * see {@linkcode GZIP_FROM}) and base64-encoded. For 100,000
 * small polygons this is about 3% of their GeoJSON text, and the page turns
 * it straight into typed arrays (see page_features.js) instead of parsing
 * and walking GeoJSON.
 *
 * Properties stay JSON rather than geobuf values so that every key arrives
 * as written: geobuf's reader drops keys such as `constructor`.
 *
 * @module
 */
import { encode } from "geobuf";
import Pbf from "pbf";

/** Features ready for the page. */
export interface EncodedFeatures {
  /** Number of features. */
  count: number;
  /**
   * Base64 of a geobuf FeatureCollection holding only the geometries,
   * gzip-compressed when `geometryEncoding` is `"gzip"`.
   */
  geometry: string;
  /**
   * `"raw"` for small geometries (under {@linkcode GZIP_FROM} bytes), which
   * the page then reads at once, `"gzip"` for the others.
   */
  geometryEncoding: "gzip" | "raw";
  /** Base64 of the gzip of a JSON array of each feature's properties (or null). */
  properties: string;
}

/**
 * Geobuf size from which geometries are gzip-compressed. Below it the saving
 * is a few kilobytes, while the page's decompression is asynchronous: it
 * waits behind whatever the page is still reading (in the demo job's map,
 * half a second behind the images).
 */
export const GZIP_FROM = 16 * 1024;

interface FeatureLike {
  geometry: unknown;
  properties?: unknown;
}

/** A geometry with only the members geobuf reads, so no foreign member is carried along. */
function bare(geometry: any): unknown {
  if (geometry === null || geometry === undefined) return null;
  if (geometry.type === "GeometryCollection") {
    return { type: "GeometryCollection", geometries: geometry.geometries.map(bare) };
  }
  return { type: geometry.type, coordinates: geometry.coordinates };
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Encodes validated features (see `checkFeatureCollection`) for the page.
 *
 * @example
 * ```ts
 * import { encodeFeatures } from "./encode.ts";
 * const point = { type: "Point", coordinates: [13.4, 52.5] };
 * const e = await encodeFeatures([{ geometry: point, properties: { uid: "a" } }]);
 * if (e.count !== 1 || !e.geometry || !e.properties) throw new Error();
 * ```
 */
export async function encodeFeatures(features: FeatureLike[]): Promise<EncodedFeatures> {
  const collection = {
    type: "FeatureCollection",
    features: features.map((f) => ({ type: "Feature", geometry: bare(f.geometry) })),
  };
  const geometry = encode(collection, new Pbf());
  const properties = new TextEncoder().encode(
    JSON.stringify(features.map((f) => f.properties ?? null)),
  );
  return {
    count: features.length,
    geometry: (geometry.length < GZIP_FROM ? geometry : await gzip(geometry)).toBase64(),
    geometryEncoding: geometry.length < GZIP_FROM ? "raw" : "gzip",
    properties: (await gzip(properties)).toBase64(),
  };
}
