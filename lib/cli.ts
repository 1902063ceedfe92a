/**
 * The command-line interface: a thin layer over the module's functions.
 * Results go to stdout; failures are one line `error: ...` on stderr.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { getResultsJson, jobtaskInfo, listJobtasks } from "./api.ts";
import { createContext, type Up42Context } from "./context.ts";
import { ConfigError, errorLine, Up42Error } from "./errors.ts";
import { redactUrls } from "./retry.ts";
import { runMapCommand } from "./cli_map.ts";
import { runDownloadCommand, runQuicklooksCommand } from "./cli_download.ts";
import { runPlotCommand, runPlotQuicklooksCommand, runRenderCommand } from "./cli_render.ts";
import { MODULE_NAME, MODULE_VERSION } from "./version.ts";

/** A subcommand: `run` gets the arguments after the command name. */
interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Thrown for bad command lines: exit status 2 instead of 1. */
class UsageError extends ConfigError {}

const JOB_FLAGS = {
  job: { type: "string" },
  jobtask: { type: "string" },
} as const;

/**
 * Parses `args` with the job flags plus `extra`; unknown flags are usage errors.
 *
 * @example
 * ```ts ignore
 * const { values, positionals } = parseCommandArgs(["--job", "j", "--table"], { table: { type: "boolean" } });
 * ```
 */
function parseCommandArgs<
  T extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>,
>(
  args: string[],
  extra: T,
) {
  try {
    return parseArgs({
      args,
      options: { ...JOB_FLAGS, ...extra },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}; see --help`);
  }
}

function jobtaskContext(values: { job?: string; jobtask?: string }, needsTask = true): Up42Context {
  if (!values.job) throw new UsageError("--job ID is required");
  if (needsTask && !values.jobtask) throw new UsageError("--jobtask ID is required");
  return createContext({ jobId: values.job, jobtaskId: values.jobtask });
}

/**
 * Adapts a command that takes a context: --job and --jobtask are taken out of
 * its arguments and turned into the context, the rest is passed on.
 */
function withJobFlags(
  run: (ctx: Up42Context, args: string[]) => Promise<number>,
): (args: string[]) => Promise<number> {
  return (args) => {
    const ids: { job?: string; jobtask?: string } = {};
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const m = /^--(job|jobtask)(?:=(.*))?$/.exec(args[i]);
      if (!m) {
        rest.push(args[i]);
        continue;
      }
      const value = m[2] ?? args[++i];
      if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
      ids[m[1] as "job" | "jobtask"] = value;
    }
    return run(jobtaskContext(ids), rest);
  };
}

function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

const COMMANDS: Record<string, Command> = {
  jobtasks: {
    summary: "list the job's jobtasks as JSON",
    usage: "jobtasks --job ID",
    async run(args) {
      const { values } = parseCommandArgs(args, {});
      printJson(await listJobtasks(jobtaskContext(values, false)));
      return 0;
    },
  },
  info: {
    summary: "the jobtask's metadata as JSON",
    usage: "info --job ID --jobtask ID",
    async run(args) {
      const { values } = parseCommandArgs(args, {});
      printJson(await jobtaskInfo(jobtaskContext(values)));
      return 0;
    },
  },
  "results-json": {
    summary: "the results FeatureCollection (or, with --table, one row per feature) as JSON",
    usage: "results-json --job ID --jobtask ID [--table]",
    async run(args) {
      const { values } = parseCommandArgs(args, { table: { type: "boolean" } });
      const ctx = jobtaskContext(values);
      printJson(
        values.table
          ? (await getResultsJson(ctx, { asTable: true })).rows
          : await getResultsJson(ctx),
      );
      return 0;
    },
  },
  download: {
    summary: "download, verify and unpack the results (paths on stdout)",
    usage: "download --job ID --jobtask ID [--out DIR] [--no-overwrite]",
    run: withJobFlags(runDownloadCommand),
  },
  quicklooks: {
    summary: "download the quicklooks (paths on stdout)",
    usage: "quicklooks --job ID --jobtask ID [--out DIR]",
    run: withJobFlags(runQuicklooksCommand),
  },
  render: {
    summary: "one raster to a PNG, no margin, nodata transparent",
    usage:
      "render FILE --out PNG [--width N] [--height N] [--bands 1,2,3] [--stretch auto|minmax|none|p2,98] [--cmap NAME]",
    run: runRenderCommand,
  },
  plot: {
    summary: "results GeoTIFFs (files or folders) in a titled grid PNG",
    usage:
      "plot PATH... --out PNG [--bands 1,2,3] [--titles a,b,c] [--figsize 14,8] [--stretch ...] [--cmap NAME]",
    run: runPlotCommand,
  },
  "plot-quicklooks": {
    summary: "quicklooks (PNG/JPEG files or folders) in a titled grid PNG",
    usage: "plot-quicklooks PATH... --out PNG [--titles a,b] [--figsize 8,8]",
    run: runPlotQuicklooksCommand,
  },
  map: {
    summary: "a self-contained Leaflet HTML map of results (features, rasters, AOI)",
    usage:
      "map PATH... --out HTML [--aoi FILE.geojson] [--bands 1,2,3] [--name-column uid] [--no-images] [--no-features]",
    run: runMapCommand,
  },
};

function help(): string {
  const width = Math.max(
    ...Object.values(COMMANDS).map((c) => c.usage.length).filter((n) => n <= 60),
  );
  const lines = Object.values(COMMANDS).map((c) =>
    c.usage.length > 60
      ? `  ${c.usage}\n  ${"".padEnd(width)}  ${c.summary}`
      : `  ${c.usage.padEnd(width)}  ${c.summary}`
  );
  return `${MODULE_NAME} ${MODULE_VERSION}: UP42 job task results from the command line

usage: deno task up42 <command> [flags]

${lines.join("\n")}

Credentials and API: env UP42_PROJECT_ID, UP42_PROJECT_API_KEY, UP42_API_URL (default https://api.up42.com).`;
}

/**
 * Runs the CLI with `args` and returns the exit status: 0 on success, 1 when
 * the work failed, 2 for a bad command line. Never prints a secret.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 * Deno.exit(await main(["info", "--job", "j", "--jobtask", "t"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 2;
  }
  if (name === "--version") {
    console.log(MODULE_VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(
      `error: unknown command ${JSON.stringify(name)}; commands: ${
        Object.keys(COMMANDS).join(", ")
      }`,
    );
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`usage: deno task up42 ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(`error: ${describeFailure(error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** One line for any failure, with secrets removed. */
function describeFailure(error: unknown): string {
  let message: string;
  if (error instanceof Up42Error) {
    message = error.message;
  } else if (
    error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
  ) {
    message = `${
      errorLine(error)
    }; run with the permission named above (see the README's permissions table)`;
  } else if (error instanceof DOMException && error.name === "AbortError") {
    message = "cancelled";
  } else {
    message = `unexpected failure: ${errorLine(error)}`;
  }
  return redactSecrets(redactUrls(message));
}

function redactSecrets(text: string): string {
  let out = text;
  for (const name of ["UP42_PROJECT_API_KEY"]) {
    let secret: string | undefined;
    try {
      secret = Deno.env.get(name);
    } catch {
      secret = undefined;
    }
    if (secret && secret.length >= 4) out = out.replaceAll(secret, "***");
  }
  return out.replace(/Bearer\s+\S+/g, "Bearer ***");
}
