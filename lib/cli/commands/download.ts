/**
 * The `download` and `quicklooks` commands: each written file's absolute
 * path on stdout, one per line, or with `--json` one document listing each
 * file's path, size and CRC-32 (taken from the download's manifest, or
 * computed from the quicklook's bytes: nothing is read again); a progress
 * bar on stderr when it is a terminal. `download` of one jobtask unpacks into `--out`; of several, or
 * of the whole job, into `--out` (the job's folder) with `jobtask_{id}/`
 * each. What is up to date is not downloaded again (a line on stderr says
 * so). Ctrl-C or `SIGTERM` cancels cleanly: nothing partial is left
 * (except a kept archive's partial download, which the next run resumes),
 * and the exit status is 130 or 143; a second signal ends at once.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { downloadJobResults, type JobDownload } from "../../download/job.ts";
import { downloadJobtask } from "../../download/jobtask.ts";
import type { DownloadResultsOptions } from "../../download/options.ts";
import { downloadQuicklooks, type WrittenFile } from "../../download/quicklooks.ts";
import { parseShard } from "../../download/shard.ts";
import { cancelOnSignals } from "../../download/signals.ts";
import { JobError } from "../../errors.ts";
import { readManifest } from "../../files/manifest.ts";
import { type FlagValues, integerFlag, type ParsedArgs } from "../args.ts";
import { jobContext, jobtaskContext, jobtaskIds } from "../context.ts";
import { printJson } from "../output.ts";
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
  using cancel = cancelOnSignals();
  try {
    if (name === "quicklooks") {
      const ctx = jobtaskContext(values, env);
      const out = values.out as string | undefined;
      const written: WrittenFile[] = [];
      const onFile = values.json ? (file: WrittenFile) => written.push(file) : undefined;
      const paths = await downloadQuicklooks(ctx, {
        outputDirectory: out,
        signal: cancel.signal,
        onFile,
      });
      if (values.json) printJson({ files: written });
      else printPaths(paths);
      return 0;
    }
    return await download(name, values, cancel.signal, env);
  } catch (error) {
    if (!cancel.signal.aborted) throw error;
    const reason = String((cancel.signal.reason as Error)?.message ?? "cancelled");
    console.error(
      `error: ${reason}; nothing partial was left (a kept archive's partial download is resumed by the next run)`,
    );
    return /SIGTERM/.test(reason) ? 143 : 130;
  }
}

async function download(
  name: string,
  values: FlagValues,
  signal: AbortSignal,
  env?: Record<string, string>,
): Promise<number> {
  const ids = jobtaskIds(values);
  const bar = Deno.stderr.isTerminal() ? createProgressBar() : undefined;
  const options: DownloadResultsOptions = {
    outputDirectory: values.out as string | undefined,
    overwrite: !values["no-overwrite"],
    allowRootOrHomeOutput: Boolean(values["allow-root-or-home-output"]),
    force: Boolean(values.force),
    unpack: !values["keep-archive"],
    verify: values["verify-files"] ? "full" : "quick",
    onProgress: bar?.update,
    signal,
  };
  const shard = typeof values.shard === "string" ? parseShard(values.shard) : undefined;
  const concurrency = integerFlag(name, "concurrency", values.concurrency);
  try {
    if (ids.length === 1 && !shard) {
      const outcome = await downloadJobtask(jobtaskContext(values, env), options);
      bar?.done();
      await report([outcome], values);
      return 0;
    }
    const job = await downloadJobResults(jobContext(values, env), {
      ...options,
      jobtasks: ids.length ? ids : undefined,
      concurrency,
      shard,
    }).catch(async (error) => {
      if (error instanceof JobError) await report((error.result as JobDownload).jobtasks, values);
      throw error;
    });
    bar?.done();
    await report(job.jobtasks, values);
    return 0;
  } catch (error) {
    bar?.done({ clear: true });
    throw error;
  }
}

/** Prints absolute paths, one per line. */
function printPaths(paths: string[]): void {
  const text = paths.map((p) => `${resolve(p)}\n`).join("");
  if (text) Deno.stdout.writeSync(new TextEncoder().encode(text));
}

interface Outcome {
  state: string;
  files: string[];
  directory: string;
}

/** Paths (or with `--json`, each file's path, size and CRC-32) on stdout; on stderr, which folders were up to date. */
async function report(outcomes: Outcome[], values: FlagValues): Promise<void> {
  for (const outcome of outcomes) {
    if (outcome.state === "up-to-date") {
      console.error(
        `up to date: ${outcome.directory} (nothing downloaded; --force downloads again)`,
      );
    }
  }
  if (!values.json) return printPaths(outcomes.flatMap((o) => o.files));
  const files: WrittenFile[] = [];
  for (const outcome of outcomes) {
    // The manifest, moved in last, records every file with the size and CRC-32 computed as it was written.
    const recorded = new Map(
      ((await readManifest(outcome.directory))?.files ?? []).map((
        f,
      ) => [join(outcome.directory, f.path), f]),
    );
    for (const path of outcome.files) {
      const file = recorded.get(path);
      if (file) files.push({ path, size: file.size, crc32: file.crc32 });
    }
  }
  printJson({ files });
}
