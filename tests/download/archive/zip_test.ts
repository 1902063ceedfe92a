import assert from "node:assert/strict";
import { Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";
import { ArchiveError } from "../../../mod.ts";
import { byteReader } from "../../../lib/download/archive/byte_reader.ts";
import { readZip } from "../../../lib/download/archive/zip.ts";
import { bytesOf, concat, noise } from "../../support/archives.ts";
import { caught } from "../../support/errors.ts";

async function entries(zip: Uint8Array, chunk = 4096) {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= zip.length) return c.close();
      c.enqueue(zip.slice(at, at += chunk));
    },
  });
  const out = new Map<string, Uint8Array>();
  for await (const entry of readZip(byteReader(stream))) {
    const parts: Uint8Array[] = [];
    for (let piece = await entry.read(); piece; piece = await entry.read()) {
      parts.push(piece.slice());
    }
    out.set(entry.name, concat(parts));
  }
  return out;
}

function streamed(files: Record<string, Uint8Array>, stored = false): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    const zip = new Zip((error, chunk, final) => {
      if (error) return reject(error);
      parts.push(chunk);
      if (final) resolve(concat(parts));
    });
    for (const [name, bytes] of Object.entries(files)) {
      const entry = stored ? new ZipPassThrough(name) : new ZipDeflate(name, { level: 6 });
      zip.add(entry);
      entry.push(bytes, true);
    }
    zip.end();
  });
}

Deno.test("zip: stored and deflated entries, byte-exact at any chunk size", async () => {
  const files = { "a.txt": bytesOf("hello"), "b.bin": noise(200_000), "c/empty": new Uint8Array() };
  const zip = zipSync({
    "a.txt": [files["a.txt"], { level: 0 }],
    "b.bin": files["b.bin"],
    "c/empty": files["c/empty"],
  });
  for (const chunk of [1, 1000, 1 << 20]) {
    const got = await entries(zip, chunk);
    assert.deepEqual([...got.keys()], Object.keys(files));
    for (const [name, bytes] of Object.entries(files)) assert.deepEqual(got.get(name), bytes);
  }
});

Deno.test("zip: deflated entries whose sizes follow the data are delimited by the stream", async () => {
  const files = { "x.bin": noise(300_000, 3), "y.txt": bytesOf("y".repeat(5000)) };
  const got = await entries(await streamed(files), 777);
  for (const [name, bytes] of Object.entries(files)) assert.deepEqual(got.get(name), bytes);
});

Deno.test("zip: a stored entry with a data descriptor is refused as unsupported, naming it", async () => {
  const error = await caught(
    () => streamed({ "s.bin": noise(100) }, true).then(entries),
    ArchiveError,
  );
  assert.deepEqual([error.reason, error.entry], ["unsupported", "s.bin"]);
});

Deno.test("zip: a CRC mismatch and a central directory that disagrees are corrupt", async () => {
  const zip = zipSync({ "a.txt": [bytesOf("hello world"), { level: 0 }] });
  const crc = zip.slice();
  crc[14] ^= 0xff; // the local header's CRC-32
  assert.deepEqual(
    [(await caught(() => entries(crc), ArchiveError)).reason],
    ["corrupt"],
  );
  const renamed = zip.slice();
  const central = renamed.findLastIndex((_, i) =>
    renamed[i] === 0x50 && renamed[i + 1] === 0x4b && renamed[i + 2] === 1 && renamed[i + 3] === 2
  );
  renamed[central + 46] ^= 0x20; // first letter of the name in the central directory
  const error = await caught(() => entries(renamed), ArchiveError);
  assert.deepEqual([error.reason, error.entry], ["corrupt", "A.txt"]);
});
