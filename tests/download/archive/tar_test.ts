import assert from "node:assert/strict";
import { packTar } from "modern-tar";
import { ArchiveError } from "../../../mod.ts";
import { byteReader } from "../../../lib/download/archive/byte_reader.ts";
import type { RawEntry } from "../../../lib/download/archive/entry.ts";
import { readTar } from "../../../lib/download/archive/tar.ts";
import { bytesOf, concat, noise, paxData, rawTar } from "../../support/archives.ts";
import { caught } from "../../support/errors.ts";

/** The entries of `tar` read in chunks of `chunk` bytes, with their contents. */
async function entries(
  tar: Uint8Array,
  chunk = 7,
): Promise<(Omit<RawEntry, "read"> & { body: Uint8Array })[]> {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= tar.length) return c.close();
      c.enqueue(tar.slice(at, at += chunk));
    },
  });
  const out = [];
  for await (const entry of readTar(byteReader(stream))) {
    const parts: Uint8Array[] = [];
    for (let piece = await entry.read(); piece; piece = await entry.read()) {
      parts.push(piece.slice());
    }
    out.push({ name: entry.name, kind: entry.kind, size: entry.size, body: concat(parts) });
  }
  return out;
}

Deno.test("tar: ustar, pax and GNU long names, every kind, contents across chunk borders", async () => {
  const long = `output/${"d".repeat(120)}/file.tif`;
  const tar = rawTar([
    { name: "output/", type: "5" },
    { name: "output/a.txt", body: bytesOf("hello") },
    { name: "placeholder", body: noise(1500), pax: { path: long } },
    { name: "output/link", type: "2", linkname: "a.txt" },
    { name: "output/dev", type: "3" },
  ]);
  const got = await entries(tar);
  assert.deepEqual(got.map((e) => [e.name, e.kind, e.size]), [
    ["output/", "directory", 0],
    ["output/a.txt", "file", 5],
    [long, "file", 1500],
    ["output/link", "symlink", 0],
    ["output/dev", "character-device", 0],
  ]);
  assert.deepEqual(got[2].body, noise(1500));
  const packed = await packTar([{
    header: { name: `${"p".repeat(150)}/x.txt`, size: 2, type: "file" },
    body: "hi",
  }]);
  assert.equal((await entries(packed, 100))[0].name, `${"p".repeat(150)}/x.txt`);
});

Deno.test("tar: unread contents are skipped; a name field ends at its first NUL, as in GNU tar", async () => {
  const tar = rawTar([
    { name: "a.bin", body: noise(3000) },
    { name: concat([bytesOf("b.txt"), new Uint8Array([0]), bytesOf("x")]) },
  ]);
  const names = [];
  for await (
    const entry of readTar(byteReader(new Blob([tar as Uint8Array<ArrayBuffer>]).stream()))
  ) names.push(entry.name);
  assert.deepEqual(names, ["a.bin", "b.txt"]);
});

Deno.test("tar: checksum errors, bad numbers and truncation are ArchiveErrors", async () => {
  const good = rawTar([{ name: "a.txt", body: bytesOf("hello") }]);
  const bad = good.slice();
  bad[0] ^= 1;
  assert.equal((await caught(() => entries(bad), ArchiveError)).reason, "corrupt");
  const cut = good.subarray(0, 600);
  const truncated = await caught(() => entries(cut), ArchiveError);
  assert.deepEqual([truncated.reason, truncated.entry], ["truncated", "a.txt"]);
  const octal = good.slice();
  octal.set(bytesOf("9999"), 124);
  assert.equal((await caught(() => entries(octal), ArchiveError)).reason, "corrupt");
});

const octal = (value: number, width: number) =>
  bytesOf(value.toString(8).padStart(width - 1, "0") + "\u0000");

Deno.test("tar: sparse files expand with their holes, under their real names", async () => {
  const data = bytesOf("abcxyz");
  const expanded = concat([bytesOf("abc"), new Uint8Array(4), bytesOf("xyz")]);
  const map10 = new Uint8Array(512);
  map10.set(bytesOf("2\n0\n3\n7\n3\n"));
  const got = await entries(rawTar([
    {
      name: "GNUSparseFile.1/a.bin",
      body: concat([map10, data]),
      pax: {
        "GNU.sparse.major": "1",
        "GNU.sparse.minor": "0",
        "GNU.sparse.name": "output/a.bin",
        "GNU.sparse.realsize": "10",
      },
    },
    {
      name: "GNUSparseFile.1/b.bin",
      body: data,
      pax: {
        "GNU.sparse.size": "10",
        "GNU.sparse.map": "0,3,7,3",
        "GNU.sparse.name": "output/b.bin",
      },
    },
    {
      name: "output/c.bin",
      type: "S",
      magic: "gnu",
      body: data,
      poke: [[386, octal(0, 12)], [398, octal(3, 12)], [410, octal(7, 12)], [422, octal(3, 12)], [
        483,
        octal(10, 12),
      ]],
    },
  ]));
  assert.deepEqual(got.map((e) => [e.name, e.size]), [
    ["output/a.bin", 10],
    ["output/b.bin", 10],
    ["output/c.bin", 10],
  ]);
  for (const entry of got) assert.deepEqual(entry.body, expanded, entry.name);
});

Deno.test("tar: hostile sparse maps are refused before anything is allocated", async () => {
  const cases: [string, Record<string, string>, Uint8Array?][] = [
    ["overlapping", { "GNU.sparse.size": "10", "GNU.sparse.map": "0,4,2,2" }],
    ["descending", { "GNU.sparse.size": "10", "GNU.sparse.map": "6,2,0,4" }],
    ["past the real size", { "GNU.sparse.size": "10", "GNU.sparse.map": "0,2,9,4" }],
    ["more data than stored", { "GNU.sparse.size": "10", "GNU.sparse.map": "0,6,7,3" }],
    ["a huge region count", {
      "GNU.sparse.major": "1",
      "GNU.sparse.minor": "0",
      "GNU.sparse.realsize": "1125899906842624",
    }, concat([bytesOf("99999999999\n"), new Uint8Array(500)])],
    ["an unknown format", { "GNU.sparse.major": "2", "GNU.sparse.minor": "0" }],
  ];
  for (const [title, pax, body] of cases) {
    const tar = rawTar([{ name: "s.bin", body: body ?? bytesOf("abcdef"), pax }]);
    const error = await caught(() => entries(tar), ArchiveError);
    assert.ok(["corrupt", "unsupported"].includes(error.reason), title);
    assert.equal(error.entry, "s.bin", title);
  }
});

Deno.test("tar: header kinds, global headers and old-style folders read as GNU tar reads them", async () => {
  const atimes = bytesOf("13727410000\u000014226200200\u0000");
  const star = new Uint8Array(155);
  star.set(bytesOf("p".repeat(20)));
  star.set(bytesOf("13727410000 14226200200 "), 131); // star's times after a 131-byte prefix
  const got = await entries(rawTar([
    // GNU headers keep times where ustar keeps its prefix.
    { name: "output/gnu.txt", magic: "gnu", poke: [[345, atimes]], body: bytesOf("g") },
    { name: "x.txt", poke: [[345, star]], body: bytesOf("s") },
    // A global header's path applies to every later entry until the next global header.
    { name: "g", type: "g", body: paxData({ path: "output/global.txt" }) },
    { name: "ignored.txt", body: bytesOf("1") },
    { name: "g", type: "g", body: paxData({ comment: "no path" }) },
    { name: "output/after.txt", body: bytesOf("2") },
    // v7 and ustar folders written as regular files whose name ends in "/".
    { name: "output/old/", magic: "v7" },
    { name: "output/old2/", type: "\0" },
    // A folder's size field is no content: GNU tar reads the next header right after it.
    { name: "output/dir/", type: "5", size: 512 },
    { name: "output/inside.txt", body: bytesOf("i") },
  ]));
  assert.deepEqual(got.map((e) => [e.name, e.kind, new TextDecoder().decode(e.body)]), [
    ["output/gnu.txt", "file", "g"],
    [`${"p".repeat(20)}/x.txt`, "file", "s"],
    ["output/global.txt", "file", "1"],
    ["output/after.txt", "file", "2"],
    ["output/old/", "directory", ""],
    ["output/old2/", "directory", ""],
    ["output/dir/", "directory", ""],
    ["output/inside.txt", "file", "i"],
  ]);
});

Deno.test("tar: a missing end-of-archive block is accepted only when the caller vouches for the end", async () => {
  const tar = rawTar([{ name: "a.txt", body: bytesOf("hello") }], { end: false });
  const read = async (bytes: Uint8Array, endMarker: "required" | "optional") => {
    const names = [];
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
    for await (const entry of readTar(byteReader(stream), { endMarker })) names.push(entry.name);
    return names;
  };
  assert.deepEqual(await read(tar, "optional"), ["a.txt"]);
  assert.equal((await caught(() => read(tar, "required"), ArchiveError)).reason, "truncated");
  // One zero block ends an archive, as in GNU tar.
  assert.deepEqual(await read(concat([tar, new Uint8Array(512)]), "required"), ["a.txt"]);
  // A header cut short is never an end.
  const cut = concat([tar, tar.subarray(0, 100)]);
  assert.equal((await caught(() => read(cut, "optional"), ArchiveError)).reason, "truncated");
});
