/**
 * Help text, generated from the command table.
 *
 * @module
 */
import { ENV_VARIABLES } from "../client/context.ts";
import { MODULE_NAME, MODULE_VERSION } from "../version.ts";
import { type Command, COMMANDS, usageLine } from "./commands.ts";

/**
 * The overall help: every command with its summary.
 *
 * @example
 * ```ts
 * import { mainHelp } from "./help.ts";
 * if (!mainHelp().includes("results-json")) throw new Error();
 * ```
 */
export function mainHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`);
  return `${MODULE_NAME} ${MODULE_VERSION}: UP42 job task results from the command line

usage: up42 <command> [flags]

commands:
${lines.join("\n")}

Run \`up42 <command> --help\` for a command's flags.
Credentials and API: env ${ENV_VARIABLES.join(", ")} (default API https://api.up42.com).`;
}

/**
 * One command's help: usage line, summary and every flag.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./help.ts";
 * import { COMMANDS } from "./commands.ts";
 * if (!commandHelp("map", COMMANDS.map).includes("--no-images")) throw new Error();
 * ```
 */
export function commandHelp(name: string, command: Command): string {
  const flags = Object.entries(command.flags).map(([flag, spec]) => [
    `--${flag}${spec.value ? ` ${spec.value}` : ""}`,
    `${spec.description}${spec.required ? " (required)" : ""}${
      spec.multiple ? " (may repeat)" : ""
    }`,
  ]);
  const width = Math.min(28, Math.max(...flags.map(([f]) => f.length)));
  const lines = flags.map(([f, d]) =>
    f.length > width ? `  ${f}\n  ${"".padEnd(width)}  ${d}` : `  ${f.padEnd(width)}  ${d}`
  );
  return `usage: up42 ${usageLine(name, command)}

${command.summary}

flags:
${lines.join("\n")}
  --help${"".padEnd(Math.max(0, width - 6))}  this help`;
}
