/**
 * The `map` command: a self-contained HTML map of downloaded results (a
 * jobtask's folder, several, or a whole job's), written atomically; the path
 * on stdout.
 *
 * @module
 */
import { errorLine, MapError } from "../../errors.ts";
import { mapResults } from "../../map/map.ts";
import { parseStretch } from "../../raster/stretch.ts";
import { bandsFlag, integerFlag, type ParsedArgs } from "../args.ts";
import { findJobFolder } from "../job_folder.ts";

async function readAoi(path: string | undefined): Promise<unknown> {
  if (path === undefined) return undefined;
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new MapError({
      subject: `--aoi ${path}`,
      problem: `cannot be read as GeoJSON (${errorLine(e)})`,
      fix: "pass a GeoJSON file",
    }, { cause: e });
  }
}

/**
 * Runs `map`.
 *
 * @example
 * ```ts
 * import { run } from "./map.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/data.json`, JSON.stringify({ type: "FeatureCollection", features: [] }));
 * if (await run("map", { values: { out: `${dir}/map.html` }, positionals: [dir] }) !== 0) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function run(name: string, { values, positionals }: ParsedArgs): Promise<number> {
  const result = await mapResults({
    filepaths: typeof values.job === "string" ? [await findJobFolder(values.job)] : positionals,
    saveHtml: values.out as string,
    aoi: await readAoi(values.aoi as string | undefined),
    bands: bandsFlag(name, values.bands),
    nameColumn: values["name-column"] as string | undefined,
    stretch: typeof values.stretch === "string" ? parseStretch(values.stretch) : undefined,
    cmap: values.cmap as string | undefined,
    maxImagePixels: integerFlag(name, "max-image-pixels", values["max-image-pixels"]),
    plotFileFormat: typeof values.format === "string" ? values.format.split(",") : undefined,
    showImages: !values["no-images"],
    showFeatures: !values["no-features"],
    quicklooks: Boolean(values.quicklooks),
  });
  console.log(result.path);
  return 0;
}
