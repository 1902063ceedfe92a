/**
 * The command table: every command's summary, arguments and flags as plain
 * data. Help, parsing and the README's list are generated from it; a
 * command's code is loaded only when that command runs.
 *
 * @module
 */
import type { FlagSpecs, ParsedArgs } from "./args.ts";

/** What a command's code module offers. */
export interface CommandModule {
  /** Runs the command with its parsed arguments; returns the exit status. */
  run(name: string, args: ParsedArgs): Promise<number>;
}

/** One command. */
export interface Command {
  /** One line for the help. */
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. `FILE` or `PATH...`. */
  positionals?: string;
  /** Its flags. */
  flags: FlagSpecs;
  /** Loads its code. */
  load(): Promise<CommandModule>;
}

const JOB: FlagSpecs = {
  job: { type: "string", value: "ID", description: "the job id", required: true },
};
const JOBTASK: FlagSpecs = {
  ...JOB,
  jobtask: { type: "string", value: "ID", description: "the jobtask id", required: true },
};
const JOBTASKS: FlagSpecs = {
  ...JOB,
  jobtask: {
    type: "string",
    value: "ID",
    description: "a jobtask id (default every jobtask of the job)",
    multiple: true,
  },
};
const JOB_FOLDER: FlagSpecs = {
  job: {
    type: "string",
    value: "ID",
    description:
      "instead of PATH: the job's folder project_*/job_ID here, as download --job writes it",
  },
};
const JSON_FILES: FlagSpecs = {
  json: {
    type: "boolean",
    description: "print one JSON document instead: { files: [{ path, size, crc32 }] }",
  },
};
const NETWORK: FlagSpecs = {
  verbose: { type: "boolean", description: "report each retry on stderr" },
};
const RENDER: FlagSpecs = {
  bands: {
    type: "string",
    value: "1,2,3",
    description: "bands to draw: three for RGB, one for a colour map",
  },
  stretch: {
    type: "string",
    value: "auto|minmax|none|pLO,HI|MIN,MAX",
    description: "contrast stretch (default auto: uint8 as-is, else 2-98 percentiles)",
  },
  cmap: { type: "string", value: "NAME", description: "colour map of a single band, e.g. viridis" },
};
const FIGURE: FlagSpecs = {
  out: { type: "string", value: "PNG", description: "where to write the figure", required: true },
  titles: {
    type: "string",
    value: "a,b,c",
    description: "titles in input order (default file names)",
  },
  figsize: { type: "string", value: "W,H", description: "figure size in inches at 100 dpi" },
  size: {
    type: "string",
    value: "WxH",
    description: "figure size in pixels (overrides --figsize)",
  },
  format: { type: "string", value: ".tif,.tiff", description: "file extensions to plot" },
};

/** Every command, in the order help lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  jobtasks: {
    summary: "list the job's jobtasks as JSON",
    flags: { ...JOB, ...NETWORK },
    load: () => import("./commands/jobtask.ts"),
  },
  info: {
    summary: "the jobtask's metadata as JSON",
    flags: { ...JOBTASK, ...NETWORK },
    load: () => import("./commands/jobtask.ts"),
  },
  "results-json": {
    summary:
      "the results FeatureCollection (with --table, one row per feature) as JSON; a whole job's features are tagged with their jobtask",
    flags: {
      ...JOBTASKS,
      table: { type: "boolean", description: "one flat row per feature instead of GeoJSON" },
      ...NETWORK,
    },
    load: () => import("./commands/jobtask.ts"),
  },
  download: {
    summary:
      "download, verify and unpack the results of a jobtask or a whole job, skipping what is up to date (paths, or --json, on stdout)",
    flags: {
      ...JOBTASKS,
      out: {
        type: "string",
        value: "DIR",
        description:
          "folder to unpack into (default project_P/job_J/jobtask_T; for several jobtasks the job's folder, default project_P/job_J, with jobtask_T in it)",
      },
      "no-overwrite": { type: "boolean", description: "fail instead of replacing existing files" },
      "allow-root-or-home-output": {
        type: "boolean",
        description: "unpack even when --out is the file system root or your home folder",
      },
      force: { type: "boolean", description: "download even what is up to date" },
      "keep-archive": {
        type: "boolean",
        description: "save the verified archive itself instead of unpacking it (resumed if cut)",
      },
      "verify-files": {
        type: "boolean",
        description: "checksum every file of an up-to-date folder (default: sizes and times)",
      },
      concurrency: { type: "string", value: "N", description: "jobtasks at once (default 2)" },
      shard: {
        type: "string",
        value: "I/N",
        description: "only share I (0 to N-1) of N of the job's jobtasks, by hash of their ids",
      },
      ...JSON_FILES,
      ...NETWORK,
    },
    load: () => import("./commands/download.ts"),
  },
  quicklooks: {
    summary: "download the quicklooks (paths, or --json, on stdout)",
    flags: {
      ...JOBTASK,
      out: {
        type: "string",
        value: "DIR",
        description: "folder to write into (default project_P/job_J)",
      },
      ...JSON_FILES,
      ...NETWORK,
    },
    load: () => import("./commands/download.ts"),
  },
  render: {
    summary: "one raster to a PNG, no margin, nodata transparent",
    positionals: "FILE",
    flags: {
      out: {
        type: "string",
        value: "PNG",
        description: "where to write the image",
        required: true,
      },
      width: { type: "string", value: "N", description: "output width in pixels" },
      height: { type: "string", value: "N", description: "output height in pixels" },
      ...RENDER,
      nodata: { type: "string", value: "V", description: "nodata value overriding the file's" },
    },
    load: () => import("./commands/render.ts"),
  },
  plot: {
    summary: "results GeoTIFFs (files or folders) in a titled grid PNG",
    positionals: "PATH...",
    flags: { ...FIGURE, ...RENDER, ...JOB_FOLDER },
    load: () => import("./commands/plot.ts"),
  },
  "plot-quicklooks": {
    summary: "quicklooks (PNG/JPEG files or folders) in a titled grid PNG",
    positionals: "PATH...",
    flags: { ...FIGURE, format: { ...FIGURE.format, value: ".jpg,.jpeg,.png" } },
    load: () => import("./commands/plot.ts"),
  },
  map: {
    summary: "a self-contained Leaflet HTML map of results (features, rasters, AOI)",
    positionals: "PATH...",
    flags: {
      out: {
        type: "string",
        value: "HTML",
        description: "where to write the page",
        required: true,
      },
      aoi: {
        type: "string",
        value: "FILE.geojson",
        description: "area of interest, outlined in red",
      },
      ...RENDER,
      "name-column": {
        type: "string",
        value: "uid",
        description: "property naming each feature's layer",
      },
      "max-image-pixels": {
        type: "string",
        value: "N",
        description: "longest side of an embedded image (default 2048)",
      },
      format: { type: "string", value: ".tif,.tiff", description: "raster extensions to draw" },
      quicklooks: {
        type: "boolean",
        description: "draw quicklook_{id} files over their scenes' footprints",
      },
      "no-images": { type: "boolean", description: "leave the rasters out" },
      "no-features": { type: "boolean", description: "leave the features out" },
      ...JOB_FOLDER,
    },
    load: () => import("./commands/map.ts"),
  },
};

/**
 * A command's usage line, e.g. `render FILE --out PNG [--width N]`.
 *
 * @example
 * ```ts
 * import { COMMANDS, usageLine } from "./commands.ts";
 * if (!usageLine("info", COMMANDS.info).startsWith("info --job ID --jobtask ID")) throw new Error();
 * ```
 */
export function usageLine(name: string, command: Command): string {
  const parts = [name];
  if (command.positionals) parts.push(command.positionals);
  const flags = Object.entries(command.flags);
  for (const [flag, spec] of flags.filter(([, s]) => s.required)) {
    parts.push(`--${flag}${spec.value ? ` ${spec.value}` : ""}`);
  }
  for (const [flag, spec] of flags.filter(([, s]) => !s.required)) {
    parts.push(`[--${flag}${spec.value ? ` ${spec.value}` : ""}]${spec.multiple ? "..." : ""}`);
  }
  return parts.join(" ");
}
