/**
 * What a map is built from: result files and folders (walked, work in
 * progress skipped) or files in memory, and the features among them.
 *
 * @module
 */
import { basename } from "node:path";
import { errorLine, MapError, PermissionError, Up42Error } from "../errors.ts";
import type { NamedBytes } from "../files/named_bytes.ts";
import { isPermissionFailure } from "../files/permission.ts";
import { walkFiles } from "../files/walk.ts";
import { type FeatureCollection, toFeatureCollection } from "./geojson.ts";

/** A map input: a file or folder path, or a file already in memory. */
export type MapInput = string | NamedBytes;

/** The files found in the inputs. */
export interface MapFiles {
  /** Files in memory. */
  named: NamedBytes[];
  /** Paths on disk (folders walked). */
  paths: string[];
}

/**
 * The files in `inputs`: folders are walked, in-memory files kept.
 *
 * @example
 * ```ts
 * import { listFiles } from "./inputs.ts";
 * const files = await listFiles([{ name: "data.json", bytes: new Uint8Array() }]);
 * if (files.named.length !== 1) throw new Error();
 * ```
 */
export async function listFiles(inputs: MapInput[]): Promise<MapFiles> {
  const files: MapFiles = { named: [], paths: [] };
  for (const input of inputs) {
    if (typeof input !== "string") {
      files.named.push(input);
      continue;
    }
    try {
      if ((await Deno.stat(input)).isDirectory) {
        files.paths.push(...await walkFiles(input, () => true));
      } else files.paths.push(input);
    } catch (e) {
      if (isPermissionFailure(e)) {
        throw new PermissionError({ flag: `--allow-read=${input}`, why: `reading ${input}` });
      }
      throw new MapError({
        subject: input,
        problem: e instanceof Deno.errors.NotFound
          ? "is not found"
          : `cannot be read (${errorLine(e)})`,
        fix: "pass the files or folder downloadResults returned",
      });
    }
  }
  return files;
}

/**
 * The features of the results: the first `.geojson` file, else `data.json`.
 *
 * @example
 * ```ts
 * import { readFeatures } from "./inputs.ts";
 * const fc = { type: "FeatureCollection", features: [] };
 * const bytes = new TextEncoder().encode(JSON.stringify(fc));
 * const read = await readFeatures({ named: [{ name: "data.json", bytes }], paths: [] }, "memory");
 * if (read.features.length !== 0) throw new Error();
 * ```
 */
export async function readFeatures(files: MapFiles, where: string): Promise<FeatureCollection> {
  const all = [...files.paths, ...files.named.map((n) => n.name)];
  const pick = all.find((n) => /\.geojson$/i.test(n)) ??
    all.find((n) => basename(n).toLowerCase() === "data.json");
  if (!pick) {
    throw new MapError({
      subject: where,
      problem: "holds no FeatureCollection (looked for a .geojson file, then data.json)",
      fix: "pass featureCollection or the results folder",
    });
  }
  const named = files.named.find((n) => n.name === pick);
  try {
    const text = named ? new TextDecoder().decode(named.bytes) : await Deno.readTextFile(pick);
    return toFeatureCollection(JSON.parse(text), pick);
  } catch (e) {
    if (e instanceof Up42Error) throw e;
    throw new MapError({
      subject: pick,
      problem: `cannot be read as GeoJSON (${errorLine(e)})`,
      fix: "pass a valid GeoJSON file",
    }, { cause: e });
  }
}
