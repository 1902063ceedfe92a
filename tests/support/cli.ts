/**
 * The CLI run as a user runs it: a fresh Deno process with exactly the
 * given permissions and environment.
 *
 * @module
 */
import assert from "node:assert/strict";

const CLI = new URL("../../lib/cli/mod.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** What a CLI run printed and its exit status. */
export interface CliResult {
  /** Exit status. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** A finished process's exit status and output as text. */
export function textOutput(output: Deno.CommandOutput): CliResult {
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs the CLI with `args`, `env` (nothing else from this process) and `permissions`. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  permissions = ["--allow-net", "--allow-env", "--allow-read", "--allow-write"],
  cwd?: string,
): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", "--config", CONFIG, ...permissions, CLI, ...args],
    env: { NO_COLOR: "1", ...env },
    clearEnv: true,
    stdin: "null",
    cwd,
  }).output();
  return textOutput(output);
}

/** Asserts a failure reported as one line `error: ...` on stderr, with no stack trace. */
export function assertOneLineError(result: CliResult, code: number): string {
  assert.equal(result.code, code, `exit status ${result.code}: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr: ${result.stderr}`);
  assert.ok(lines[0].startsWith("error: "), lines[0]);
  assert.ok(!result.stderr.includes("    at "), "no stack trace");
  return lines[0];
}
