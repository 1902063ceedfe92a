import { ConfigError, Up42ApiError } from "../lib/errors.ts";
import { seedJob } from "../lib/emulator/seed.ts";
import { plotQuicklooks } from "../lib/plot.ts";
import { downloadQuicklooks, extensionFor } from "../lib/quicklooks.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { contextFor, noise, tree, withEmulator } from "./archive_fixtures.ts";

Deno.test("quicklooks: PNG and JPEG with the right extensions, in the API's order", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = contextFor(emulator, emulator.jobtasks.dataBlock);
    const paths = await downloadQuicklooks(ctx, { cwd: dir });
    const base = `${dir}/project_${emulator.projectId}/job_${emulator.jobId}`;
    const seed = await seedJob();
    const quicklooks = seed.jobtasks.find((t) => t.info.id === seed.ids.dataBlock)!.quicklooks!;
    assertEquals(paths, [
      `${base}/quicklook_${quicklooks[0].id}.png`,
      `${base}/quicklook_${quicklooks[1].id}`, // the id already ends in .jpg
    ]);
    for (const [i, path] of paths.entries()) {
      assertEquals(await Deno.readFile(path), quicklooks[i].bytes);
    }
    const figure = await plotQuicklooks({ filepaths: paths });
    assert(figure.width > 0 && figure.png.length > 0, "plotQuicklooks reads them");
  }));

Deno.test("quicklooks: concurrency stays within the limit", () =>
  withEmulator(async (emulator, dir) => {
    const png = (await seedJob()).jobtasks[0].quicklooks![0].bytes;
    const quicklooks = Array.from({ length: 9 }, (_, i) => ({
      id: `ql-${i}`,
      bytes: png,
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
    // Counts quicklook downloads in flight until their bodies end (real fetch, only observed).
    let inFlight = 0;
    let most = 0;
    const observed: typeof fetch = async (input, init) => {
      const counted = /\/outputs\/quicklooks\/[^/]+$/.test(String(input));
      if (counted) most = Math.max(most, ++inFlight);
      const response = await fetch(input, init);
      if (!counted || !response.body) return response;
      const body = response.body.pipeThrough(new TransformStream({ flush: () => void inFlight-- }));
      return new Response(body, response);
    };
    const ctx = { ...contextFor(emulator, "many-quicklooks"), fetch: observed };
    const paths = await downloadQuicklooks(ctx, { outputDirectory: dir, concurrency: 3 });
    assertEquals(paths.length, 9);
    assertEquals(paths[1], `${dir}/quicklook_ql-1.jpg`);
    assert(emulator.maxConcurrentQuicklooks() <= 3, "the emulator saw at most 3 at once");
    assertEquals(most, 3, "three downloads overlapped, never more");
    assertEquals((await tree(dir)).length, 9);
  }));

Deno.test("quicklooks: a failing one names its id and leaves no partial file", () =>
  withEmulator(async (emulator, dir) => {
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "broken-quicklooks", status: "SUCCEEDED" },
      quicklooks: [{ id: "cut-one", bytes: noise(300_000), contentType: "image/png" }],
    });
    emulator.faults.inject({ kind: "cut", route: "quicklook", afterBytes: 100_000 });
    const ctx = contextFor(emulator, "broken-quicklooks");
    await assertRejects(
      () => downloadQuicklooks(ctx, { outputDirectory: dir }),
      Up42ApiError,
      "cut-one",
    );
    assertEquals(await tree(dir), []);
    emulator.faults.inject({ kind: "status", route: "quicklook", status: 404, times: 1 });
    await assertRejects(
      () => downloadQuicklooks(ctx, { outputDirectory: dir }),
      Up42ApiError,
      "cut-one",
    );
    assertEquals(await tree(dir), []);
  }));

Deno.test("quicklooks: an unsafe id from the API is refused before any request", () =>
  withEmulator(async (emulator, dir) => {
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "evil-quicklooks", status: "SUCCEEDED" },
      quicklooks: [{ id: "../../etc/passwd", bytes: noise(10), contentType: "image/png" }],
    });
    const ctx = contextFor(emulator, "evil-quicklooks");
    await assertRejects(
      () => downloadQuicklooks(ctx, { outputDirectory: `${dir}/out` }),
      ConfigError,
      "quicklook id",
    );
    assertEquals(await tree(dir), []);
    assertEquals(emulator.requests.filter((r) => r.route === "quicklook").length, 0);
  }));

Deno.test("extensionFor: id, content type, then magic bytes", () => {
  assertEquals(extensionFor("a", "image/png", new Uint8Array()), ".png");
  assertEquals(extensionFor("a", "image/jpeg; charset=binary", new Uint8Array()), ".jpg");
  assertEquals(extensionFor("a.JPG", "image/png", new Uint8Array()), "");
  assertEquals(
    extensionFor("a", "application/octet-stream", new Uint8Array([0xff, 0xd8, 0xff])),
    ".jpg",
  );
  assertEquals(extensionFor("a", null, new Uint8Array([0x89, 0x50, 0x4e, 0x47])), ".png");
  assertEquals(extensionFor("a", null, new Uint8Array([1, 2])), "");
});
