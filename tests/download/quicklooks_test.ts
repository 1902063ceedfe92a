import assert from "node:assert/strict";
import { ConfigError, downloadQuicklooks, NetworkError, Up42ApiError } from "../../mod.ts";
import { plotQuicklooks } from "../../lib/plot/mod.ts";
import { encodePng } from "../../lib/image/png.ts";
import { seedJob } from "../../lib/emulator/seed/job.ts";
import { noise, tree } from "../support/archives.ts";
import { contextFor, withEmulator } from "../support/emulator.ts";
import { caught } from "../support/errors.ts";

const png = encodePng({ width: 2, height: 2, rgba: new Uint8ClampedArray(16).fill(120) });
const jpegLike = seedJob().jobtasks[0].quicklooks![1].bytes;

Deno.test("quicklooks: PNG and JPEG with the right extensions, in the API's order", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = contextFor(emulator, emulator.jobtasks.dataBlock);
    const paths = await downloadQuicklooks(ctx, { cwd: dir });
    const base = `${dir}/project_${emulator.projectId}/job_${emulator.jobId}`;
    const quicklooks = seedJob().jobtasks.find((t) => t.info.id === emulator.jobtasks.dataBlock)!
      .quicklooks!;
    assert.deepEqual(paths, [
      `${base}/quicklook_${quicklooks[0].id}.png`,
      `${base}/quicklook_${quicklooks[1].id}`, // the id already ends in .jpg
    ]);
    for (const [i, path] of paths.entries()) {
      assert.deepEqual(await Deno.readFile(path), quicklooks[i].bytes);
    }
    const figure = await plotQuicklooks({ filepaths: paths });
    assert.ok(figure.width > 0 && figure.png.length > 0, "plotQuicklooks reads them");
  }));

Deno.test("quicklooks: ids that would share a file name get distinct names; content decides the extension", () =>
  withEmulator(async (emulator, dir) => {
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "clashing", status: "SUCCEEDED" },
      quicklooks: [
        { id: "x", bytes: png, contentType: "image/png" },
        { id: "x.png", bytes: png, contentType: "image/png" },
        { id: "y.png", bytes: jpegLike, contentType: "image/png" },
      ],
    });
    const paths = await downloadQuicklooks(contextFor(emulator, "clashing"), {
      outputDirectory: dir,
    });
    assert.deepEqual(paths.map((p) => p.slice(dir.length + 1)), [
      "quicklook_x.png",
      "quicklook_x_2.png",
      "quicklook_y.png.jpg",
    ]);
    assert.deepEqual(await tree(dir), [
      "quicklook_x.png",
      "quicklook_x_2.png",
      "quicklook_y.png.jpg",
    ]);
  }));

Deno.test("quicklooks: concurrency stays within the limit", () =>
  withEmulator(async (emulator, dir) => {
    const quicklooks = Array.from({ length: 9 }, (_, i) => ({
      id: `ql-${i}`,
      bytes: i % 2 ? jpegLike : png,
      contentType: i % 2 ? "image/jpeg" : "image/png",
    }));
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "many-quicklooks", status: "SUCCEEDED" },
      quicklooks,
    });
    emulator.faults.inject({
      kind: "slow",
      route: "quicklook",
      delayMs: 30,
      chunkBytes: 4096,
      times: 9,
    });
    const paths = await downloadQuicklooks(contextFor(emulator, "many-quicklooks"), {
      outputDirectory: dir,
      concurrency: 3,
    });
    assert.equal(paths.length, 9);
    assert.equal(paths[1], `${dir}/quicklook_ql-1.jpg`);
    assert.equal(emulator.maxConcurrentQuicklooks(), 3, "three overlapped, never more");
    assert.equal((await tree(dir)).length, 9);
  }));

Deno.test("quicklooks: a failing one names its id and leaves no partial file", () =>
  withEmulator(async (emulator, dir) => {
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "broken-quicklooks", status: "SUCCEEDED" },
      quicklooks: [{ id: "cut-one", bytes: noise(300_000), contentType: "image/png" }],
    });
    emulator.faults.inject({ kind: "cut", route: "quicklook", afterBytes: 100_000 });
    const ctx = contextFor(emulator, "broken-quicklooks");
    const cut = await caught(() => downloadQuicklooks(ctx, { outputDirectory: dir }), NetworkError);
    assert.match(cut.detail, /cut-one/);
    assert.deepEqual(await tree(dir), []);
    emulator.faults.inject({ kind: "status", route: "quicklook", status: 404 });
    const missing = await caught(
      () => downloadQuicklooks(ctx, { outputDirectory: dir }),
      Up42ApiError,
    );
    assert.match(missing.path, /cut-one$/);
    const notImage = await caught(
      () => downloadQuicklooks(ctx, { outputDirectory: dir }),
      Up42ApiError,
    );
    assert.match(notImage.apiMessage, /not an image/);
    assert.deepEqual(await tree(dir), []);
  }));

Deno.test("quicklooks: an unsafe id from the API is refused before any request", () =>
  withEmulator(async (emulator, dir) => {
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "evil-quicklooks", status: "SUCCEEDED" },
      quicklooks: [{ id: "../../etc/passwd", bytes: png, contentType: "image/png" }],
    });
    const error = await caught(
      () =>
        downloadQuicklooks(contextFor(emulator, "evil-quicklooks"), {
          outputDirectory: `${dir}/out`,
        }),
      ConfigError,
    );
    assert.equal(error.setting, "quicklook id");
    assert.deepEqual(await tree(dir), []);
    assert.equal(emulator.requests.filter((r) => r.route === "quicklook").length, 0);
  }));
