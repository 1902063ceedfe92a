import assert from "node:assert/strict";
import { createContext, readResults } from "../../mod.ts";
import { startEmulator } from "../../lib/emulator/mod.ts";
import { tree } from "../support/archives.ts";
import { assertOneLineError, runCli } from "../support/cli.ts";
import { emulatorEnv, serveJob } from "../support/emulator.ts";
import { withTempDir } from "../support/temp.ts";

const CLI = new URL("../../lib/cli/mod.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("cli: download --job writes every jobtask, reports the failed one, and skips what is up to date", async () => {
  await using emulator = await startEmulator();
  const env = emulatorEnv(emulator);
  const { jobId, jobtasks: ids } = emulator.mixedJob;
  await withTempDir("cli-job-", async (dir) => {
    const first = await runCli(["download", "--job", jobId], env, undefined, dir);
    assert.match(assertOneLineError(first, 1), /3 of 4 jobtasks .* 1 failed .*ndvi:1/);
    const jobDir = `${dir}/project_${emulator.projectId}/job_${jobId}`;
    const paths = first.stdout.trim().split("\n");
    for (const role of ["dataBlock", "processing", "zip"] as const) {
      assert.ok(paths.includes(`${jobDir}/jobtask_${ids[role]}/data.json`), role);
    }
    assert.ok(!paths.some((p) => p.includes(ids.damaged)));
    for (const p of paths) assert.ok(Deno.statSync(p).isFile, p);

    const again = await runCli(["download", "--job", jobId], env, undefined, dir);
    assert.equal(again.code, 1);
    const lines = again.stderr.trimEnd().split("\n");
    assert.equal(lines.filter((l) => l.startsWith("up to date: ")).length, 3);
    assert.match(lines.at(-1)!, /^error: 3 of 4 jobtasks/);
    assert.deepEqual(again.stdout, first.stdout);

    const two = await runCli(
      [
        "download",
        "--job",
        jobId,
        "--jobtask",
        ids.zip,
        "--jobtask",
        ids.dataBlock,
        "--out",
        "two",
      ],
      env,
      undefined,
      dir,
    );
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(
      (await tree(`${dir}/two`)).filter((p) => /^[^/]+\/$/.test(p)),
      [`jobtask_${ids.dataBlock}/`, `jobtask_${ids.zip}/`],
    );

    const json = await runCli(["results-json", "--job", jobId, "--table"], env, undefined, dir);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout);
    assert.deepEqual(
      [...new Set(rows.map((r: Record<string, unknown>) => r["up42.jobtask_id"]))].sort(),
      Object.values(ids).sort(),
    );

    const plot = await runCli(["plot", "--job", jobId, "--out", "job.png"], env, undefined, dir);
    assert.equal(plot.code, 0, plot.stderr);
    assert.equal(plot.stdout.trim(), `${dir}/job.png`);
    const map = await runCli(["map", "--job", jobId, "--out", "job.html"], env, undefined, dir);
    assert.equal(map.code, 0, map.stderr);
    const missing = await runCli(
      ["map", "--job", "nosuchjob", "--out", "x.html"],
      env,
      undefined,
      dir,
    );
    assert.match(assertOneLineError(missing, 1), /no downloaded folder of job nosuchjob/);
    const both = await runCli(["plot", "x", "--job", jobId, "--out", "x.png"], env, undefined, dir);
    assert.match(assertOneLineError(both, 2), /either PATH\.\.\. or --job/);
  });
});

Deno.test("cli: bad --shard and --concurrency values exit 2 before any download", async () => {
  await using emulator = await startEmulator();
  const env = emulatorEnv(emulator);
  for (const flags of [["--shard", "3/3"], ["--shard", "one/3"], ["--concurrency", "0"]]) {
    const result = await runCli(["download", "--job", emulator.jobId, ...flags], env);
    assertOneLineError(result, 2);
  }
  assert.equal(emulator.requests.filter((r) => r.route === "storage").length, 0);
});

Deno.test("cli: three shards as three processes download every jobtask exactly once", async () => {
  await using emulator = await startEmulator();
  const { jobId, jobtaskIds } = await serveJob(emulator, 9);
  await withTempDir("cli-job-", async (dir) => {
    const results = await Promise.all(
      [0, 1, 2].map((i) =>
        runCli(
          ["download", "--job", jobId, "--shard", `${i}/3`],
          emulatorEnv(emulator),
          undefined,
          dir,
        )
      ),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const jobDir = `${dir}/project_${emulator.projectId}/job_${jobId}`;
    const written = results.flatMap((r) => r.stdout.trim().split("\n").filter(Boolean))
      .filter((p) => p.endsWith("/which.txt"));
    const owners = await Promise.all(written.map((p) => Deno.readTextFile(p)));
    assert.deepEqual(owners.sort(), [...jobtaskIds].sort(), "each jobtask once, by one shard");
    for (const id of jobtaskIds) {
      assert.equal(await Deno.readTextFile(`${jobDir}/jobtask_${id}/which.txt`), id);
    }
    const downloads = emulator.requests.filter((r) => r.route === "storage" && r.range === null);
    assert.equal(downloads.length, jobtaskIds.length);
    assert.equal(new Set(downloads.map((r) => r.path)).size, jobtaskIds.length);
  });
});

/** Starts `download` of the processing jobtask into `dir/r` and waits until bytes are staged. */
async function startSlowDownload(dir: string) {
  const emulator = await startEmulator();
  emulator.faults.inject({ kind: "slow", route: "storage", delayMs: 100, chunkBytes: 65_536 });
  const args = [
    "run",
    "--quiet",
    "--config",
    CONFIG,
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    CLI,
    "download",
    "--job",
    emulator.jobId,
    "--jobtask",
    emulator.jobtasks.processing,
    "--out",
    `${dir}/r`,
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: emulatorEnv(emulator),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const deadline = Date.now() + 60_000;
  for (;;) {
    assert.ok(Date.now() < deadline, "nothing was staged in time");
    const staged = (await tree(dir).catch(() => [])).filter((p) =>
      p.includes(".up42-staging-") && !p.endsWith("/") && !p.endsWith(".up42-staging-lock")
    );
    const sizes = await Promise.all(
      staged.map((p) => Deno.stat(`${dir}/${p}`).then((s) => s.size)),
    );
    if (sizes.some((s) => s > 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { emulator, child };
}

Deno.test("cli: a download killed with SIGKILL mid-body leaves staging that the next run removes", () =>
  withTempDir("cli-job-", async (dir) => {
    const { emulator, child } = await startSlowDownload(dir);
    try {
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL");
      await child.stdout.cancel();
      await child.stderr.cancel();
      const left = (await tree(`${dir}/r`)).filter((p) => /^\.up42-staging-\d+-[^/]+\/$/.test(p));
      assert.equal(left.length, 1, "the killed process left its staging folder");
      assert.ok(left[0].startsWith(`.up42-staging-${child.pid}-`), "named after its owner");

      const next = await runCli(
        [
          "download",
          "--job",
          emulator.jobId,
          "--jobtask",
          emulator.jobtasks.processing,
          "--out",
          "r",
        ],
        emulatorEnv(emulator),
        undefined,
        dir,
      );
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual((await tree(`${dir}/r`)).filter((p) => p.includes("staging")), []);
      const ctx = createContext({
        ...emulator.credentials,
        jobId: emulator.jobId,
        jobtaskId: emulator.jobtasks.processing,
      });
      for (const file of await readResults(ctx)) {
        assert.deepEqual(await Deno.readFile(`${dir}/r/${file.name}`), file.bytes, file.name);
      }
    } finally {
      await emulator.close();
    }
  }));

Deno.test("cli: SIGTERM cancels a download cleanly with exit status 143", () =>
  withTempDir("cli-job-", async (dir) => {
    const { emulator, child } = await startSlowDownload(dir);
    try {
      child.kill("SIGTERM");
      const output = await child.output();
      assert.equal(output.code, 143);
      const stderr = new TextDecoder().decode(output.stderr);
      assert.match(stderr, /^error: cancelled by SIGTERM; nothing partial was left/);
      assert.equal(stderr.trimEnd().split("\n").length, 1);
      await Deno.stat(`${dir}/r`).then(() => assert.fail("r was left"), () => {});
    } finally {
      await emulator.close();
    }
  }));
