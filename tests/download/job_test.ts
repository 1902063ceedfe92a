import assert from "node:assert/strict";
import {
  ArchiveError,
  ConfigError,
  downloadJobResults,
  type JobDownload,
  JobError,
  type JobProgress,
  readManifest,
  readResults,
  withJobtask,
} from "../../mod.ts";
import { tree } from "../support/archives.ts";
import { jobContextFor, serveJob, withEmulator } from "../support/emulator.ts";
import { caught } from "../support/errors.ts";

/** Every file of `dir` matches what `readResults` (the memory path) gives for the same jobtask. */
async function assertSameAsMemory(dir: string, files: string[], memory: Promise<unknown>) {
  const expected = (await memory) as { name: string; bytes: Uint8Array }[];
  assert.deepEqual(files, expected.map((f) => `${dir}/${f.name}`).sort());
  for (const file of expected) {
    assert.deepEqual(await Deno.readFile(`${dir}/${file.name}`), file.bytes, file.name);
  }
}

Deno.test("job: every jobtask in its folder, the damaged one reported with the others kept", () =>
  withEmulator(async (emulator, dir) => {
    const { jobId, jobtasks: ids } = emulator.mixedJob;
    const ctx = jobContextFor(emulator, jobId);
    const seen: JobProgress[] = [];
    const error = await caught(
      () => downloadJobResults(ctx, { cwd: dir, onProgress: (p) => seen.push(p) }),
      JobError,
    );
    const jobDir = `${dir}/project_${emulator.projectId}/job_${jobId}`;
    assert.equal(error.jobId, jobId);
    assert.equal(error.total, 4);
    assert.deepEqual(error.failures.map((f) => [f.jobtaskId, f.jobtaskName]), [
      [ids.damaged, "ndvi:1"],
    ]);
    assert.ok(error.failures[0].error instanceof ArchiveError);
    assert.ok(!error.message.includes("\n"));
    const result = error.result as JobDownload;
    assert.equal(result.directory, jobDir);
    assert.deepEqual(result.jobtasks.map((t) => t.state), [
      "written",
      "written",
      "written",
      "failed",
    ]);
    for (const role of ["dataBlock", "processing", "zip"] as const) {
      const task = result.jobtasks.find((t) => t.jobtaskId === ids[role])!;
      assert.equal(task.directory, `${jobDir}/jobtask_${ids[role]}`);
      const memory = readResults(withJobtask(ctx, { jobtaskId: ids[role] }));
      await assertSameAsMemory(task.directory, task.files, memory);
      const manifest = (await readManifest(task.directory))!;
      assert.equal(manifest.jobtaskId, ids[role]);
      assert.equal(manifest.jobtaskName, task.jobtaskName);
      assert.deepEqual(manifest.files.map((f) => `${task.directory}/${f.path}`), task.files);
    }
    // The damaged jobtask leaves nothing, and no staging folder is left anywhere.
    assert.deepEqual(
      (await tree(jobDir)).filter((p) => p.startsWith(`jobtask_${ids.damaged}`)),
      [],
    );
    assert.deepEqual((await tree(dir)).filter((p) => p.includes(".up42-staging")), []);
    // One combined progress: its bytes are the jobtasks' added up, at most two at once.
    for (const p of seen) {
      assert.equal(p.bytes, p.jobtasks.reduce((n, t) => n + t.bytes, 0));
      assert.equal(p.files, p.jobtasks.reduce((n, t) => n + t.files, 0));
      const announced = p.jobtasks.filter((t) => t.totalBytes !== undefined);
      assert.equal(
        p.totalBytes,
        announced.length ? announced.reduce((n, t) => n + t.totalBytes!, 0) : undefined,
      );
      assert.ok(p.jobtasks.filter((t) => t.state === "downloading").length <= 2);
    }
    const states = seen.at(-1)!.jobtasks.map((t) => t.state);
    assert.deepEqual(states, ["written", "written", "written", "failed"]);
  }));

Deno.test("job: a second run downloads nothing that is up to date, with one probe each", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = jobContextFor(emulator);
    const first = await downloadJobResults(ctx, { outputDirectory: dir, concurrency: 3 });
    assert.deepEqual(first.jobtasks.map((t) => t.state), ["written", "written", "written"]);
    const before = emulator.requests.length;
    const again = await downloadJobResults(ctx, { outputDirectory: dir });
    assert.deepEqual(again.jobtasks.map((t) => t.state), [
      "up-to-date",
      "up-to-date",
      "up-to-date",
    ]);
    assert.deepEqual(again.jobtasks.map((t) => t.files), first.jobtasks.map((t) => t.files));
    assert.ok(again.jobtasks.every((t) => t.bytes === 0));
    const storage = emulator.requests.slice(before).filter((r) => r.route === "storage");
    assert.deepEqual(storage.map((r) => r.range), ["bytes=0-0", "bytes=0-0", "bytes=0-0"]);
    const forced = await downloadJobResults(ctx, { outputDirectory: dir, force: true });
    assert.deepEqual(forced.jobtasks.map((t) => t.state), ["written", "written", "written"]);
  }));

Deno.test("job: a subset in its order; unknown ids and bad settings fail before any download", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = jobContextFor(emulator);
    const { zip, dataBlock } = emulator.jobtasks;
    const some = await downloadJobResults(ctx, {
      outputDirectory: dir,
      jobtasks: [zip, dataBlock],
    });
    assert.deepEqual(some.jobtasks.map((t) => t.jobtaskId), [zip, dataBlock]);
    assert.deepEqual((await tree(dir)).filter((p) => /^[^/]+\/$/.test(p)), [
      `jobtask_${dataBlock}/`,
      `jobtask_${zip}/`,
    ]);
    const before = emulator.requests.filter((r) => r.route === "storage").length;
    const unknown = await caught(
      () => downloadJobResults(ctx, { outputDirectory: `${dir}/x`, jobtasks: [zip, "no-such"] }),
      ConfigError,
    );
    assert.equal(unknown.setting, "jobtasks");
    assert.match(unknown.problem, /no-such/);
    for (
      const [options, setting] of [
        [{ concurrency: 0 }, "concurrency"],
        [{ shard: { index: 3, count: 3 } }, "shard"],
        [{ shard: { index: -1, count: 2 } }, "shard"],
      ] as const
    ) {
      const error = await caught(
        () => downloadJobResults(ctx, { outputDirectory: `${dir}/x`, ...options }),
        ConfigError,
      );
      assert.equal(error.setting, setting);
    }
    assert.equal(emulator.requests.filter((r) => r.route === "storage").length, before);
    await Deno.stat(`${dir}/x`).then(() => assert.fail("x was created"), () => {});
  }));

Deno.test("job: shards split the jobtasks without overlap, whatever the list order", () =>
  withEmulator(async (emulator, dir) => {
    const { jobId, jobtaskIds } = await serveJob(emulator, 12);
    const ctx = jobContextFor(emulator, jobId);
    const taken: string[] = [];
    for (let index = 0; index < 3; index++) {
      const share = await downloadJobResults(ctx, {
        outputDirectory: `${dir}/${index}`,
        shard: { index, count: 3 },
      });
      taken.push(...share.jobtasks.map((t) => t.jobtaskId));
      // A reversed subset gives the same share: membership depends on the id alone.
      const reversed = await downloadJobResults(ctx, {
        outputDirectory: `${dir}/${index}`,
        jobtasks: [...jobtaskIds].reverse(),
        shard: { index, count: 3 },
      });
      assert.deepEqual(
        reversed.jobtasks.map((t) => t.jobtaskId).sort(),
        share.jobtasks.map((t) => t.jobtaskId).sort(),
      );
    }
    assert.deepEqual(taken.sort(), [...jobtaskIds].sort());
  }));

Deno.test("job: cancelling stops every download and leaves no staging folder", () =>
  withEmulator(async (emulator, dir) => {
    emulator.faults.inject({
      kind: "slow",
      route: "storage",
      delayMs: 30,
      chunkBytes: 32_768,
      times: 10,
    });
    const controller = new AbortController();
    const error = await downloadJobResults(jobContextFor(emulator), {
      outputDirectory: dir,
      concurrency: 3,
      signal: controller.signal,
      onProgress: (p) => p.bytes > 300_000 && controller.abort(),
    }).then(() => undefined, (e) => e);
    assert.equal((error as Error)?.name, "AbortError", String(error));
    assert.deepEqual((await tree(dir)).filter((p) => p.includes(".up42-staging")), []);
  }));
