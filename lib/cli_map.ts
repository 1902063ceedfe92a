/**
 * CLI command `map`: a self-contained HTML map of downloaded results. Parses
 * its own flags, writes the page atomically, prints its absolute path on
 * stdout and returns the exit code; failures are thrown as typed errors.
 *
 * @module
 */

import { ConfigError, errorLine, MapError } from "./errors.ts";
import { parseCommand } from "./cli_render.ts";
import { mapResults } from "./map.ts";
import { parseStretch } from "./raster_stretch.ts";

const MAP_HELP =
  `usage: map PATH... --out HTML [--aoi FILE.geojson] [--bands 1,2,3] [--name-column uid]
       [--stretch S] [--cmap NAME] [--max-image-pixels 2048] [--format .tif,.tiff]
       [--no-images] [--no-features]`;

const OPTIONS = {
  out: { type: "string" },
  aoi: { type: "string" },
  bands: { type: "string" },
  "name-column": { type: "string" },
  stretch: { type: "string" },
  cmap: { type: "string" },
  "max-image-pixels": { type: "string" },
  format: { type: "string" },
  "no-images": { type: "boolean" },
  "no-features": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function bandList(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const bands = text.split(",").map((s) => Number(s.trim()));
  if (bands.some((b) => !Number.isInteger(b))) {
    throw new ConfigError(`--bands "${text}" is not comma-separated band numbers, e.g. 1,2,3`);
  }
  return bands;
}

async function readAoi(path: string | undefined): Promise<unknown> {
  if (path === undefined) return undefined;
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new MapError(`--aoi ${path}: cannot read it as GeoJSON (${errorLine(e)})`, { cause: e });
  }
}

/**
 * `map PATH... --out HTML ...`: features (first .geojson, else data.json)
 * and GeoTIFFs found in the paths (folders walked) on a Leaflet map.
 *
 * @example
 * ```ts ignore
 * import { runMapCommand } from "./cli_map.ts";
 * Deno.exit(await runMapCommand(["results/", "--out", "map.html", "--bands", "4,3,2"]));
 * ```
 */
export async function runMapCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand("map", args, OPTIONS);
  if (values.help) {
    console.log(MAP_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    throw new ConfigError(`map needs at least one PATH: ${MAP_HELP.split("\n")[0]}`);
  }
  if (!values.out) throw new ConfigError("map needs --out FILE.html: where to write the page");
  const max = values["max-image-pixels"];
  if (max !== undefined && !/^\d+$/.test(max)) {
    throw new ConfigError(`--max-image-pixels "${max}" is not a whole number`);
  }
  const result = await mapResults({
    filepaths: positionals,
    saveHtml: values.out,
    aoi: await readAoi(values.aoi),
    bands: bandList(values.bands),
    nameColumn: values["name-column"],
    stretch: values.stretch ? parseStretch(values.stretch) : undefined,
    cmap: values.cmap,
    maxImagePixels: max === undefined ? undefined : Number(max),
    plotFileFormat: values.format?.split(","),
    showImages: !values["no-images"],
    showFeatures: !values["no-features"],
  });
  console.log(result.path);
  return 0;
}
