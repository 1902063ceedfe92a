/**
 * The whole job against the embedded UP42 emulator: no credentials needed.
 * Writes into `./demo-output/` and prints what it wrote.
 *
 * Run with `deno task demo`.
 *
 * @module
 */
import {
  createContext,
  getResultsJson,
  jobtaskInfo,
  listJobtasks,
  startEmulator,
  withJobtask,
} from "./mod.ts";

const OUT = "./demo-output";

async function writeJson(path: string, value: unknown): Promise<string> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
  return path;
}

const emulator = await startEmulator();
try {
  console.log(`UP42 emulator on ${emulator.url} (project ${emulator.projectId})`);
  const project = createContext({
    apiUrl: emulator.url,
    projectId: emulator.projectId,
    projectApiKey: emulator.projectApiKey,
  });
  const job = withJobtask(project, { jobId: emulator.jobId });
  const tasks = await listJobtasks(job);
  console.log(`job ${emulator.jobId}: ${tasks.length} jobtasks`);
  await Deno.mkdir(OUT, { recursive: true });
  for (const task of tasks) {
    const ctx = withJobtask(project, { jobId: emulator.jobId, jobtaskId: task.id });
    const dir = `${OUT}/${task.name?.replace(/[^A-Za-z0-9._-]+/g, "_") ?? task.id}`;
    await Deno.mkdir(dir, { recursive: true });
    const written: string[] = [];
    written.push(await writeJson(`${dir}/info.json`, await jobtaskInfo(ctx)));
    const fc = await getResultsJson(ctx);
    written.push(await writeJson(`${dir}/data.json`, fc));
    const table = await getResultsJson(ctx, { asTable: true });
    written.push(await writeJson(`${dir}/table.json`, table.rows));
    console.log(`\n${task.name} (${task.id}): ${fc.features.length} features`);
    for (const path of written) console.log(`  ${path}`);
  }
} finally {
  await emulator.close();
}
