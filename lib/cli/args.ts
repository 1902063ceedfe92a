/**
 * The one command-line parser: flags declared as plain data, parsed
 * strictly; anything wrong is a {@linkcode UsageError} (exit status 2) that
 * names the closest valid command or flag.
 *
 * It is written here rather than taken from `node:util`'s `parseArgs`: the
 * first `node:` import of a fresh process starts Deno's Node compatibility
 * layer (39 more built-in modules compiled), which measured about a fifth
 * of a bare `deno run`'s CPU time, on every command, `--help` included
 * (`deno task bench startup`). What it does is small: `--flag value`,
 * `--flag=value`, booleans, repeatable flags, `--` ending the flags.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** Thrown for a bad command line: exit status 2 instead of 1. */
export class UsageError extends ConfigError {}

/** One flag of a command. */
export interface FlagSpec {
  /** `string` takes a value, `boolean` does not. */
  type: "string" | "boolean";
  /** What the value looks like in help, e.g. `N` or `DIR`. */
  value?: string;
  /** One line for the help. */
  description: string;
  /** The flag may repeat (its values are collected in order). */
  multiple?: boolean;
  /** The flag must be given. */
  required?: boolean;
}

/** A command's flags by name (without the leading `--`). */
export type FlagSpecs = Record<string, FlagSpec>;

/** Parsed flags: strings, booleans, or string lists for repeatable flags. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** A parsed command line. */
export interface ParsedArgs {
  /** Flag values by name. */
  values: FlagValues;
  /** Arguments that are not flags. */
  positionals: string[];
}

/**
 * Parses `args` against `flags` (`--help`/`-h` are handled by the caller).
 * Unknown flags, missing values and missing required flags are
 * `UsageError`s that name the closest flag.
 *
 * @example
 * ```ts
 * import { parseFlags, UsageError } from "./args.ts";
 * const flags = { out: { type: "string", value: "DIR", description: "folder" } } as const;
 * if (parseFlags("download", ["--out", "x"], flags).values.out !== "x") throw new Error();
 * try {
 *   parseFlags("download", ["--ot", "x"], flags);
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof UsageError) || !e.message.includes("--out")) throw e;
 * }
 * ```
 */
export function parseFlags(command: string, args: string[], flags: FlagSpecs): ParsedArgs {
  const values: FlagValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (/^-[^-]/.test(arg)) throw usage(`${command}: unknown flag ${arg}`, undefined, command);
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    if (!Object.hasOwn(flags, name)) {
      throw usage(
        `${command}: unknown flag --${name}`,
        closest(name, Object.keys(flags), "--"),
        command,
      );
    }
    const spec = flags[name];
    let value: string | true = true;
    if (spec.type === "boolean") {
      if (equals >= 0) throw usage(`${command}: --${name} takes no value`, undefined, command);
    } else if (equals >= 0) {
      value = arg.slice(equals + 1);
    } else if (i + 1 < args.length && !/^-./.test(args[i + 1])) {
      value = args[++i];
    } else {
      // A value that starts with a dash must be attached: `--out=-x`.
      throw usage(
        `${command}: --${name} needs a value${spec.value ? ` (${spec.value})` : ""}`,
        undefined,
        command,
      );
    }
    if (spec.multiple) {
      values[name] = [...(values[name] as string[] | undefined ?? []), value as string];
    } else values[name] = value;
  }
  for (const [name, f] of Object.entries(flags)) {
    if (f.required && values[name] === undefined) {
      throw usage(
        `${command} needs --${name} ${f.value ?? ""}`.trim() + ` (${f.description})`,
        undefined,
        command,
      );
    }
  }
  return { values, positionals };
}

/**
 * A `UsageError` for `command`, with a suggestion when there is one.
 *
 * @example
 * ```ts
 * import { usage } from "./args.ts";
 * if (!usage("bad", "--out").message.includes("did you mean --out?")) throw new Error();
 * ```
 */
export function usage(problem: string, suggestion?: string, command?: string): UsageError {
  const help = command ? `up42 ${command} --help` : "up42 --help";
  return new UsageError({
    setting: command ?? "command",
    problem,
    fix: suggestion ? `did you mean ${suggestion}? (see ${help})` : `see ${help}`,
  });
}

/**
 * The candidate closest to `word` (edit distance at most a third of its
 * length, or a prefix), with `prefix` prepended; undefined when none is close.
 *
 * @example
 * ```ts
 * import { closest } from "./args.ts";
 * if (closest("donwload", ["download", "info"]) !== "download") throw new Error();
 * if (closest("zzz", ["download"]) !== undefined) throw new Error();
 * ```
 */
export function closest(word: string, candidates: string[], prefix = ""): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) || word.startsWith(c) ? 0.5 : distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3))
    ? prefix + best
    : undefined;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}

/**
 * A flag's value as a whole number of at least 1, or undefined when absent.
 *
 * @example
 * ```ts
 * import { integerFlag } from "./args.ts";
 * if (integerFlag("render", "width", "800") !== 800) throw new Error();
 * ```
 */
export function integerFlag(command: string, flag: string, text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (typeof text !== "string" || !/^\d+$/.test(text.trim()) || !(v >= 1)) {
    throw usage(
      `${command}: --${flag} "${text}" is not a positive whole number`,
      undefined,
      command,
    );
  }
  return v;
}

/**
 * A flag's value as comma-separated numbers (`count` of them when given),
 * or undefined when absent.
 *
 * @example
 * ```ts
 * import { numbersFlag } from "./args.ts";
 * if (numbersFlag("plot", "figsize", "14,8", 2)?.join() !== "14,8") throw new Error();
 * ```
 */
export function numbersFlag(
  command: string,
  flag: string,
  text: unknown,
  count?: number,
  separators: RegExp = /,/,
): number[] | undefined {
  if (text === undefined) return undefined;
  const values = String(text).split(separators).map((s) => Number(s.trim()));
  if (
    typeof text !== "string" || values.some((v) => !Number.isFinite(v)) ||
    (count !== undefined && values.length !== count)
  ) {
    throw usage(
      `${command}: --${flag} "${text}" is not ${
        count ? `${count} ` : "a list of "
      }comma-separated numbers`,
      undefined,
      command,
    );
  }
  return values;
}

/**
 * A flag's value as comma-separated band numbers, or undefined when absent.
 *
 * @example
 * ```ts
 * import { bandsFlag } from "./args.ts";
 * if (bandsFlag("render", "4,3,2")?.join() !== "4,3,2") throw new Error();
 * ```
 */
export function bandsFlag(command: string, text: unknown): number[] | undefined {
  const bands = numbersFlag(command, "bands", text);
  if (bands?.some((b) => !Number.isInteger(b) || b < 1)) {
    throw usage(
      `${command}: --bands "${text}" is not band numbers such as 1,2,3`,
      undefined,
      command,
    );
  }
  return bands;
}
