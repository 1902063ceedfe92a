/**
 * A hostile archive corpus: each archive must fail the whole download with an
 * error naming the entry, write nothing outside the output directory and
 * leave nothing inside it (files already there stay untouched).
 */
import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { ArchiveError, ConfigError, downloadResults, streamResults } from "../../mod.ts";
import { bytesOf, gzip, noise, rawTar, type RawTarEntry, tree } from "../support/archives.ts";
import { serveResults, withEmulator } from "../support/emulator.ts";
import { caught } from "../support/errors.ts";
import { startStorageServer, type StorageAnswer } from "../support/storage_server.ts";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const hello = bytesOf("hello");
const long = "a".repeat(300);

/** Each case: the entries, the reason it is refused, and text its entry or detail holds. */
const TAR_CASES: {
  title: string;
  entries: RawTarEntry[];
  names: string;
  reason?: ArchiveError["reason"];
}[] = [
  {
    title: "../ escape",
    entries: [{ name: "output/../../escaped.txt", body: hello }],
    names: "output/../../escaped.txt",
  },
  {
    title: "bare ../",
    entries: [{ name: "../escaped.txt", body: hello }],
    names: "../escaped.txt",
  },
  {
    title: "absolute path",
    entries: [{ name: "/tmp/up42-absolute.txt", body: hello }],
    names: "/tmp/up42-absolute.txt",
  },
  {
    title: "symlink, then a file through it",
    entries: [
      { name: "output/link", type: "2", linkname: "../../.." },
      { name: "output/link/through.txt", body: hello },
    ],
    names: "output/link",
  },
  {
    title: "hard link to an outside file",
    entries: [{ name: "output/passwd", type: "1", linkname: "/etc/passwd" }],
    names: "output/passwd",
  },
  {
    title: "character device",
    entries: [{ name: "output/data.json", body: hello }, { name: "output/null", type: "3" }],
    names: "output/null",
  },
  { title: "block device", entries: [{ name: "output/sda", type: "4" }], names: "output/sda" },
  { title: "FIFO", entries: [{ name: "output/pipe", type: "6" }], names: "output/pipe" },
  {
    title: "duplicate entry",
    entries: [{ name: "output/a.txt", body: hello }, { name: "output/a.txt", body: hello }],
    names: "output/a.txt",
  },
  {
    title: "duplicate differing only in case",
    entries: [{ name: "output/A.tif", body: hello }, { name: "output/a.TIF", body: hello }],
    names: "output/a.TIF",
  },
  {
    title: "file where a folder was",
    entries: [{ name: "output/x/y.txt", body: hello }, { name: "output/x", body: hello }],
    names: "output/x",
  },
  {
    title: "NUL in a pax path",
    entries: [{ name: "placeholder", body: hello, pax: { path: "output/a\u0000../../x" } }],
    names: "\\u0000",
  },
  {
    title: "backslash",
    entries: [{ name: "output\\..\\..\\escaped.txt", body: hello }],
    names: "backslash",
  },
  {
    title: "very long name",
    entries: [{ name: "placeholder", body: hello, pax: { path: `output/${long}.tif` } }],
    names: "longer than 255",
  },
  {
    title: "newline in a name",
    entries: [{ name: "output/a\nb.txt", body: hello }],
    names: "control character",
  },
  {
    title: "staging folder name",
    entries: [{ name: "output/.up42-staging-x/a.txt", body: hello }],
    names: "staging",
  },
  {
    title: "unknown entry type",
    entries: [{ name: "output/vendor", type: "X", body: hello }],
    names: "output/vendor",
  },
  {
    title: "huge size field",
    entries: [{ name: "output/bomb.bin", body: hello, size: 8 ** 11 - 1 }],
    names: "maxBytes",
    reason: "limit",
  },
];

const AMBIGUOUS = [
  "duplicate entry",
  "duplicate differing only in case",
  "file where a folder was",
];

for (const { title, entries, names, reason } of TAR_CASES) {
  Deno.test(`hostile tgz: ${title}`, () =>
    withEmulator(async (emulator, dir) => {
      const ctx = await serveResults(emulator, await gzip(rawTar(entries)));
      const out = `${dir}/sandbox/out`;
      await Deno.mkdir(out, { recursive: true });
      await Deno.writeTextFile(`${out}/mine.txt`, "keep me");
      const failure = await caught(
        () => downloadResults(ctx, { outputDirectory: out, maxBytes: 1e9 }),
        ArchiveError,
      );
      assert.equal(
        failure.reason,
        reason ?? (AMBIGUOUS.includes(title) ? "ambiguous" : "unsafe"),
        failure.message,
      );
      const said = JSON.stringify([failure.entry, failure.detail, failure.limit]);
      assert.ok(said.includes(names), `${said} should name ${names}`);
      assert.ok(!failure.message.includes("\n"), "one-line message");
      assert.deepEqual(await tree(dir), ["sandbox/", "sandbox/out/", "sandbox/out/mine.txt"]);
      assert.equal(await Deno.readTextFile(`${out}/mine.txt`), "keep me");
      for (const escaped of [`${dir}/escaped.txt`, "/tmp/up42-absolute.txt"]) {
        await Deno.lstat(escaped).then(() => assert.fail(`${escaped} written`), () => {});
      }
    }));
}

Deno.test("hostile zip: ../ entry, absolute entry, symlink by attributes", () =>
  withEmulator(async (emulator, dir) => {
    const cases: [Record<string, Uint8Array | [Uint8Array, Record<string, number>]>, string][] = [
      [{ "output/ok.txt": hello, "output/../../escaped.txt": hello }, "output/../../escaped.txt"],
      [{ "/etc/up42-absolute.txt": hello }, "/etc/up42-absolute.txt"],
      [{
        "output/ok.txt": hello,
        "output/link": [bytesOf("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
      }, "output/link"],
    ];
    for (const [files, entry] of cases) {
      const ctx = await serveResults(emulator, zipSync(files as never), "output.zip");
      const error = await caught(
        () => downloadResults(ctx, { outputDirectory: `${dir}/out` }),
        ArchiveError,
      );
      assert.deepEqual([error.reason, error.entry], ["unsafe", entry]);
      assert.deepEqual(await tree(dir), []);
    }
  }));

Deno.test("entry limits stop a decompression bomb before it fills the disk", () =>
  withEmulator(async (emulator, dir) => {
    const big = new Uint8Array(5_000_000);
    const ctx = await serveResults(
      emulator,
      await gzip(rawTar([{ name: "output/zeros.bin", body: big }])),
    );
    const bytes = await caught(
      () => downloadResults(ctx, { outputDirectory: `${dir}/out`, maxBytes: 1_000_000 }),
      ArchiveError,
    );
    assert.deepEqual([bytes.reason, bytes.limit], ["limit", "maxBytes"]);
    const many = rawTar(Array.from({ length: 20 }, (_, i) => ({ name: `output/${i}.txt` })));
    const ctx2 = await serveResults(emulator, await gzip(many));
    const entries = await caught(
      () => downloadResults(ctx2, { outputDirectory: `${dir}/out`, maxEntries: 10 }),
      ArchiveError,
    );
    assert.deepEqual([entries.reason, entries.limit], ["limit", "maxEntries"]);
    assert.deepEqual(await tree(dir), []);
  }));

Deno.test("a link already in the output folder is never written through", () =>
  withEmulator(async (emulator, dir) => {
    const outside = `${dir}/outside`;
    const out = `${dir}/out`;
    await Deno.mkdir(outside);
    await Deno.mkdir(out);
    await Deno.symlink(outside, `${out}/scene`);
    const tar = rawTar([{ name: "output/scene/x.tif", body: hello }]);
    const ctx = await serveResults(emulator, await gzip(tar));
    const error = await caught(() => downloadResults(ctx, { outputDirectory: out }), ConfigError);
    assert.match(error.problem, /scene exists and is not a folder/);
    assert.deepEqual(await tree(dir), ["out/", "out/scene@", "outside/"]);
  }));

Deno.test("streamResults applies the same checks", () =>
  withEmulator(async (emulator) => {
    const tar = rawTar([
      { name: "output/ok.txt", body: hello },
      { name: "output/link", type: "2", linkname: "/etc" },
    ]);
    const ctx = await serveResults(emulator, await gzip(tar));
    const seen: string[] = [];
    const error = await caught(async () => {
      for await (const entry of streamResults(ctx)) {
        seen.push(entry.name);
        await entry.stream.cancel();
      }
    }, ArchiveError);
    assert.deepEqual([error.reason, error.entry], ["unsafe", "output/link"]);
    assert.deepEqual(seen, ["ok.txt"]);
  }));

Deno.test("a tar without its end block is accepted when the download verified, refused when nothing could", () =>
  withEmulator(async (emulator, dir) => {
    const tar = rawTar([{ name: "output/a.txt", body: hello }], { end: false });
    // The emulator announces the length and the hashes: the clean end is the archive's end.
    const ctx = await serveResults(emulator, tar, "output.tar");
    const files = await downloadResults(ctx, { outputDirectory: `${dir}/verified` });
    assert.deepEqual(files, [`${dir}/verified/a.txt`]);
    // No length, no hash: the same bytes may be a cut download.
    await using server = startStorageServer(() => ({ body: [tar] }));
    const error = await caught(
      () => downloadResults(server.ctx, { outputDirectory: `${dir}/unverified` }),
      ArchiveError,
    );
    assert.equal(error.reason, "truncated");
    assert.deepEqual(await tree(dir), [
      "verified/",
      "verified/.up42-manifest.json",
      "verified/a.txt",
    ]);
  }));

/** A download that fails while the storage keeps sending, or stalls, or answers an error. */
const FAILURES: {
  title: string;
  answer: (request: Request) => StorageAnswer;
  options?: () => Partial<Parameters<typeof downloadResults>[1]>;
}[] = [
  {
    title: "an unsafe entry while the body goes on",
    answer: () => ({
      body: [rawTar([{ name: "../x", body: hello }], { end: false })],
      then: "repeat",
    }),
  },
  {
    title: "a limit while the body goes on",
    answer: () => ({
      body: [
        rawTar([{ name: "output/big", size: 1e9 }], { end: false }).subarray(0, 512),
        noise(65536),
      ],
      then: "repeat",
    }),
    options: () => ({ maxBytes: 1_000_000 }),
  },
  {
    title: "not an archive",
    answer: () => ({ body: [bytesOf("<html>".repeat(100))], then: "repeat" }),
  },
  {
    title: "an error status with an endless body",
    answer: () => ({ status: 403, body: [bytesOf("denied ".repeat(2000))], then: "repeat" }),
  },
  {
    title: "a body that stalls on every attempt",
    answer: () => ({
      headers: { "content-length": "1000000" },
      body: [rawTar([{ name: "output/big", size: 999_000 }], { end: false }).subarray(0, 512)],
      then: "stall",
    }),
    options: () => ({ maxResumes: 2 }),
  },
  {
    title: "a resume answered from the wrong byte",
    answer: (request) => ({
      status: request.headers.has("range") ? 206 : 200,
      headers: {
        "content-length": "1000000",
        ...(request.headers.has("range") ? { "content-range": "bytes 0-9/1000000" } : {}),
      },
      body: [rawTar([{ name: "output/big", size: 999_000 }], { end: false }).subarray(0, 512)],
      then: "stall",
    }),
  },
  {
    title: "an abort in the middle of a large entry",
    answer: () => ({
      body: [
        rawTar([{ name: "output/big", size: 1e10 }], { end: false }).subarray(0, 512),
        noise(65536),
      ],
      then: "repeat",
    }),
    options: () => ({ signal: AbortSignal.timeout(300) }),
  },
];

for (const { title, answer, options } of FAILURES) {
  Deno.test(`a failed download releases every connection: ${title}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "up42-test-" });
    await using server = startStorageServer(answer);
    try {
      const started = performance.now();
      await assert.rejects(() =>
        downloadResults(server.ctx, { outputDirectory: `${dir}/out`, ...options?.() })
      );
      assert.ok(performance.now() - started < 10_000);
      // The storage sees each response body cancelled (its connection closed) promptly.
      for (let i = 0; i < 50 && server.openBodies() > 0; i++) await delay(20);
      assert.equal(server.openBodies(), 0, `${server.requests()} requests`);
      assert.deepEqual(await tree(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a script whose download failed exits at once, nothing keeping it alive", async () => {
  await using server = startStorageServer(() => ({
    body: [rawTar([{ name: "../x", body: hello }], { end: false })],
    then: "repeat",
  }));
  const script = `
    import { createContext, downloadResults } from ${
    JSON.stringify(new URL("../../mod.ts", import.meta.url).href)
  };
    const ctx = createContext({ apiUrl: ${
    JSON.stringify(server.ctx.apiUrl)
  }, projectId: "p", token: "t", jobId: "j", jobtaskId: "t" });
    const out = await Deno.makeTempDir();
    await downloadResults(ctx, { outputDirectory: out }).catch((e) => console.log(e.name));
    console.log(performance.now());
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("../../deno.json", import.meta.url).pathname, script],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const started = performance.now();
  const output = await child.output();
  const [name] = new TextDecoder().decode(output.stdout).trim().split("\n");
  assert.equal(name, "ArchiveError");
  // The whole process, start-up included, ends within seconds, not after the server lets go.
  assert.ok(performance.now() - started < 8_000);
});
