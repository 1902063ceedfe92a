/**
 * A hostile archive corpus: each archive must fail the whole download with an
 * error naming the entry, write nothing outside the output directory and
 * leave nothing inside it (files already there stay untouched).
 */
import { zipSync } from "fflate";
import { downloadResults } from "../lib/download.ts";
import { ArchiveError, ConfigError } from "../lib/errors.ts";
import { streamResults } from "../lib/stream_results.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import {
  bytesOf,
  concat,
  gzip,
  rawTar,
  type RawTarEntry,
  serveResults,
  tree,
  withEmulator,
} from "./archive_fixtures.ts";

const hello = bytesOf("hello");
const long = "a".repeat(300);

const TAR_CASES: { title: string; entries: RawTarEntry[]; names: string; error?: string }[] = [
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
    title: "NUL in the name field with bytes after it",
    entries: [{ name: concat([bytesOf("output/ok.txt"), new Uint8Array([0]), bytesOf("../x")]) }],
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
    entries: [{ name: "output/sparse", type: "S", body: hello }],
    names: "output/sparse",
  },
  {
    title: "huge size field",
    entries: [{ name: "output/bomb.bin", body: hello, size: 8 ** 11 - 1 }],
    names: "",
    error: "maxBytes",
  },
];

for (const { title, entries, names, error } of TAR_CASES) {
  Deno.test(`hostile tgz: ${title}`, () =>
    withEmulator(async (emulator, dir) => {
      const ctx = await serveResults(emulator, await gzip(rawTar(entries)));
      const out = `${dir}/sandbox/out`;
      await Deno.mkdir(out, { recursive: true });
      await Deno.writeTextFile(`${out}/mine.txt`, "keep me");
      const failure = await assertRejects(
        () => downloadResults(ctx, { outputDirectory: out, maxBytes: 1e9 }),
        ArchiveError,
        error ?? names,
      );
      assert(!failure.message.includes("\n"), "one-line message");
      assertEquals(await tree(dir), ["sandbox/", "sandbox/out/", "sandbox/out/mine.txt"]);
      assertEquals(await Deno.readTextFile(`${out}/mine.txt`), "keep me");
      for (const escaped of [`${dir}/escaped.txt`, "/tmp/up42-absolute.txt"]) {
        await Deno.lstat(escaped).then(() => assert(false, `${escaped} written`), () => {});
      }
    }));
}

Deno.test("hostile zip: ../ entry, absolute entry, symlink by attributes", () =>
  withEmulator(async (emulator, dir) => {
    const cases: [Record<string, Uint8Array | [Uint8Array, Record<string, number>]>, string][] = [
      [{ "output/ok.txt": hello, "output/../../escaped.txt": hello }, "escaped.txt"],
      [{ "/etc/up42-absolute.txt": hello }, "absolute"],
      [{
        "output/ok.txt": hello,
        "output/link": [bytesOf("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
      }, "symbolic link"],
    ];
    for (const [files, message] of cases) {
      const ctx = await serveResults(emulator, zipSync(files as never), "output.zip");
      await assertRejects(
        () => downloadResults(ctx, { outputDirectory: `${dir}/out` }),
        ArchiveError,
        message,
      );
      assertEquals(await tree(dir), []);
    }
  }));

Deno.test("entry limits stop a decompression bomb before it fills the disk", () =>
  withEmulator(async (emulator, dir) => {
    const big = new Uint8Array(5_000_000);
    const ctx = await serveResults(
      emulator,
      await gzip(rawTar([{ name: "output/zeros.bin", body: big }])),
    );
    await assertRejects(
      () => downloadResults(ctx, { outputDirectory: `${dir}/out`, maxBytes: 1_000_000 }),
      ArchiveError,
      "maxBytes",
    );
    const many = rawTar(Array.from({ length: 20 }, (_, i) => ({ name: `output/${i}.txt` })));
    const ctx2 = await serveResults(emulator, await gzip(many));
    await assertRejects(
      () => downloadResults(ctx2, { outputDirectory: `${dir}/out`, maxEntries: 10 }),
      ArchiveError,
      "maxEntries",
    );
    assertEquals(await tree(dir), []);
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
    await assertRejects(
      () => downloadResults(ctx, { outputDirectory: out }),
      ConfigError,
      "not a folder",
    );
    assertEquals(await tree(dir), ["out/", "out/scene@", "outside/"]);
  }));

Deno.test("streamResults applies the same checks", () =>
  withEmulator(async (emulator) => {
    const tar = rawTar([
      { name: "output/ok.txt", body: hello },
      { name: "output/link", type: "2", linkname: "/etc" },
    ]);
    const ctx = await serveResults(emulator, await gzip(tar));
    const seen: string[] = [];
    await assertRejects(
      async () => {
        for await (const entry of streamResults(ctx)) {
          seen.push(entry.path);
          await entry.stream.cancel();
        }
      },
      ArchiveError,
      "symbolic link",
    );
    assertEquals(seen, ["ok.txt"]);
  }));
