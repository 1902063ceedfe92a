import assert from "node:assert/strict";
import {
  type DownloadProgress,
  downloadResults,
  IntegrityError,
  type JobtaskContext,
  NetworkError,
  readManifest,
} from "../../mod.ts";
import { removeStaleStaging } from "../../lib/download/sink/stale.ts";
import { createStaging } from "../../lib/download/sink/staging.ts";
import { bytesOf, gzip, noise, rawTar, tree } from "../support/archives.ts";
import { serveResults, withEmulator } from "../support/emulator.ts";
import { caught } from "../support/errors.ts";
import type { Emulator } from "../../lib/emulator/mod.ts";

async function archive(seed = 1) {
  const tar = rawTar([
    { name: "output/data.json", body: bytesOf('{"type":"FeatureCollection","features":[]}') },
    { name: "output/scene/a.tif", body: noise(400_000, seed) },
    { name: "output/scene/b.tif", body: noise(300_000, seed + 1) },
  ]);
  return await gzip(tar);
}

/** Downloads and returns the state the progress ended in. */
async function run(ctx: JobtaskContext, dir: string, options = {}) {
  let state: DownloadProgress["state"];
  const files = await downloadResults(ctx, {
    outputDirectory: dir,
    onProgress: (p) => state = p.state,
    ...options,
  });
  return { files, state };
}

const storageRanges = (emulator: Emulator, from: number) =>
  emulator.requests.slice(from).filter((r) => r.route === "storage").map((r) => r.range);

Deno.test("incremental: up to date after a probe; edited, missing or changed results download again", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, await archive());
    const first = await run(ctx, dir);
    assert.equal(first.state, "written");
    const manifest = (await readManifest(dir))!;
    assert.deepEqual(manifest.files.map((f) => f.path), [
      "data.json",
      "scene/a.tif",
      "scene/b.tif",
    ]);
    assert.equal(manifest.jobtaskName, "test:1");
    assert.equal(manifest.archive.size, (await archive()).length);

    let mark = emulator.requests.length;
    const again = await run(ctx, dir);
    assert.deepEqual([again.state, again.files], ["up-to-date", first.files]);
    assert.deepEqual(storageRanges(emulator, mark), ["bytes=0-0"]);

    // Touched but unchanged: the checksum is read again and matches.
    await Deno.utime(`${dir}/scene/a.tif`, new Date(), new Date(2020, 1, 1));
    assert.equal((await run(ctx, dir)).state, "up-to-date");

    // Edited in place, same size: found by its checksum, downloaded and restored.
    const original = await Deno.readFile(`${dir}/scene/b.tif`);
    const edited = original.slice();
    edited[1000] ^= 0xff;
    await Deno.writeFile(`${dir}/scene/b.tif`, edited);
    mark = emulator.requests.length;
    assert.equal((await run(ctx, dir)).state, "written");
    assert.deepEqual(storageRanges(emulator, mark), ["bytes=0-0", null]);
    assert.deepEqual(await Deno.readFile(`${dir}/scene/b.tif`), original);

    // Bit rot that keeps size and time: only verify: "full" sees it.
    const rotten = original.slice();
    rotten[5] ^= 1;
    const { mtime } = await Deno.stat(`${dir}/scene/b.tif`);
    await Deno.writeFile(`${dir}/scene/b.tif`, rotten);
    await Deno.utime(`${dir}/scene/b.tif`, mtime!, mtime!);
    assert.equal((await run(ctx, dir)).state, "up-to-date");
    assert.equal((await run(ctx, dir, { verify: "full" })).state, "written");
    assert.deepEqual(await Deno.readFile(`${dir}/scene/b.tif`), original);

    await Deno.remove(`${dir}/data.json`);
    assert.equal((await run(ctx, dir)).state, "written");

    // The object changed in storage: its new files replace the old ones.
    await emulator.addJobtask(emulator.jobId, {
      info: { id: ctx.jobtaskId, name: "test:2", status: "SUCCEEDED" },
      results: { bytes: await archive(7), contentType: "application/gzip", filename: "output.tgz" },
    });
    assert.equal((await run(ctx, dir)).state, "written");
    assert.deepEqual(await Deno.readFile(`${dir}/scene/a.tif`), noise(400_000, 7));
    assert.equal((await readManifest(dir))!.jobtaskName, "test:2");

    await Deno.writeTextFile(`${dir}/.up42-manifest.json`, "{ damaged");
    assert.equal((await run(ctx, dir)).state, "written");
    assert.equal((await run(ctx, dir, { force: true })).state, "written");
    assert.equal((await run(ctx, dir)).state, "up-to-date");
  }));

Deno.test("incremental: a staging folder whose owner died is removed; live and kept ones stay", async () => {
  const dir = await Deno.makeTempDir({ prefix: "up42-stale-" });
  try {
    const old = new Date(Date.now() - 3 * 3600_000);
    const make = async (name: string, lock: string | undefined, at?: Date) => {
      await Deno.mkdir(`${dir}/${name}/scene`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${name}/scene/half.tif`, "half");
      if (lock !== undefined) {
        await Deno.writeTextFile(`${dir}/${name}/.up42-staging-lock`, lock);
        if (at) await Deno.utime(`${dir}/${name}/.up42-staging-lock`, at, at);
      }
      if (at) await Deno.utime(`${dir}/${name}`, at, at);
    };
    await make(".up42-staging-999999-dead", "999999\n"); // its owner had locked it: dead at once
    await make(".up42-staging-999993-empty-old", "", old);
    await make(".up42-staging-999998-nolock-old", undefined, old);
    await make(".up42-staging-999997-nolock-young", undefined);
    await make(".up42-staging-999996-just-made", ""); // its owner may be about to lock it
    await make(".up42-staging-999995-kept", undefined, old);
    await Deno.writeTextFile(`${dir}/.up42-staging-999995-kept/.up42-staging-keep`, "");
    const live = await createStaging(dir); // locked by this process
    const other = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(Deno.args[0], { write: true }); await f.lock(true);
        console.log("locked"); await new Promise((r) => setTimeout(r, 60000));`,
        `${dir}/.up42-staging-999994-other/.up42-staging-lock`,
      ],
      stdout: "piped",
    });
    await make(".up42-staging-999994-other", "999994\n", old);
    const child = other.spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value?.trim(), "locked");
    try {
      const removed = await removeStaleStaging(dir);
      assert.deepEqual(removed.sort(), [
        ".up42-staging-999993-empty-old",
        ".up42-staging-999998-nolock-old",
        ".up42-staging-999999-dead",
      ]);
      const left = (await tree(dir)).filter((p) => /^[^/]+\/$/.test(p));
      assert.equal(left.length, 5);
    } finally {
      child.kill();
      await child.status;
      await reader.cancel();
    }
    // Once its owner has gone, the other process's folder is removed too.
    assert.deepEqual(await removeStaleStaging(dir), [".up42-staging-999994-other"]);
    await live.discard();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("incremental: the next download removes a dead staging folder from the output folder", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, await archive());
    await Deno.mkdir(`${dir}/.up42-staging-999999-dead/scene`, { recursive: true });
    await Deno.writeTextFile(`${dir}/.up42-staging-999999-dead/.up42-staging-lock`, "999999\n");
    await Deno.writeFile(`${dir}/.up42-staging-999999-dead/scene/a.tif`, noise(1000));
    await run(ctx, dir);
    assert.deepEqual(await tree(dir), [
      ".up42-manifest.json",
      "data.json",
      "scene/",
      "scene/a.tif",
      "scene/b.tif",
    ]);
  }));

Deno.test("keep archive: the verified archive itself, up to date on a second run", () =>
  withEmulator(async (emulator, dir) => {
    const bytes = await archive();
    const ctx = await serveResults(emulator, bytes);
    const first = await run(ctx, dir, { unpack: false });
    assert.deepEqual([first.state, first.files], ["written", [`${dir}/output.tgz`]]);
    assert.deepEqual(await Deno.readFile(`${dir}/output.tgz`), bytes);
    assert.deepEqual(await tree(dir), [".up42-manifest.json", "output.tgz"]);
    const manifest = (await readManifest(dir))!;
    assert.equal(manifest.unpacked, false);
    assert.deepEqual(manifest.files.map((f) => [f.path, f.size]), [["output.tgz", bytes.length]]);
    assert.equal((await run(ctx, dir, { unpack: false })).state, "up-to-date");
    // Unpacking into the same folder is another result: it downloads.
    assert.equal((await run(ctx, dir)).state, "written");
  }));

Deno.test("keep archive: a download cut short is resumed by the next run with a Range request", () =>
  withEmulator(async (emulator, dir) => {
    const bytes = await archive();
    const ctx = await serveResults(emulator, bytes);
    emulator.faults.inject({ kind: "cut", route: "storage", afterBytes: 300_000 });
    const error = await caught(
      () => run(ctx, dir, { unpack: false, maxResumes: 0 }),
      NetworkError,
    );
    assert.equal(error.reason, "dropped");
    const partial = (await Deno.stat(`${dir}/.up42-partial`)).size;
    assert.ok(partial > 0 && partial <= 300_000, `${partial} bytes kept`);
    const mark = emulator.requests.length;
    const resumed = await run(ctx, dir, { unpack: false });
    assert.equal(resumed.state, "written");
    assert.deepEqual(storageRanges(emulator, mark), ["bytes=0-0", `bytes=${partial}-`]);
    assert.deepEqual(await Deno.readFile(`${dir}/output.tgz`), bytes);
    assert.deepEqual(await tree(dir), [".up42-manifest.json", "output.tgz"]);
  }));

Deno.test("keep archive: a partial of another object starts over; bad bytes are never kept", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, await archive());
    emulator.faults.inject({ kind: "cut", route: "storage", afterBytes: 200_000 });
    await caught(() => run(ctx, dir, { unpack: false, maxResumes: 0 }), NetworkError);
    const changed = await archive(9);
    await emulator.addJobtask(emulator.jobId, {
      info: { id: ctx.jobtaskId, name: "test:1" },
      results: { bytes: changed, contentType: "application/gzip", filename: "output.tgz" },
    });
    const mark = emulator.requests.length;
    await run(ctx, dir, { unpack: false });
    assert.deepEqual(storageRanges(emulator, mark), ["bytes=0-0", null]);
    assert.deepEqual(await Deno.readFile(`${dir}/output.tgz`), changed);

    const out = `${dir}/bad`;
    emulator.faults.inject({ kind: "bad-hash" });
    const bad = await caught(() => run(ctx, out, { unpack: false }), IntegrityError);
    assert.equal(bad.check, "crc32c");
    await Deno.stat(out).then(() => assert.fail("a folder was left"), () => {});
  }));
