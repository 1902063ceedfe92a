/**
 * The API commands: `jobtasks`, `info` and `results-json`, each printing JSON.
 *
 * @module
 */
import { jobtaskInfo, listJobtasks } from "../../jobtask/info.ts";
import { getJobResultsJson } from "../../jobtask/job_results_json.ts";
import { getResultsJson } from "../../jobtask/results_json.ts";
import type { ParsedArgs } from "../args.ts";
import { jobContext, jobtaskContext, jobtaskIds } from "../context.ts";
import { printJson } from "../output.ts";

/**
 * Runs `jobtasks`, `info` or `results-json` (of one jobtask, several, or
 * the whole job).
 *
 * @example
 * ```ts
 * import { run } from "./jobtask.ts";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const env = { UP42_API_URL: emulator.url, UP42_PROJECT_ID: emulator.projectId, UP42_PROJECT_API_KEY: emulator.projectApiKey };
 * if (await run("jobtasks", { values: { job: emulator.jobId }, positionals: [] }, env) !== 0) throw new Error();
 * ```
 */
export async function run(
  name: string,
  { values }: ParsedArgs,
  env?: Record<string, string>,
): Promise<number> {
  if (name === "jobtasks") {
    printJson(await listJobtasks(jobContext(values, env)));
    return 0;
  }
  const ids = jobtaskIds(values);
  if (name === "results-json" && ids.length !== 1) {
    const ctx = jobContext(values, env);
    const jobtasks = ids.length ? ids : undefined;
    if (values.table) printJson((await getJobResultsJson(ctx, { jobtasks, asTable: true })).rows);
    else printJson(await getJobResultsJson(ctx, { jobtasks }));
    return 0;
  }
  const ctx = jobtaskContext(values, env);
  if (name === "info") printJson(await jobtaskInfo(ctx));
  else if (values.table) printJson((await getResultsJson(ctx, { asTable: true })).rows);
  else printJson(await getResultsJson(ctx));
  return 0;
}
