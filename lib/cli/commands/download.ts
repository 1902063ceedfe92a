/**
 * The `download` and `quicklooks` commands: each written file's absolute
 * path on stdout, one per line; a progress bar on stderr when it is a
 * terminal; Ctrl-C cancels cleanly (nothing partial is left).
 *
 * @module
 */
import { resolve } from "node:path";
import { downloadQuicklooks } from "../../download/quicklooks.ts";
import { downloadResults } from "../../download/results.ts";
import type { ParsedArgs } from "../args.ts";
import { jobtaskContext } from "../context.ts";
import { createProgressBar } from "../progress.ts";

/**
 * Runs `download` or `quicklooks`.
 *
 * @example
 * ```ts
 * import { run } from "./download.ts";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const env = { UP42_API_URL: emulator.url, UP42_PROJECT_ID: emulator.projectId, UP42_PROJECT_API_KEY: emulator.projectApiKey };
 * const out = await Deno.makeTempDir();
 * const values = { job: emulator.jobId, jobtask: emulator.jobtasks.dataBlock, out };
 * if (await run("quicklooks", { values, positionals: [] }, env) !== 0) throw new Error();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function run(
  name: string,
  { values }: ParsedArgs,
  env?: Record<string, string>,
): Promise<number> {
  const ctx = jobtaskContext(values, env);
  const out = values.out as string | undefined;
  const abort = new AbortController();
  const onSignal = () => abort.abort(new DOMException("cancelled", "AbortError"));
  trySignal("addSignalListener", onSignal);
  try {
    if (name === "quicklooks") {
      printPaths(await downloadQuicklooks(ctx, { outputDirectory: out, signal: abort.signal }));
      return 0;
    }
    const bar = Deno.stderr.isTerminal() ? createProgressBar() : undefined;
    try {
      const files = await downloadResults(ctx, {
        outputDirectory: out,
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
    }
  } finally {
    trySignal("removeSignalListener", onSignal);
  }
}

// Ctrl-C cancels cleanly (the staging folder is removed) instead of killing the process mid-write.
function trySignal(method: "addSignalListener" | "removeSignalListener", fn: () => void): void {
  try {
    Deno[method]("SIGINT", fn);
  } catch {
    // Not available on this platform: Ctrl-C then ends the process as usual.
  }
}

/** Prints absolute paths, one per line. */
function printPaths(paths: string[]): void {
  const text = paths.map((p) => `${resolve(p)}\n`).join("");
  if (text) Deno.stdout.writeSync(new TextEncoder().encode(text));
}
