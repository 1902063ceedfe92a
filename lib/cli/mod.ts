/**
 * The `up42` command line, a thin layer over the module's functions:
 * results go to stdout, a failure is one line `error: ...` on stderr (exit
 * status 1; 2 for a bad command line), and no secret is ever printed. Only
 * the command that runs is loaded.
 *
 * Install it with `deno install -g -n up42 --v8-flags=--max-semi-space-size=1
 * --allow-net --allow-read --allow-write
 * --allow-env=UP42_PROJECT_ID,UP42_PROJECT_API_KEY,UP42_API_URL jsr:@up42/jobtask/cli`
 * (from a checkout: the same flags, `-c CHECKOUT/deno.json CHECKOUT/lib/cli/mod.ts`),
 * or run it in a checkout with `deno task up42 <command>`.
 *
 * @example
 * ```ts
 * import { main } from "@up42/jobtask/cli";
 * if (await main(["--version"]) !== 0) throw new Error();
 * ```
 *
 * @module
 */
import { ConfigError, errorLine, PermissionError, Up42Error } from "../errors.ts";
import { redact } from "../client/redact.ts";
import { MODULE_VERSION } from "../version.ts";
import { closest, parseFlags, usage, UsageError } from "./args.ts";
import { COMMANDS } from "./commands.ts";
import { commandHelp, mainHelp } from "./help.ts";

/**
 * Runs the CLI with `args` and returns the exit status: 0 on success, 1 when
 * the work failed, 2 for a bad command line.
 *
 * @example
 * ```ts
 * import { main } from "@up42/jobtask/cli";
 * if (await main(["nosuchcommand"]) !== 2) throw new Error();
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  if (name === "--version") {
    console.log(MODULE_VERSION);
    return 0;
  }
  try {
    const command = COMMANDS[name];
    if (!command) {
      throw usage(
        `unknown command ${JSON.stringify(name.slice(0, 40))}`,
        closest(name, Object.keys(COMMANDS)),
      );
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      console.log(commandHelp(name, command));
      return 0;
    }
    const parsed = parseFlags(name, rest, command.flags);
    if (!command.positionals && parsed.positionals.length) {
      throw usage(
        `${name} takes no arguments, got ${JSON.stringify(parsed.positionals[0])}`,
        undefined,
        name,
      );
    }
    // Commands that read result folders take --job instead of paths.
    const takesJob = Boolean(command.positionals) && "job" in command.flags;
    const jobFolder = takesJob && parsed.values.job !== undefined;
    if (jobFolder && parsed.positionals.length) {
      throw usage(
        `${name} takes either ${command.positionals} or --job, not both`,
        undefined,
        name,
      );
    }
    if (command.positionals && parsed.positionals.length === 0 && !jobFolder) {
      const or = takesJob ? " (or --job ID)" : "";
      throw usage(`${name} needs ${command.positionals}${or}`, undefined, name);
    }
    if (command.positionals === "FILE" && parsed.positionals.length !== 1) {
      throw usage(
        `${name} takes exactly one FILE, got ${parsed.positionals.length}`,
        undefined,
        name,
      );
    }
    const module = await command.load();
    return await module.run(name, parsed);
  } catch (error) {
    console.error(`error: ${describeFailure(error)}`);
    return isBadCommandLine(error, COMMANDS[name]?.flags ?? {}) ? 2 : 1;
  }
}

/** A usage error, or an invalid value of one of the command's flags (e.g. `--cmap nosuch`). */
function isBadCommandLine(error: unknown, flags: Record<string, unknown>): boolean {
  if (error instanceof UsageError) return true;
  return error instanceof ConfigError && !(error instanceof PermissionError) &&
    Object.hasOwn(flags, error.setting);
}

/** One line for any failure, with secrets removed. */
function describeFailure(error: unknown): string {
  let message: string;
  if (error instanceof Up42Error) {
    message = error.message;
  } else if (
    error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
  ) {
    message = new PermissionError({
      flag: /--allow-\S+/.exec(errorLine(error))?.[0] ?? "the permission named by Deno",
      why: errorLine(error).replace(/,? run again with.*$/i, ""),
    }).message;
  } else if (error instanceof DOMException && error.name === "AbortError") {
    message = "cancelled";
  } else {
    message = `unexpected failure: ${errorLine(error)}`;
  }
  return redact(message, [envSecret()]);
}

function envSecret(): string | undefined {
  const variable = "UP42_PROJECT_API_KEY";
  if (Deno.permissions.querySync({ name: "env", variable }).state !== "granted") return undefined;
  return Deno.env.get(variable);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
