/**
 * Executes examples/jobtask.ipynb headless with the real Jupyter machinery
 * (nbconvert + the Deno kernel) through the project's own execute
 * preprocessor (examples/tools/late_outputs.py), as the README tells
 * headless users to, and checks that every cell ran and showed the output it
 * should: the plots and the map inline, and no result lost.
 *
 * `NOTEBOOK_RUNS=10 deno test -A tests/examples/notebook_test.ts` repeats the
 * execution to show that no output goes missing at random.
 */
import assert from "node:assert/strict";
import { skipWithout } from "../support/tools.ts";

const NOTEBOOK = new URL("../../examples/jobtask.ipynb", import.meta.url).pathname;
const TOOLS = new URL("../../examples/tools", import.meta.url).pathname;

/** What each code cell shows, in order: the richest mime type of its one output, or none. */
const EXPECTED: (string | null)[] = [
  "text/plain", // the emulator's url
  "text/plain", // the job's jobtasks
  "text/plain", // the jobtask's metadata
  "text/html", // the results table
  "text/plain", // the downloaded paths
  "image/png", // the results plot
  "image/png", // the quicklooks plot
  "text/html", // the map
  null, // closing the emulator
];

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

/**
 * A kernel spec for this Deno in a temporary folder for `JUPYTER_PATH`: the
 * user's own Jupyter set-up (their registered `deno` kernel) is never touched.
 */
async function kernelPath(dir: string): Promise<string> {
  const spec = `${dir}/kernels/up42-test-deno`;
  await Deno.mkdir(spec, { recursive: true });
  await Deno.writeTextFile(
    `${spec}/kernel.json`,
    JSON.stringify({
      argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
      display_name: "Deno (test)",
      language: "typescript",
    }),
  );
  return dir;
}

/** Executes the notebook once and returns each code cell's outputs. */
async function execute(outDir: string, jupyterPath: string): Promise<Output[][]> {
  const run = await new Deno.Command("jupyter", {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--Exporter.preprocessors=late_outputs.LateOutputsPreprocessor",
      "--ExecutePreprocessor.timeout=300",
      "--ExecutePreprocessor.kernel_name=up42-test-deno",
      "--output-dir",
      outDir,
      "--output",
      "executed.ipynb",
      NOTEBOOK,
    ],
    env: { NO_COLOR: "1", JUPYTER_PATH: jupyterPath, PYTHONPATH: TOOLS },
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert.ok(run.code === 0, `nbconvert failed (a cell raised?):\n${stderr.slice(-3000)}`);
  const executed = JSON.parse(await Deno.readTextFile(`${outDir}/executed.ipynb`));
  return executed.cells
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { outputs?: Output[] }) => c.outputs ?? []);
}

const MIME_ORDER = ["image/png", "text/html", "text/plain"];

Deno.test({
  name: "notebook: every cell runs and shows its output; the plots and map display inline",
  ignore: skipWithout("jupyter"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const committed = JSON.parse(await Deno.readTextFile(NOTEBOOK));
    assert.ok(
      committed.cells.every((c: { outputs?: unknown[] }) => !c.outputs?.length),
      "the committed notebook is kept without outputs",
    );
    const outDir = await Deno.makeTempDir({ prefix: "notebook-" });
    const jupyterPath = await kernelPath(`${outDir}/jupyter`);
    const runs = Number(Deno.env.get("NOTEBOOK_RUNS") ?? 1);
    try {
      for (let run = 1; run <= runs; run++) {
        const cells = await execute(outDir, jupyterPath);
        const errors = cells.flat().filter((o) => o.output_type === "error");
        assert.ok(
          errors.length === 0,
          `cells raised: ${errors.map((e) => `${e.ename}: ${e.evalue}`).join("; ")}`,
        );
        const shown = cells.map((outputs) =>
          outputs.length === 0
            ? null
            : MIME_ORDER.find((m) => outputs.some((o) => o.data && m in o.data)) ??
              outputs[0].output_type
        );
        assert.deepEqual(shown, EXPECTED, `run ${run} of ${runs}: each code cell's output`);
        if (runs > 1) console.log(`run ${run} of ${runs}: every output appeared`);
      }
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
