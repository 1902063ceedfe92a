/**
 * CLI commands `render`, `plot` and `plot-quicklooks`. Each parses its own
 * flags, writes the PNG atomically, prints its absolute path on stdout and
 * returns the exit code; failures are thrown as typed errors.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ConfigError, errorLine } from "./errors.ts";
import { plotQuicklooks, plotResults } from "./plot.ts";
import { toPngNative } from "./png.ts";
import { writeFileAtomic } from "./raster_files.ts";
import { parseStretch } from "./raster_stretch.ts";
import { renderRaster } from "./render_raster.ts";

const COMMON = {
  out: { type: "string" },
  bands: { type: "string" },
  stretch: { type: "string" },
  cmap: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses a command's flags; an unknown or malformed flag is a ConfigError
 * naming the command.
 *
 * @example
 * ```ts ignore
 * import { parseCommand } from "./cli_render.ts";
 * const { values } = parseCommand("render", ["--width", "10"], { width: { type: "string" } });
 * ```
 */
export function parseCommand<
  T extends Record<string, { type: "string" | "boolean"; short?: string }>,
>(
  command: string,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError(`${command}: ${errorLine(e)}: see \`${command} --help\``);
  }
}

function numbers(flag: string, text: string | undefined, count?: number): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(/[,x]/).map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isFinite(v)) || (count && values.length !== count)) {
    throw new ConfigError(
      `--${flag} "${text}" is not ${count ? `${count} ` : "a list of "}comma-separated numbers`,
    );
  }
  return values;
}

function integer(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) {
    throw new ConfigError(`--${flag} "${text}" is not a positive whole number`);
  }
  return v;
}

function needOut(command: string, out: string | undefined): string {
  if (!out) throw new ConfigError(`${command} needs --out FILE.png: where to write the image`);
  return out;
}

const RENDER_HELP = `usage: render FILE --out PNG [--width N] [--height N] [--bands 1,2,3]
       [--stretch auto|minmax|none|pLO,HI|MIN,MAX] [--cmap NAME] [--nodata V]`;

/**
 * `render FILE --out PNG ...`: one raster, no title or margin, the raster's
 * aspect ratio, nodata transparent.
 *
 * @example
 * ```ts ignore
 * import { runRenderCommand } from "./cli_render.ts";
 * Deno.exit(await runRenderCommand(["scene.tif", "--out", "scene.png", "--width", "800"]));
 * ```
 */
export async function runRenderCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand("render", args, {
    ...COMMON,
    width: { type: "string" },
    height: { type: "string" },
    nodata: { type: "string" },
  });
  if (values.help) {
    console.log(RENDER_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(
      `render takes exactly one FILE, got ${positionals.length}: ${RENDER_HELP.split("\n")[0]}`,
    );
  }
  const out = needOut("render", values.out);
  const rendered = await renderRaster(positionals[0], {
    width: integer("width", values.width),
    height: integer("height", values.height),
    bands: numbers("bands", values.bands),
    stretch: values.stretch ? parseStretch(values.stretch) : undefined,
    cmap: values.cmap,
    nodata: numbers("nodata", values.nodata, 1)?.[0],
  });
  console.log(await writeFileAtomic(out, await toPngNative(rendered)));
  return 0;
}

const FIGURE = {
  titles: { type: "string" },
  figsize: { type: "string" },
  size: { type: "string" },
  format: { type: "string" },
} as const;

const PLOT_HELP = `usage: plot PATH... --out PNG [--bands 1,2,3] [--stretch S] [--cmap NAME]
       [--titles a,b,c] [--figsize 14,8 | --size 1400x800] [--format .tif,.tiff]`;

function figureOptions(values: Record<string, string | boolean | undefined>) {
  return {
    titles: typeof values.titles === "string" ? values.titles.split(",") : undefined,
    figsize: numbers("figsize", values.figsize as string | undefined, 2) as [number, number],
    size: numbers("size", values.size as string | undefined, 2) as [number, number],
    plotFileFormat: typeof values.format === "string" ? values.format.split(",") : undefined,
  };
}

/**
 * `plot PATH... --out PNG ...`: GeoTIFF results (folders walked) in a grid.
 *
 * @example
 * ```ts ignore
 * import { runPlotCommand } from "./cli_render.ts";
 * Deno.exit(await runPlotCommand(["results/", "--out", "results.png"]));
 * ```
 */
export async function runPlotCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand("plot", args, { ...COMMON, ...FIGURE });
  if (values.help) {
    console.log(PLOT_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    throw new ConfigError(`plot needs at least one PATH: ${PLOT_HELP.split("\n")[0]}`);
  }
  const result = await plotResults({
    filepaths: positionals,
    output: needOut("plot", values.out),
    bands: numbers("bands", values.bands),
    stretch: values.stretch ? parseStretch(values.stretch) : undefined,
    cmap: values.cmap,
    ...figureOptions(values),
  });
  console.log(result.path);
  return 0;
}

/**
 * `plot-quicklooks PATH... --out PNG ...`: PNG/JPEG quicklooks in a grid.
 *
 * @example
 * ```ts ignore
 * import { runPlotQuicklooksCommand } from "./cli_render.ts";
 * Deno.exit(await runPlotQuicklooksCommand(["quicklooks/", "--out", "ql.png"]));
 * ```
 */
export async function runPlotQuicklooksCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand("plot-quicklooks", args, {
    out: COMMON.out,
    help: COMMON.help,
    ...FIGURE,
  });
  if (values.help) {
    console.log(
      "usage: plot-quicklooks PATH... --out PNG [--titles a,b] [--figsize 8,8 | --size WxH]",
    );
    return 0;
  }
  if (positionals.length === 0) throw new ConfigError("plot-quicklooks needs at least one PATH");
  const result = await plotQuicklooks({
    filepaths: positionals,
    output: needOut("plot-quicklooks", values.out),
    ...figureOptions(values),
  });
  console.log(result.path);
  return 0;
}
