import assert from "node:assert/strict";
import { packTar } from "modern-tar";
import { ArchiveError } from "../../../mod.ts";
import { byteReader } from "../../../lib/download/archive/byte_reader.ts";
import type { RawEntry } from "../../../lib/download/archive/entry.ts";
import { readTar } from "../../../lib/download/archive/tar.ts";
import { bytesOf, concat, noise, rawTar } from "../../support/archives.ts";
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
