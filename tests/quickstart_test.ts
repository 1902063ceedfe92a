/**
 * Runs examples/quickstart.ts as a user would (no credentials, so it starts
 * the emulator) with write access to its output folder only.
 */
import { decode as decodePng } from "fast-png";
import { assert, assertEquals } from "./assert.ts";

const SCRIPT = new URL("../examples/quickstart.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

Deno.test("quickstart: downloads, plots and maps one jobtask, printing the paths", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "quickstart-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--config",
        CONFIG,
        "--allow-net=127.0.0.1",
        "--allow-env=UP42_PROJECT_ID",
        "--allow-read=up42-quickstart",
        "--allow-write=up42-quickstart",
        SCRIPT,
      ],
      cwd,
      env: { NO_COLOR: "1", HOME: Deno.env.get("HOME") ?? "/tmp" },
      clearEnv: true,
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, stderr);
    const paths = new TextDecoder().decode(output.stdout).trim().split("\n");
    for (const path of paths) {
      const full = path.startsWith("/") ? path : `${cwd}/${path}`;
      assert(Deno.statSync(full).isFile, `${path} was written`);
    }
    assert(paths.some((p) => p.endsWith(".tif")), "a result GeoTIFF");
    assert(paths.filter((p) => /quicklook_/.test(p)).length === 2, "two quicklooks");
    assert(paths.some((p) => p.endsWith("map.html")), "a map");
    const plot = paths.find((p) => p.endsWith("results.png"))!;
    const png = decodePng(await Deno.readFile(plot.startsWith("/") ? plot : `${cwd}/${plot}`));
    assertEquals([png.width, png.height], [1400, 800]);
    const entries = [...Deno.readDirSync(cwd)].map((e) => e.name);
    assertEquals(entries, ["up42-quickstart"], "nothing written outside the output folder");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
