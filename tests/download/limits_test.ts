/**
 * What stops a download besides a bad archive: the disk's free space, the
 * total and ratio limits, an abort in the middle of an entry, and an output
 * folder too broad to unpack into.
 */
import assert from "node:assert/strict";
import {
  ArchiveError,
  ConfigError,
  createContext,
  downloadJobResults,
  downloadResults,
  readResults,
  streamResults,
} from "../../mod.ts";
import { RATIO_FLOOR, unpackBudget } from "../../lib/download/archive/budget.ts";
import { freeBytes } from "../../lib/files/free_space.ts";
import { bytesOf, gzip, noise, rawTar, tree } from "../support/archives.ts";
import { assertOneLineError, runCli } from "../support/cli.ts";
import { emulatorEnv, serveResults, withEmulator } from "../support/emulator.ts";
import { caught } from "../support/errors.ts";
import { startStorageServer } from "../support/storage_server.ts";

Deno.test("free space is told without a prompt, as df tells it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ours = await freeBytes(dir);
    const df = new TextDecoder().decode(
      (await new Deno.Command("df", { args: ["-Pk", dir] }).output()).stdout,
    ).trim().split("\n").at(-1)!.split(/\s+/)[3];
    // Other processes write meanwhile: the two agree within 1 GiB.
    assert.ok(Math.abs(ours! - Number(df) * 1024) < 1024 ** 3, `${ours} vs ${df} KiB`);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("results larger than the disk can spare stop before a byte is written", () =>
  withEmulator(async (emulator, dir) => {
    // An entry announcing 200 MB (its content never needs to come: the header decides).
    const tar = rawTar([{ name: "output/big.tif", size: 200e6 }], { end: false }).subarray(0, 512);
    const ctx = await serveResults(emulator, tar, "output.tar");
    const out = `${dir}/out`;
    await Deno.mkdir(out);
    const free = (await freeBytes(out))!;
    const error = await caught(
      () => downloadResults(ctx, { outputDirectory: out, minFreeBytes: free - 10e6 }),
      ConfigError,
    );
    assert.equal(error.setting, "outputDirectory");
    assert.match(error.problem, /can spare/);
    assert.deepEqual(await tree(dir), ["out/"]);
  }));

Deno.test("the ratio limit holds unpacked bytes against the archive's size above 1 GiB", () => {
  const limits = { maxBytes: 1e15, maxEntries: 10, maxRatio: 200 };
  // Announced sizes count against an announced archive size at once.
  const known = unpackBudget(limits, { archiveBytes: 1e6 }, () => 0);
  known.announce(RATIO_FLOOR);
  const error = (() => {
    try {
      known.announce(1);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof ArchiveError);
  assert.deepEqual([error.reason, error.limit], ["limit", "maxRatio"]);
  // Without an announced size, the bytes received so far are the measure.
  let received = 10e6;
  const streaming = unpackBudget(limits, {}, () => received);
  streaming.announce(3e9); // not held against the ratio yet: nothing says how large the archive is
  streaming.produce(1.9e9, true);
  received = 1;
  assert.throws(() => streaming.produce(1e9, true), ArchiveError);
});

for (const via of ["downloadResults", "streamResults", "readResults"] as const) {
  Deno.test(`an abort stops ${via} in the middle of a large entry and leaves nothing`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "up42-test-" });
    const entry = 4 * 1024 ** 3;
    await using server = startStorageServer(() => ({
      body: [
        rawTar([{ name: "output/big.bin", size: entry }], { end: false }).subarray(0, 512),
        noise(1 << 20),
      ],
      then: "repeat",
    }));
    try {
      const abort = new AbortController();
      setTimeout(() => abort.abort(new DOMException("cancelled", "AbortError")), 500);
      const options = { signal: abort.signal, maxBytes: 1e12 };
      const run = via === "downloadResults"
        ? () => downloadResults(server.ctx, { outputDirectory: `${dir}/out`, ...options })
        : via === "readResults"
        ? () => readResults(server.ctx, options)
        : async () => {
          for await (const file of streamResults(server.ctx, options)) {
            for await (const _ of file.stream) { /* consume */ }
          }
        };
      const error = await caught(run, DOMException);
      assert.equal(error.name, "AbortError");
      // It stopped early in the entry, not after it.
      assert.ok(server.sentBytes() < entry / 10, `${server.sentBytes()} bytes sent`);
      assert.deepEqual(await tree(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("the file system root or the home folder is refused as the output unless asked", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(
      emulator,
      await gzip(rawTar([{ name: "output/a.txt", body: bytesOf("a") }])),
    );
    for (const outputDirectory of ["/", "/root", "/home/someone"]) {
      const error = await caught(() => downloadResults(ctx, { outputDirectory }), ConfigError);
      assert.equal(error.setting, "outputDirectory", outputDirectory);
      const job = createContext({ ...emulator.credentials, jobId: emulator.jobId });
      const whole = await caught(() => downloadJobResults(job, { outputDirectory }), ConfigError);
      assert.equal(whole.setting, "outputDirectory", `job into ${outputDirectory}`);
    }
    assert.ok(!(await Deno.stat("/jobtask_" + ctx.jobtaskId).catch(() => undefined)));
    // Through the CLI, with a home folder of its own: refused, then allowed by the flag.
    const home = `${dir}/home`;
    await Deno.mkdir(home);
    const env = { ...emulatorEnv(emulator), HOME: home };
    const args = ["download", "--job", emulator.jobId, "--jobtask", ctx.jobtaskId, "--out", home];
    const refused = await runCli(args, env);
    assert.match(assertOneLineError(refused, 1), /home folder.*--allow-root-or-home-output/);
    assert.deepEqual(await tree(home), []);
    const allowed = await runCli([...args, "--allow-root-or-home-output"], env);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.deepEqual(await tree(home), [".up42-manifest.json", "a.txt"]);
  }));
