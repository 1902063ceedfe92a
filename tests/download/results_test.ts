import assert from "node:assert/strict";
import { unzipSync, Zip, ZipDeflate } from "fflate";
import { unpackTar } from "modern-tar";
import {
  ArchiveError,
  ConfigError,
  type DownloadProgress,
  downloadResults,
  IntegrityError,
  NetworkError,
  readResults,
  streamResults,
} from "../../mod.ts";
import { gunzip, nativeInflater } from "../../lib/download/archive/inflate.ts";
import { loadZlib } from "../../lib/internal/zlib.ts";
import { seedJob } from "../../lib/emulator/seed/job.ts";
import type { StoredObject } from "../../lib/emulator/mod.ts";
import { bytesOf, concat, gzip, noise, rawTar, tree } from "../support/archives.ts";
import { contextFor, serveResults, withEmulator } from "../support/emulator.ts";
import { caught } from "../support/errors.ts";

/** The bytes of a seeded jobtask's results archive. */
export async function seededArchive(role: "processing" | "zip" | "dataBlock"): Promise<Uint8Array> {
  const seed = seedJob();
  const results = seed.jobtasks.find((t) => t.info.id === seed.ids[role])!.results!;
  return (typeof results === "function" ? await results() : results as StoredObject).bytes;
}

/** The files of a seeded jobtask's archive, `output/` removed. */
async function expectedFiles(role: "processing" | "zip"): Promise<Map<string, Uint8Array>> {
  const archive = await seededArchive(role);
  const out = new Map<string, Uint8Array>();
  if (role === "zip") {
    for (const [name, bytes] of Object.entries(unzipSync(archive))) {
      if (!name.endsWith("/")) out.set(name.replace(/^output\//, ""), bytes);
    }
  } else {
    const tar = await new Response(
      new Blob([archive as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new DecompressionStream("gzip"),
      ),
    ).arrayBuffer();
    for (const entry of await unpackTar(new Uint8Array(tar))) {
      if (entry.header.type === "file") {
        out.set(entry.header.name.replace(/^output\//, ""), entry.data!);
      }
    }
  }
  return out;
}

async function assertSameFiles(dir: string, paths: string[], expected: Map<string, Uint8Array>) {
  assert.deepEqual(paths, [...expected.keys()].sort().map((p) => `${dir}/${p}`));
  for (const [name, bytes] of expected) {
    assert.deepEqual(await Deno.readFile(`${dir}/${name}`), bytes, `${name} differs`);
  }
}

/** A tgz with nested folders, an empty file and 3 MB of noise. */
async function sampleArchive() {
  const files = {
    "data.json": bytesOf('{"type":"FeatureCollection","features":[]}'),
    "scene/empty.txt": new Uint8Array(0),
    "scene/deep/big.tif": noise(3_000_000),
  };
  const tar = rawTar([
    { name: "output/", type: "5" },
    { name: "output/data.json", body: files["data.json"] },
    { name: "output/scene/", type: "5" },
    { name: "output/scene/empty.txt", body: files["scene/empty.txt"] },
    { name: "output/scene/deep/big.tif", body: files["scene/deep/big.tif"] },
  ]);
  return { files: new Map(Object.entries(files)), tgz: await gzip(tar), tar };
}

Deno.test("tgz results: default folder under cwd, output/ stripped, byte-exact", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = contextFor(emulator);
    const paths = await downloadResults(ctx, { cwd: dir });
    const out =
      `${dir}/project_${emulator.projectId}/job_${emulator.jobId}/jobtask_${emulator.jobtasks.processing}`;
    await assertSameFiles(out, paths, await expectedFiles("processing"));
    assert.ok(paths.every((p) => !p.includes("/output/")), "output/ is stripped");
    assert.deepEqual((await tree(out)).filter((p) => p.includes("staging")), []);
  }));

Deno.test("zip results into an explicit folder, byte-exact", () =>
  withEmulator(async (emulator, dir) => {
    const out = `${dir}/zip-results`;
    const paths = await downloadResults(contextFor(emulator, emulator.jobtasks.zip), {
      outputDirectory: out,
    });
    await assertSameFiles(out, paths, await expectedFiles("zip"));
  }));

Deno.test("plain tar, nested folders and an empty file; progress reaches the total", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tar } = await sampleArchive();
    const ctx = await serveResults(emulator, tar, "output.tar");
    const seen: DownloadProgress[] = [];
    const paths = await downloadResults(ctx, {
      outputDirectory: dir,
      onProgress: (p) => seen.push(p),
    });
    await assertSameFiles(dir, paths, files);
    const last = seen.at(-1)!;
    assert.deepEqual([last.bytes, last.totalBytes, last.files], [tar.length, tar.length, 3]);
  }));

Deno.test("a connection cut mid-body resumes with a Range request and ends byte-exact", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    emulator.faults.inject({ kind: "cut", route: "storage", afterBytes: 1_000_000 });
    const paths = await downloadResults(ctx, { outputDirectory: dir });
    await assertSameFiles(dir, paths, files);
    const storage = emulator.requests.filter((r) => r.route === "storage");
    assert.deepEqual(storage.map((r) => r.range), [null, "bytes=1000000-"]);
    assert.ok(storage.every((r) => !r.authorization), "no Authorization header to storage");
  }));

Deno.test("a server without ranges: the download restarts and skips what arrived", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    emulator.faults.inject({ kind: "cut", route: "storage", afterBytes: 700_000 });
    emulator.faults.inject({ kind: "no-range" });
    emulator.faults.inject({ kind: "no-range" });
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
  }));

Deno.test("429 and 5xx from storage are retried; no Authorization header ever reaches it", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    emulator.faults.inject({ kind: "status", route: "storage", status: 429, retryAfter: 0 });
    emulator.faults.inject({ kind: "status", route: "storage", status: 503, times: 2 });
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
    const storage = emulator.requests.filter((r) => r.route === "storage");
    assert.deepEqual(storage.length, 4);
    assert.ok(storage.every((r) => !r.authorization), "no Authorization header to storage");
  }));

Deno.test("a wrong x-goog-hash fails with IntegrityError and leaves nothing", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, (await sampleArchive()).tgz);
    emulator.faults.inject({ kind: "bad-hash" });
    const out = `${dir}/out`;
    const error = await caught(
      () => downloadResults(ctx, { outputDirectory: out }),
      IntegrityError,
    );
    assert.equal(error.check, "crc32c");
    assert.deepEqual(await tree(dir), []);
  }));

Deno.test("md5 is checked when asked for all hashes", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, (await sampleArchive()).tgz);
    emulator.faults.inject({ kind: "bad-hash" });
    await downloadResults(ctx, { outputDirectory: dir, hashes: "none" }); // a bad hash passes
    emulator.faults.inject({ kind: "bad-hash" });
    const error = await caught(
      () => downloadResults(ctx, { outputDirectory: `${dir}/2`, hashes: "all" }),
      IntegrityError,
    );
    assert.equal(error.check, "crc32c");
  }));

Deno.test("a body one byte short is resumed; one that stays short fails and leaves nothing", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    emulator.faults.inject({ kind: "short-body" });
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
    emulator.faults.inject({ kind: "short-body", times: 20 });
    const out = `${dir}/again`;
    const error = await caught(
      () => downloadResults(ctx, { outputDirectory: out, maxResumes: 2 }),
      NetworkError,
    );
    assert.equal(error.reason, "dropped");
    await Deno.stat(out).then(() => assert.fail("out was left"), () => {});
  }));

Deno.test("truncated gzip, truncated tar and corrupt zip are archive errors; nothing left", () =>
  withEmulator(async (emulator, dir) => {
    const { tgz, tar } = await sampleArchive();
    const zip = (await seededArchive("zip")).slice();
    zip[200] ^= 0xff;
    const cases: [Uint8Array, string, ArchiveError["reason"]][] = [
      [tgz.subarray(0, tgz.length - 100_000), "output.tgz", "corrupt"],
      [tgz.subarray(0, tgz.length - 4), "output.tgz", "corrupt"],
      [await gzip(tar.subarray(0, 2_000_000)), "output.tgz", "truncated"],
      [zip, "output.zip", "corrupt"],
      [bytesOf("<html>not an archive</html>"), "output.tgz", "format"],
    ];
    for (const [bytes, name, reason] of cases) {
      const ctx = await serveResults(emulator, bytes, name);
      const error = await caught(
        () => downloadResults(ctx, { outputDirectory: `${dir}/out` }),
        ArchiveError,
      );
      assert.equal(error.reason, reason, error.message);
      assert.deepEqual(await tree(dir), [], `nothing left for ${name} (${reason})`);
    }
  }));

Deno.test("abort via signal mid-download leaves nothing behind", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, (await sampleArchive()).tgz);
    emulator.faults.inject({ kind: "slow", route: "storage", delayMs: 20, chunkBytes: 65536 });
    const controller = new AbortController();
    const promise = downloadResults(ctx, {
      outputDirectory: `${dir}/out`,
      signal: controller.signal,
      onProgress: (p) => p.bytes > 200_000 && controller.abort(),
    });
    const error = await promise.then(() => undefined, (e) => e);
    assert.ok((error as Error)?.name === "AbortError", `aborted, got ${error}`);
    assert.deepEqual(await tree(dir), []);
  }));

Deno.test("existing files: replaced by default, refused with overwrite: false", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    await Deno.mkdir(`${dir}/scene`);
    await Deno.writeTextFile(`${dir}/data.json`, "old");
    await Deno.writeTextFile(`${dir}/scene/mine.txt`, "keep me");
    const error = await caught(
      () => downloadResults(ctx, { outputDirectory: dir, overwrite: false }),
      ConfigError,
    );
    assert.equal(error.setting, "outputDirectory");
    assert.match(error.problem, /data\.json already exists/);
    assert.deepEqual(await tree(dir), ["data.json", "scene/", "scene/mine.txt"]);
    assert.deepEqual(await Deno.readTextFile(`${dir}/data.json`), "old");
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
    assert.deepEqual(await Deno.readTextFile(`${dir}/scene/mine.txt`), "keep me");
  }));

Deno.test("streamResults yields each file as a stream; readResults holds them in memory", () =>
  withEmulator(async (emulator) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    const streamed = new Map<string, Uint8Array>();
    for await (const entry of streamResults(ctx)) {
      const bytes = new Uint8Array(await new Response(entry.stream).arrayBuffer());
      assert.deepEqual(bytes.length, entry.size);
      streamed.set(entry.name, bytes);
    }
    assert.deepEqual([...streamed.keys()].sort(), [...files.keys()].sort());
    for (const [name, bytes] of files) assert.deepEqual(streamed.get(name), bytes);
    const held = await readResults(ctx);
    assert.deepEqual(held.map((f) => f.name).sort(), [...files.keys()].sort());
    for (const file of held) assert.deepEqual(file.bytes, files.get(file.name));
    emulator.faults.inject({ kind: "bad-hash" });
    await caught(async () => {
      for await (const entry of streamResults(ctx)) await entry.stream.cancel();
    }, IntegrityError);
  }));

Deno.test("gunzip: native and portable paths agree; both refuse a truncated stream", async () => {
  await loadZlib();
  assert.ok(nativeInflater("gunzip", (d) => new Error(d)), "the native path is the one tested");
  const data = noise(500_000);
  const packed = await gzip(data);
  // Chunks are views of a reused buffer: copy each before reading the next.
  const inflate = async (bytes: Uint8Array<ArrayBuffer>, portable: boolean) => {
    const parts: Uint8Array[] = [];
    const reader = gunzip(new Blob([bytes]).stream(), { portable }).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value.slice());
    return concat(parts);
  };
  for (const portable of [false, true]) {
    assert.deepEqual(await inflate(packed, portable), data);
    const error = await caught(() => inflate(packed.subarray(0, 300_000), portable), ArchiveError);
    assert.equal(error.reason, "corrupt");
  }
});

Deno.test("a body that stalls longer than the timeout is reconnected", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const task = await serveResults(emulator, tgz);
    const ctx = { ...task, timeoutMs: 300 };
    emulator.faults.inject({ kind: "slow", route: "storage", delayMs: 2_000, chunkBytes: 1 << 20 });
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
    assert.deepEqual(emulator.requests.filter((r) => r.route === "storage").length, 2);
  }));

/** A zip written as a stream (fflate's Zip): sizes and CRCs follow each entry's data. */
function streamedZip(files: Record<string, Uint8Array>): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    const zip = new Zip((error, chunk, final) => {
      if (error) return reject(error);
      parts.push(chunk);
      if (final) resolve(concat(parts));
    });
    for (const [name, bytes] of Object.entries(files)) {
      const entry = new ZipDeflate(name, { level: 6 });
      zip.add(entry);
      entry.push(bytes.subarray(0, bytes.length >> 1));
      entry.push(bytes.subarray(bytes.length >> 1), true);
    }
    zip.end();
  });
}

Deno.test("a streamed zip is held against the limits its central directory declares, before it streams", () =>
  withEmulator(async (emulator, dir) => {
    // Zeros: 6 MB that deflate to a few kilobytes, sizes only after the data.
    const zip = await streamedZip({
      "output/a.bin": new Uint8Array(3_000_000),
      "output/b.bin": new Uint8Array(3_000_000),
    });
    assert.ok(zip[6] & 8, "the fixture uses data descriptors");
    const ctx = await serveResults(emulator, zip, "output.zip");
    const firstEntry = async () => {
      for await (const entry of streamResults(ctx, { maxBytes: 5_000_000 })) {
        await entry.stream.cancel();
        return entry.name;
      }
    };
    // Refused before the first entry: the directory, read with a Range request, declares 6 MB.
    const error = await caught(firstEntry, ArchiveError);
    assert.equal(error.limit, "maxBytes");
    const ranges = emulator.requests.filter((r) => r.route === "storage").map((r) => r.range);
    assert.ok(ranges.includes(`bytes=0-${zip.length - 1}`), `ranges asked: ${ranges}`);
    await caught(
      () => downloadResults(ctx, { outputDirectory: dir, maxBytes: 5_000_000 }),
      ArchiveError,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");

    // A server without ranges: the first entry streams, and the streaming checks stop the rest.
    emulator.faults.inject({ kind: "no-range", times: 10 });
    assert.equal(await firstEntry(), "a.bin");
    const again = await caught(
      () => downloadResults(ctx, { outputDirectory: `${dir}/b`, maxBytes: 5_000_000 }),
      ArchiveError,
    );
    assert.equal(again.limit, "maxBytes");
    assert.equal((await downloadResults(ctx, { outputDirectory: `${dir}/c` })).length, 2);
  }));

Deno.test("a streamed zip (sizes after the data) unpacks byte-exact", () =>
  withEmulator(async (emulator, dir) => {
    const files = {
      "data.json": bytesOf('{"type":"FeatureCollection","features":[]}'.repeat(50)),
      "scene/big.tif": noise(1_500_000, 7),
      "scene/empty.txt": new Uint8Array(0),
    };
    const zip = await streamedZip(
      Object.fromEntries(Object.entries(files).map(([k, v]) => [`output/${k}`, v])),
    );
    assert.ok(zip[6] & 8, "the fixture uses data descriptors");
    const ctx = await serveResults(emulator, zip, "output.zip");
    const paths = await downloadResults(ctx, { outputDirectory: dir });
    await assertSameFiles(dir, paths, new Map(Object.entries(files)));
    const sizes = [];
    for await (const entry of streamResults(ctx)) {
      sizes.push(entry.size);
      await entry.stream.cancel();
    }
    assert.deepEqual(sizes, [-1, -1, -1]);
    const corrupt = zip.slice();
    corrupt[zip.length >> 1] ^= 0x55;
    const bad = await serveResults(emulator, corrupt, "output.zip");
    const error = await caught(
      () => downloadResults(bad, { outputDirectory: `${dir}/bad` }),
      ArchiveError,
    );
    assert.equal(error.reason, "corrupt");
  }));

Deno.test("an output directory that is a file is a ConfigError", () =>
  withEmulator(async (emulator, dir) => {
    await Deno.writeTextFile(`${dir}/taken`, "x");
    const error = await caught(
      () => downloadResults(contextFor(emulator), { outputDirectory: `${dir}/taken` }),
      ConfigError,
    );
    assert.equal(error.setting, "outputDirectory");
    assert.deepEqual(await tree(dir), ["taken"]);
  }));

Deno.test("the archive reader loads node:zlib itself: a download in a fresh process inflates natively", async () => {
  // Nothing imports node:zlib at load time (it costs start-up); checkedEntries loads it first.
  const script = `
    import { loadedZlib } from ${
    JSON.stringify(new URL("../../lib/internal/zlib.ts", import.meta.url).href)
  };
    import { checkedEntries, DEFAULT_LIMITS } from ${
    JSON.stringify(new URL("../../lib/download/archive/mod.ts", import.meta.url).href)
  };
    const before = loadedZlib() !== undefined;
    const packed = new Blob([new Uint8Array(1024)]).stream().pipeThrough(new CompressionStream("gzip"));
    await checkedEntries(packed, DEFAULT_LIMITS).next().catch(() => {});
    console.log(JSON.stringify({ before, after: loadedZlib() !== undefined }));
  `;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/probe.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-prompt", "--no-config", `${dir}/probe.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
      before: false,
      after: true,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
