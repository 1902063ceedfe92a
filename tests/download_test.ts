import { unzipSync, Zip, ZipDeflate } from "fflate";
import { unpackTar } from "modern-tar";
import { downloadResults } from "../lib/download.ts";
import { ArchiveError, ConfigError, IntegrityError, Up42ApiError } from "../lib/errors.ts";
import { gunzip } from "../lib/inflate.ts";
import { seedJob } from "../lib/emulator/seed.ts";
import type { DownloadProgress } from "../lib/stream_results.ts";
import { readResults, streamResults } from "../lib/stream_results.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import {
  bytesOf,
  concat,
  contextFor,
  gzip,
  noise,
  rawTar,
  serveResults,
  tree,
  withEmulator,
} from "./archive_fixtures.ts";

/** The files of a seeded jobtask's archive, `output/` removed. */
async function expectedFiles(role: "processing" | "zip"): Promise<Map<string, Uint8Array>> {
  const seed = await seedJob();
  const task = seed.jobtasks.find((t) => t.info.id === seed.ids[role])!;
  const out = new Map<string, Uint8Array>();
  if (role === "zip") {
    for (const [name, bytes] of Object.entries(unzipSync(task.results!.bytes))) {
      if (!name.endsWith("/")) out.set(name.replace(/^output\//, ""), bytes);
    }
  } else {
    const tar = await new Response(
      new Blob([task.results!.bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
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
  assertEquals(paths, [...expected.keys()].sort().map((p) => `${dir}/${p}`));
  for (const [name, bytes] of expected) {
    const got = await Deno.readFile(`${dir}/${name}`);
    assert(got.length === bytes.length && got.every((b, i) => b === bytes[i]), `${name} differs`);
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
    assert(paths.every((p) => !p.includes("/output/")), "output/ is stripped");
    assertEquals((await tree(out)).filter((p) => p.includes("staging")), []);
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
    assertEquals([last.bytes, last.totalBytes, last.files], [tar.length, tar.length, 3]);
  }));

Deno.test("a connection cut mid-body resumes with a Range request and ends byte-exact", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    emulator.faults.inject({ kind: "cut", route: "storage", afterBytes: 1_000_000 });
    const paths = await downloadResults(ctx, { outputDirectory: dir });
    await assertSameFiles(dir, paths, files);
    const storage = emulator.requests.filter((r) => r.route === "storage");
    assertEquals(storage.map((r) => r.range), [null, "bytes=1000000-"]);
    assert(storage.every((r) => !r.authorization), "no Authorization header to storage");
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
    assertEquals(storage.length, 4);
    assert(storage.every((r) => !r.authorization), "no Authorization header to storage");
  }));

Deno.test("a wrong x-goog-hash fails with IntegrityError and leaves nothing", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, (await sampleArchive()).tgz);
    emulator.faults.inject({ kind: "bad-hash" });
    const out = `${dir}/out`;
    await assertRejects(
      () => downloadResults(ctx, { outputDirectory: out }),
      IntegrityError,
      "crc32c",
    );
    assertEquals(await tree(dir), []);
  }));

Deno.test("md5 is checked when asked for all hashes", () =>
  withEmulator(async (emulator, dir) => {
    const ctx = await serveResults(emulator, (await sampleArchive()).tgz);
    emulator.faults.inject({ kind: "bad-hash" });
    const error = await assertRejects(
      () => downloadResults(ctx, { outputDirectory: dir, hashes: "none" }),
      Error,
    ).catch(() => undefined);
    assert(error === undefined, "with hashes: none a bad hash passes");
    emulator.faults.inject({ kind: "bad-hash" });
    await assertRejects(
      () => downloadResults(ctx, { outputDirectory: `${dir}/2`, hashes: "all" }),
      IntegrityError,
    );
  }));

Deno.test("a body one byte short is resumed; one that stays short fails and leaves nothing", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    emulator.faults.inject({ kind: "short-body" });
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
    emulator.faults.inject({ kind: "short-body", times: 20 });
    const out = `${dir}/again`;
    await assertRejects(
      () => downloadResults(ctx, { outputDirectory: out, maxResumes: 2 }),
      Up42ApiError,
      "dropped",
    );
    await Deno.stat(out).then(() => assert(false, "out was left"), () => {});
  }));

Deno.test("truncated gzip, truncated tar and corrupt zip are archive errors; nothing left", () =>
  withEmulator(async (emulator, dir) => {
    const { tgz, tar } = await sampleArchive();
    const seed = await seedJob();
    const zip = seed.jobtasks.find((t) => t.info.id === seed.ids.zip)!.results!.bytes.slice();
    zip[200] ^= 0xff;
    const cases: [Uint8Array, string, RegExp][] = [
      [tgz.subarray(0, tgz.length - 100_000), "output.tgz", /gzip/],
      [tgz.subarray(0, tgz.length - 4), "output.tgz", /gzip/],
      [await gzip(tar.subarray(0, 2_000_000)), "output.tgz", /truncated/],
      [tar.subarray(0, tar.length - 1024), "output.tar", /end-of-archive/],
      [zip, "output.zip", /corrupt/],
      [bytesOf("<html>not an archive</html>"), "output.tgz", /not a tar/],
    ];
    for (const [bytes, name, message] of cases) {
      const ctx = await serveResults(emulator, bytes, name);
      await assertRejects(
        () => downloadResults(ctx, { outputDirectory: `${dir}/out` }),
        ArchiveError,
        message,
      );
      assertEquals(await tree(dir), [], `nothing left for ${message}`);
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
    assert((error as Error)?.name === "AbortError", `aborted, got ${error}`);
    assertEquals(await tree(dir), []);
  }));

Deno.test("existing files: replaced by default, refused with overwrite: false", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    await Deno.mkdir(`${dir}/scene`);
    await Deno.writeTextFile(`${dir}/data.json`, "old");
    await Deno.writeTextFile(`${dir}/scene/mine.txt`, "keep me");
    await assertRejects(
      () => downloadResults(ctx, { outputDirectory: dir, overwrite: false }),
      ConfigError,
      "data.json already exists",
    );
    assertEquals(await tree(dir), ["data.json", "scene/", "scene/mine.txt"]);
    assertEquals(await Deno.readTextFile(`${dir}/data.json`), "old");
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
    assertEquals(await Deno.readTextFile(`${dir}/scene/mine.txt`), "keep me");
  }));

Deno.test("streamResults yields each file as a stream; readResults holds them in memory", () =>
  withEmulator(async (emulator) => {
    const { files, tgz } = await sampleArchive();
    const ctx = await serveResults(emulator, tgz);
    const streamed = new Map<string, Uint8Array>();
    for await (const entry of streamResults(ctx)) {
      const bytes = new Uint8Array(await new Response(entry.stream).arrayBuffer());
      assertEquals(bytes.length, entry.size);
      streamed.set(entry.path, bytes);
    }
    assertEquals([...streamed.keys()].sort(), [...files.keys()].sort());
    for (const [name, bytes] of files) assertEquals(streamed.get(name), bytes);
    const held = await readResults(ctx);
    assertEquals(held.map((f) => f.path).sort(), [...files.keys()].sort());
    emulator.faults.inject({ kind: "bad-hash" });
    await assertRejects(async () => {
      for await (const entry of streamResults(ctx)) await entry.stream.cancel();
    }, IntegrityError);
  }));

Deno.test("gunzip: native and portable paths agree; both refuse a truncated stream", async () => {
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
    assertEquals(await inflate(packed, portable), data);
    await assertRejects(() => inflate(packed.subarray(0, 300_000), portable), ArchiveError, "gzip");
  }
});

Deno.test("a body that stalls longer than the timeout is reconnected", () =>
  withEmulator(async (emulator, dir) => {
    const { files, tgz } = await sampleArchive();
    const task = await serveResults(emulator, tgz);
    const ctx = { ...task, timeoutMs: 300 };
    emulator.faults.inject({ kind: "slow", route: "storage", delayMs: 2_000, chunkBytes: 1 << 20 });
    await assertSameFiles(dir, await downloadResults(ctx, { outputDirectory: dir }), files);
    assertEquals(emulator.requests.filter((r) => r.route === "storage").length, 2);
  }));

Deno.test("CLI download and quicklooks print absolute paths, one per line", () =>
  withEmulator(async (emulator, dir) => {
    const script = `${dir}/cli.ts`;
    await Deno.writeTextFile(
      script,
      `import { createContext } from ${
        JSON.stringify(new URL("../lib/context.ts", import.meta.url).href)
      };
import { runDownloadCommand, runQuicklooksCommand } from ${
        JSON.stringify(new URL("../lib/cli_download.ts", import.meta.url).href)
      };
const [command, jobtaskId, ...args] = Deno.args;
const ctx = createContext({ jobId: ${JSON.stringify(emulator.jobId)}, jobtaskId });
const run = command === "download" ? runDownloadCommand : runQuicklooksCommand;
try {
  Deno.exit(await run(ctx, args));
} catch (error) {
  console.error("error: " + (error as Error).message);
  Deno.exit(1);
}
`,
    );
    const cli = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          new URL("../deno.json", import.meta.url).pathname,
          script,
          ...args,
        ],
        cwd: dir,
        env: {
          UP42_API_URL: emulator.url,
          UP42_PROJECT_ID: emulator.projectId,
          UP42_PROJECT_API_KEY: emulator.projectApiKey,
        },
      }).output();
      const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
    };
    const download = await cli("download", emulator.jobtasks.zip, "--out", "zip");
    assertEquals(download.code, 0, download.stderr);
    assertEquals(download.stderr, "", "no progress noise when stderr is not a terminal");
    const expected = [...(await expectedFiles("zip")).keys()].sort().map((p) => `${dir}/zip/${p}`);
    assertEquals(download.stdout.trim().split("\n"), expected);
    const again = await cli("download", emulator.jobtasks.zip, "--out", "zip", "--no-overwrite");
    assertEquals(again.code, 1);
    assert(/^error: results file .* already exists/.test(again.stderr), again.stderr);
    assertEquals(again.stderr.trim().split("\n").length, 1, "one line on stderr");
    const quicklooks = await cli("quicklooks", emulator.jobtasks.dataBlock, "--out", "ql");
    assertEquals(quicklooks.code, 0, quicklooks.stderr);
    const lines = quicklooks.stdout.trim().split("\n");
    assertEquals(lines.length, 2);
    assert(lines[0].startsWith(`${dir}/ql/quicklook_`) && lines[0].endsWith(".png"), lines[0]);
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
    assert(zip[6] & 8, "the fixture uses data descriptors");
    const ctx = await serveResults(emulator, zip, "output.zip");
    const paths = await downloadResults(ctx, { outputDirectory: dir });
    await assertSameFiles(dir, paths, new Map(Object.entries(files)));
    const sizes = [];
    for await (const entry of streamResults(ctx)) {
      sizes.push(entry.size);
      await entry.stream.cancel();
    }
    assertEquals(sizes, [-1, -1, -1]);
    const corrupt = zip.slice();
    corrupt[zip.length >> 1] ^= 0x55;
    const bad = await serveResults(emulator, corrupt, "output.zip");
    await assertRejects(
      () => downloadResults(bad, { outputDirectory: `${dir}/bad` }),
      ArchiveError,
      "corrupt",
    );
  }));

Deno.test("an output directory that is a file is a ConfigError", () =>
  withEmulator(async (emulator, dir) => {
    await Deno.writeTextFile(`${dir}/taken`, "x");
    await assertRejects(
      () => downloadResults(contextFor(emulator), { outputDirectory: `${dir}/taken` }),
      ConfigError,
      "not a folder",
    );
    assertEquals(await tree(dir), ["taken"]);
  }));
