import assert from "node:assert/strict";
import { listQuicklooks, quicklookName, readQuicklook, Up42ApiError } from "../../mod.ts";
import { seedJob } from "../../lib/emulator/seed/job.ts";
import { caught } from "../support/errors.ts";
import { contextFor, withEmulator } from "../support/emulator.ts";

Deno.test("readQuicklook: bytes as served, named and typed by their format; JPEG to PNG on request", () =>
  withEmulator(async (emulator) => {
    const ctx = contextFor(emulator, emulator.jobtasks.dataBlock);
    const ids = await listQuicklooks(ctx);
    const seeded = seedJob().jobtasks.find((t) => t.info.id === emulator.jobtasks.dataBlock)!;
    const first = await readQuicklook(ctx, ids[0]);
    assert.deepEqual(first.bytes, seeded.quicklooks![0].bytes);
    assert.equal(first.format, "png");
    assert.equal(first.name, `quicklook_${ids[0]}.png`);
    const second = await readQuicklook(ctx, ids[1], { asPng: true });
    assert.equal(second.format, "png");
    assert.equal(second.contentType, "image/png");
    assert.equal(second.name, `quicklook_${ids[1]}.png`);
  }));

Deno.test("readQuicklook: an HTML page served as a quicklook is refused", () =>
  withEmulator(async (emulator) => {
    await emulator.addJobtask(emulator.jobId, {
      info: { id: "html-quicklook", status: "SUCCEEDED" },
      quicklooks: [{
        id: "q1",
        bytes: new TextEncoder().encode("<html><body>Service unavailable</body></html>"),
        contentType: "image/png",
      }],
    });
    const error = await caught(
      () => readQuicklook(contextFor(emulator, "html-quicklook"), "q1"),
      Up42ApiError,
    );
    assert.match(error.apiMessage, /quicklook q1 is not an image/);
  }));

Deno.test("quicklookName: the extension of the real format", () => {
  assert.equal(quicklookName("a", "png"), "quicklook_a.png");
  assert.equal(quicklookName("a.JPG", "jpeg"), "quicklook_a.JPG");
  assert.equal(quicklookName("a.png", "jpeg"), "quicklook_a.png.jpg");
  assert.equal(quicklookName("a", "webp"), "quicklook_a.webp");
});
