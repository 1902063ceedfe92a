/**
 * Executes examples/jobtask.ipynb headless with the real Jupyter machinery
 * (nbconvert + the Deno kernel) and checks that every cell ran and that the
 * plots and the map displayed inline.
 */
import { assert } from "./assert.ts";

const NOTEBOOK = new URL("../examples/jobtask.ipynb", import.meta.url).pathname;

// Registering the Deno kernel is idempotent and quick, so it is done every run.
async function ensureDenoKernel(): Promise<void> {
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["jupyter", "--install", "--force"],
  })
    .output();
  assert(
    install.code === 0,
    `deno jupyter --install failed: ${new TextDecoder().decode(install.stderr)}`,
  );
}

Deno.test({
  name: "notebook: every cell runs and the plots and map display inline",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureDenoKernel();
    const outDir = await Deno.makeTempDir({ prefix: "notebook-" });
    try {
      const run = await new Deno.Command("jupyter", {
        args: [
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.timeout=300",
          "--ExecutePreprocessor.kernel_name=deno",
          "--output-dir",
          outDir,
          "--output",
          "executed.ipynb",
          NOTEBOOK,
        ],
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assert(run.code === 0, `nbconvert failed (a cell raised?):\n${stderr.slice(-3000)}`);
      const executed = JSON.parse(await Deno.readTextFile(`${outDir}/executed.ipynb`));
      const outputs = executed.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []) as {
        output_type: string;
        data?: Record<string, unknown>;
        ename?: string;
        evalue?: string;
      }[];
      const errors = outputs.filter((o) => o.output_type === "error");
      assert(
        errors.length === 0,
        `cells raised: ${errors.map((e) => `${e.ename}: ${e.evalue}`).join("; ")}`,
      );
      const mimes = outputs.flatMap((o) => Object.keys(o.data ?? {}));
      assert(mimes.includes("image/png"), `an image/png output (got ${mimes.join(", ")})`);
      assert(mimes.includes("text/html"), `a text/html output (got ${mimes.join(", ")})`);
      const committed = JSON.parse(await Deno.readTextFile(NOTEBOOK));
      assert(
        committed.cells.every((c: { outputs?: unknown[] }) => !c.outputs?.length),
        "the committed notebook is kept without outputs",
      );
    } finally {
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
