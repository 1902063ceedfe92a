/**
 * Executes examples/jobtask.ipynb headless with the real Jupyter machinery
 * (nbconvert + the Deno kernel) and checks that every cell ran and that the
 * plots and the map displayed inline.
 */
import assert from "node:assert/strict";
import { skipWithout } from "../support/tools.ts";

const NOTEBOOK = new URL("../../examples/jobtask.ipynb", import.meta.url).pathname;

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

Deno.test({
  name: "notebook: every cell runs and the plots and map display inline",
  ignore: skipWithout("jupyter"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const outDir = await Deno.makeTempDir({ prefix: "notebook-" });
    const jupyterPath = await kernelPath(`${outDir}/jupyter`);
    try {
      const run = await new Deno.Command("jupyter", {
        args: [
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.timeout=300",
          "--ExecutePreprocessor.kernel_name=up42-test-deno",
          "--output-dir",
          outDir,
          "--output",
          "executed.ipynb",
          NOTEBOOK,
        ],
        env: { NO_COLOR: "1", JUPYTER_PATH: jupyterPath },
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assert.ok(run.code === 0, `nbconvert failed (a cell raised?):\n${stderr.slice(-3000)}`);
      const executed = JSON.parse(await Deno.readTextFile(`${outDir}/executed.ipynb`));
      const outputs = executed.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []) as {
        output_type: string;
        data?: Record<string, unknown>;
        ename?: string;
        evalue?: string;
      }[];
      const errors = outputs.filter((o) => o.output_type === "error");
      assert.ok(
        errors.length === 0,
        `cells raised: ${errors.map((e) => `${e.ename}: ${e.evalue}`).join("; ")}`,
      );
      const mimes = outputs.flatMap((o) => Object.keys(o.data ?? {}));
      assert.ok(mimes.includes("image/png"), `an image/png output (got ${mimes.join(", ")})`);
      assert.ok(mimes.includes("text/html"), `a text/html output (got ${mimes.join(", ")})`);
      const committed = JSON.parse(await Deno.readTextFile(NOTEBOOK));
      assert.ok(
        committed.cells.every((c: { outputs?: unknown[] }) => !c.outputs?.length),
        "the committed notebook is kept without outputs",
      );
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
