/**
 * The `plot` and `plot-quicklooks` commands: figures in a titled grid,
 * written atomically; the path on stdout.
 *
 * @module
 */
import { plotQuicklooks, plotResults } from "../../plot/plot.ts";
import { parseStretch } from "../../raster/stretch.ts";
import { bandsFlag, type FlagValues, numbersFlag, type ParsedArgs } from "../args.ts";
import { findJobFolder } from "../job_folder.ts";

function figureOptions(name: string, values: FlagValues) {
  return {
    titles: typeof values.titles === "string" ? values.titles.split(",") : undefined,
    figsize: numbersFlag(name, "figsize", values.figsize, 2) as [number, number] | undefined,
    size: numbersFlag(name, "size", values.size, 2, /[,x]/) as [number, number] | undefined,
    plotFileFormat: typeof values.format === "string" ? values.format.split(",") : undefined,
    output: values.out as string,
  };
}

/**
 * Runs `plot` or `plot-quicklooks`.
 *
 * @example
 * ```ts
 * import { run } from "./plot.ts";
 * import { writeGeoTiff } from "@up42/jobtask/emulator";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/a.tif`, await writeGeoTiff({ width: 4, height: 4, bands: [new Uint8Array(16)], epsg: 4326, origin: [0, 0], pixelSize: [1, 1] }));
 * if (await run("plot", { values: { out: `${dir}/p.png`, size: "200x100" }, positionals: [dir] }) !== 0) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function run(name: string, { values, positionals }: ParsedArgs): Promise<number> {
  const result = name === "plot-quicklooks"
    ? await plotQuicklooks({ filepaths: positionals, ...figureOptions(name, values) })
    : await plotResults({
      filepaths: typeof values.job === "string" ? [await findJobFolder(values.job)] : positionals,
      ...figureOptions(name, values),
      bands: bandsFlag(name, values.bands),
      stretch: typeof values.stretch === "string" ? parseStretch(values.stretch) : undefined,
      cmap: values.cmap as string | undefined,
    });
  console.log(result.path);
  return 0;
}
