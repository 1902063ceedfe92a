/**
 * The `download` and `quicklooks` commands: each written file's absolute
 * path on stdout, one per line; a progress bar on stderr when it is a
 * terminal.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Up42Context } from "./context.ts";
import { downloadResults } from "./download.ts";
import { ConfigError } from "./errors.ts";
import { createProgressBar } from "./progress.ts";
import { downloadQuicklooks } from "./quicklooks.ts";

function parse(args: string[], extra: Record<string, { type: "boolean" | "string" }> = {}) {
  try {
    return parseArgs({
      args,
      options: { out: { type: "string" }, ...extra },
      allowPositionals: false,
      strict: true,
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.split("\n")[0]}; see --help`);
  }
}

function printPaths(paths: string[]): void {
  const text = paths.map((p) => `${resolve(p)}\n`).join("");
  if (text) Deno.stdout.writeSync(new TextEncoder().encode(text));
}

/**
 * `download [--out DIR] [--no-overwrite]`: downloads and unpacks the
 * jobtask's results (default folder `project_{p}/job_{j}/jobtask_{t}`) and
 * prints the files' absolute paths. Returns the exit status.
 *
 * @example
 * ```ts ignore
 * import { runDownloadCommand } from "./cli_download.ts";
 * const status = await runDownloadCommand(ctx, ["--out", "results"]);
 * ```
 */
export async function runDownloadCommand(ctx: Up42Context, args: string[]): Promise<number> {
  const values = parse(args, { "no-overwrite": { type: "boolean" } });
  const bar = Deno.stderr.isTerminal() ? createProgressBar() : undefined;
  const abort = new AbortController();
  const onSignal = () => abort.abort(new DOMException("cancelled", "AbortError"));
  trySignal("addSignalListener", onSignal);
  try {
    const files = await downloadResults(ctx, {
      outputDirectory: values.out as string | undefined,
      overwrite: !values["no-overwrite"],
      onProgress: bar?.update,
      signal: abort.signal,
    });
    bar?.done();
    printPaths(files);
    return 0;
  } catch (error) {
    bar?.done({ clear: true });
    throw error;
  } finally {
    trySignal("removeSignalListener", onSignal);
  }
}

/**
 * `quicklooks [--out DIR]`: downloads the jobtask's quicklooks (default
 * folder `project_{p}/job_{j}`) and prints their absolute paths in the API's
 * order. Returns the exit status.
 *
 * @example
 * ```ts ignore
 * import { runQuicklooksCommand } from "./cli_download.ts";
 * const status = await runQuicklooksCommand(ctx, ["--out", "quicklooks"]);
 * ```
 */
export async function runQuicklooksCommand(ctx: Up42Context, args: string[]): Promise<number> {
  const values = parse(args);
  printPaths(await downloadQuicklooks(ctx, { outputDirectory: values.out as string | undefined }));
  return 0;
}

// Ctrl-C cancels cleanly (the staging folder is removed) instead of killing the process mid-write.
function trySignal(method: "addSignalListener" | "removeSignalListener", fn: () => void): void {
  try {
    Deno[method]("SIGINT", fn);
  } catch {
    // Not available on this platform: Ctrl-C then ends the process as usual.
  }
}
