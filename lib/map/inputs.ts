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
 * The features among `files`: the first `.geojson` file, else the first
 * `data.json`, with the file's name; undefined when there is neither.
 *
 * @example
 * ```ts
 * import { readFeatures } from "./inputs.ts";
 * const fc = { type: "FeatureCollection", features: [] };
 * const bytes = new TextEncoder().encode(JSON.stringify(fc));
 * const read = await readFeatures({ named: [{ name: "data.json", bytes }], paths: [] }, "memory");
 * if (read?.collection.features.length !== 0 || read.from !== "data.json") throw new Error();
 * ```
 */
export async function readFeatures(
  files: MapFiles,
  where: string,
): Promise<{ collection: FeatureCollection; from: string } | undefined> {
  const all = [...files.paths, ...files.named.map((n) => n.name)];
  const pick = all.find((n) => /\.geojson$/i.test(n)) ??
    all.find((n) => basename(n).toLowerCase() === "data.json");
  if (!pick) return undefined;
  const named = files.named.find((n) => n.name === pick);
  try {
    const text = named ? new TextDecoder().decode(named.bytes) : await Deno.readTextFile(pick);
    return { collection: toFeatureCollection(JSON.parse(text), pick), from: pick };
  } catch (e) {
    if (e instanceof Up42Error) throw e;
    throw new MapError({
      subject: pick,
      problem: `cannot be read as GeoJSON (${errorLine(e)})`,
      fix: `pass a valid GeoJSON file (reading the features of ${where})`,
    }, { cause: e });
  }
}
