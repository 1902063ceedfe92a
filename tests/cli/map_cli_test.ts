/**
 * `up42 map` of a whole job's folder, as a fresh process with only the
 * permissions it needs: read the job folder, write the page's folder.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { assertOneLineError, runCli } from "../support/cli.ts";
import { jobFolder } from "../support/rasters.ts";

Deno.test("cli map: a job folder with its quicklooks, read and write permissions only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const job = await jobFolder(dir, "pansharpen:1");
    const out = join(dir, "maps", "job.html");
    await Deno.mkdir(join(dir, "maps"));
    const maps = join(dir, "maps");
    const permissions = [`--allow-read=${job.folder},${maps}`, `--allow-write=${maps}`];
    const ok = await runCli(["map", job.folder, "--out", out, "--quicklooks"], {}, permissions);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), out);
    const html = await Deno.readTextFile(out);
    assert.ok(html.includes('"name":"Quicklook - S2_0_1"') && html.includes('"name":"bbbb-2222"'));

    const denied = await runCli(
      ["map", job.folder, "--out", join(dir, "elsewhere.html")],
      {},
      permissions,
    );
    assertOneLineError(denied, 1);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["maps", "project_p"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
