/**
 * Runs examples/quickstart.ts as a user would (no credentials, so it starts
 * the emulator) with write access to its output folder only.
 */
import { decode as decodePng } from "fast-png";
import assert from "node:assert/strict";
import { denoRun } from "../support/project.ts";

const SCRIPT = new URL("../../examples/quickstart.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("quickstart: downloads, plots and maps one jobtask, printing the paths", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "quickstart-" });
  try {
    const output = await denoRun(cwd, [
      "--config",
      CONFIG,
      "--allow-net=127.0.0.1",
      "--allow-env=UP42_PROJECT_ID",
      "--allow-read=up42-quickstart",
      "--allow-write=up42-quickstart",
    ], SCRIPT);
    assert.deepEqual(output.code, 0, output.stderr);
    const paths = output.stdout.trim().split("\n");
    for (const path of paths) {
      const full = path.startsWith("/") ? path : `${cwd}/${path}`;
      assert.ok(Deno.statSync(full).isFile, `${path} was written`);
    }
    assert.ok(paths.some((p) => p.endsWith(".tif")), "a result GeoTIFF");
    assert.ok(paths.filter((p) => /quicklook_/.test(p)).length === 2, "two quicklooks");
    assert.ok(paths.some((p) => p.endsWith("map.html")), "a map");
    const plot = paths.find((p) => p.endsWith("results.png"))!;
    const png = decodePng(await Deno.readFile(plot.startsWith("/") ? plot : `${cwd}/${plot}`));
    assert.deepEqual([png.width, png.height], [1400, 800]);
    const entries = [...Deno.readDirSync(cwd)].map((e) => e.name);
    assert.deepEqual(entries, ["up42-quickstart"], "nothing written outside the output folder");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
