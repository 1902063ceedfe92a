/**
 * Copy this script to start: it downloads the results and quicklooks of one
 * jobtask, plots them and writes a map, then prints every path it wrote.
 *
 * With your project:
 * ```sh
 * export UP42_PROJECT_ID=... UP42_PROJECT_API_KEY=...
 * deno run --allow-net --allow-env --allow-read=up42-quickstart --allow-write=up42-quickstart \
 *   examples/quickstart.ts --job JOB_ID --jobtask JOBTASK_ID
 * ```
 * Without `UP42_PROJECT_ID` it starts the local UP42 emulator and uses its
 * data block jobtask.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  createContext,
  downloadQuicklooks,
  downloadResults,
  type JobtaskContext,
} from "@up42/jobtask";
import { startEmulator } from "@up42/jobtask/emulator";
import { mapResults } from "@up42/jobtask/map";
import { plotQuicklooks, plotResults } from "@up42/jobtask/plot";

const args = parseArgs({
  args: Deno.args,
  options: { job: { type: "string" }, jobtask: { type: "string" }, out: { type: "string" } },
});
const out = args.values.out ?? "up42-quickstart";

let ctx: JobtaskContext;
let close = async () => {};
if (Deno.env.get("UP42_PROJECT_ID")) {
  ctx = createContext({ jobId: args.values.job ?? "", jobtaskId: args.values.jobtask ?? "" });
} else {
  const emulator = await startEmulator();
  console.error(`UP42_PROJECT_ID is not set: using the local UP42 emulator on ${emulator.url}`);
  ctx = createContext({
    ...emulator.credentials,
    jobId: emulator.jobId,
    jobtaskId: emulator.jobtasks.dataBlock,
  });
  close = () => emulator.close();
}

try {
  const results = await downloadResults(ctx, { outputDirectory: `${out}/results` });
  const quicklooks = await downloadQuicklooks(ctx, { outputDirectory: `${out}/quicklooks` });
  const plot = await plotResults({ filepaths: results, output: `${out}/results.png` });
  const looks = quicklooks.length
    ? [(await plotQuicklooks({ filepaths: quicklooks, output: `${out}/quicklooks.png` })).path!]
    : [];
  const map = await mapResults({ filepaths: results, saveHtml: `${out}/map.html` });
  for (const path of [...results, ...quicklooks, plot.path!, ...looks, map.path!]) {
    console.log(path);
  }
} finally {
  await close();
}
