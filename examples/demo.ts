/**
 * The whole job against the embedded UP42 emulator: no credentials needed.
 * For every jobtask: metadata, results JSON and table, the results
 * downloaded and unpacked, quicklooks, PNG plots and an HTML map, all under
 * `./demo-output/`. Prints what it wrote.
 *
 * Run with `deno task demo`.
 *
 * @module
 */
import { resolve } from "node:path";
import {
  createContext,
  downloadQuicklooks,
  downloadResults,
  getResultsJson,
  jobtaskInfo,
  listJobtasks,
  withJobtask,
} from "@up42/jobtask";
import { startEmulator } from "@up42/jobtask/emulator";
import { mapResults } from "@up42/jobtask/map";
import { plotQuicklooks, plotResults } from "@up42/jobtask/plot";

const OUT = "./demo-output";

async function writeJson(path: string, value: unknown): Promise<string> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
  return path;
}

const emulator = await startEmulator();
try {
  console.log(`UP42 emulator on ${emulator.url} (project ${emulator.projectId})`);
  const job = createContext({ ...emulator.credentials, jobId: emulator.jobId });
  const tasks = await listJobtasks(job);
  console.log(`job ${emulator.jobId}: ${tasks.length} jobtasks`);
  for (const task of tasks) {
    const ctx = withJobtask(job, { jobtaskId: task.id });
    const dir = `${OUT}/${task.name?.replace(/[^A-Za-z0-9._-]+/g, "_") ?? task.id}`;
    await Deno.mkdir(dir, { recursive: true });
    const written: string[] = [];
    written.push(await writeJson(`${dir}/info.json`, await jobtaskInfo(ctx)));
    const fc = await getResultsJson(ctx);
    written.push(await writeJson(`${dir}/data.json`, fc));
    const table = await getResultsJson(ctx, { asTable: true });
    written.push(await writeJson(`${dir}/table.json`, table.rows));
    const results = await downloadResults(ctx, { outputDirectory: `${dir}/results` });
    written.push(...results);
    const plot = await plotResults({ filepaths: results, output: `${dir}/results.png` });
    written.push(plot.path!);
    const quicklooks = await downloadQuicklooks(ctx, { outputDirectory: `${dir}/quicklooks` });
    written.push(...quicklooks);
    if (quicklooks.length) {
      written.push(
        (await plotQuicklooks({ filepaths: quicklooks, output: `${dir}/quicklooks.png` })).path!,
      );
    }
    const map = await mapResults({ filepaths: results, saveHtml: `${dir}/map.html` });
    written.push(map.path!);
    console.log(`\n${task.name} (${task.id}): ${fc.features.length} features`);
    for (const path of written) console.log(`  ${resolve(path)}`);
  }
} finally {
  await emulator.close();
}
