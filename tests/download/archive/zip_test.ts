import assert from "node:assert/strict";
import zlib from "node:zlib";
import { Zip, ZipDeflate, ZipPassThrough, zipSync } from "fflate";
import { ArchiveError } from "../../../mod.ts";
import { byteReader } from "../../../lib/download/archive/byte_reader.ts";
import { readZip } from "../../../lib/download/archive/zip.ts";
import { checkedEntries, DEFAULT_LIMITS } from "../../../lib/download/archive/mod.ts";
import { bytesOf, concat, noise, rawZip, type RawZipEntry } from "../../support/archives.ts";
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

Deno.test("zip: a stored entry whose size follows it ends at the descriptor that proves itself", async () => {
  // The data holds the descriptor's signature and a fake descriptor: a signature scan would cut it.
  const tricky = concat([
    bytesOf("head PK\x07\x08"),
    new Uint8Array(12),
    bytesOf("PK\x03\x04 tail"),
    noise(70_000),
  ]);
  const files = { "s.bin": tricky, "t.txt": bytesOf("second") };
  for (const chunk of [1, 13, 4096]) {
    const got = await entries(await streamed(files, true), chunk);
    for (const [name, bytes] of Object.entries(files)) assert.deepEqual(got.get(name), bytes);
  }
  for (const descriptor of ["32", "64", "32-nosig"] as const) {
    const zip = await rawZip([
      { name: "a.bin", body: tricky, method: 0, descriptor },
      { name: "empty", method: 0, descriptor },
    ]);
    const got = await entries(zip, 1000);
    assert.deepEqual(got.get("a.bin"), tricky, descriptor);
    assert.equal(got.get("empty")?.length, 0);
  }
});

Deno.test("zip: data descriptors of every width are read whatever the local header says", async () => {
  const body = noise(50_000, 9);
  const layouts: RawZipEntry[] = [
    { name: "go.bin", body, descriptor: "64" }, // 64-bit sizes without a zip64 field
    { name: "net.bin", body, descriptor: "32", zip64: true }, // a zip64 field, 32-bit sizes
    { name: "pipe.bin", body, descriptor: "32", localSizes: "size-only" }, // Info-ZIP to a pipe
    { name: "big.bin", body, zip64: true }, // zip64 sizes in the headers
    { name: "zeros.bin", body: new Uint8Array(3_000_000) }, // a high compression ratio
  ];
  const got = await entries(await rawZip(layouts), 777);
  for (const { name, body } of layouts) assert.deepEqual(got.get(name as string), body, `${name}`);
});

Deno.test("zip: a self-extracting archive is read after its stub, offsets adjusted or not", async () => {
  const stub = concat([bytesOf("#!/bin/sh\nexit 0\n"), bytesOf("PK\x03\x04"), noise(5000)]);
  for (const offsetsFromStub of [false, true]) {
    const zip = await rawZip([{ name: "a.txt", body: bytesOf("inside") }, {
      name: "b.bin",
      body: noise(3000),
      method: 0,
    }], { stub, offsetsFromStub });
    if (!offsetsFromStub) {
      // Cut from its stub, an adjusted archive's offsets point past its entries.
      await caught(() => entries(zip.subarray(stub.length), 100), ArchiveError);
    }
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= zip.length) return c.close();
        c.enqueue(zip.slice(at, at += 333));
      },
    });
    const names = [];
    for await (const entry of checkedEntries(stream, DEFAULT_LIMITS)) names.push(entry.path);
    assert.deepEqual(names, ["a.txt", "b.bin"]);
  }
});

Deno.test("zip: names from the Unicode path field, else UTF-8, else CP437", async () => {
  const cp437 = new Uint8Array([0x72, 0x82, 0x73, 0x2e, 0x74, 0x78, 0x74]); // "r\x82s.txt"
  const unicode = concat([
    new Uint8Array([0x75, 0x70, 18, 0, 1]),
    new Uint8Array(4),
    bytesOf("résultat.txt"),
  ]);
  new DataView(unicode.buffer).setUint32(5, zlib.crc32(bytesOf("resultat.txt")) >>> 0, true);
  const zip = await rawZip([
    { name: cp437, body: bytesOf("a") },
    { name: "résumé.txt", body: bytesOf("b") },
    { name: "resultat.txt", extra: unicode, body: bytesOf("c") },
  ]);
  assert.deepEqual([...(await entries(zip)).keys()], ["rés.txt", "résumé.txt", "résultat.txt"]);
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

Deno.test("zip: sizes, offsets and counts the central directory lies about are refused", async () => {
  const body = bytesOf("hello world");
  const cases: [string, Uint8Array][] = [
    ["size", await rawZip([{ name: "a.txt", body, central: { size: 5 } }])],
    ["offset", await rawZip([{ name: "a.txt", body, central: { offset: 99_999 } }])],
    ["count", await rawZip([{ name: "a.txt", body }], { endCount: 65535 })],
    ["name", await rawZip([{ name: "a.txt", body, central: { name: "../x.txt" } }])],
  ];
  for (const [what, zip] of cases) {
    assert.equal((await caught(() => entries(zip), ArchiveError)).reason, "corrupt", what);
  }
  assert.deepEqual(
    await entries(await rawZip([{ name: "a.txt", body }])),
    new Map([["a.txt", body]]),
  );
});

Deno.test("zip: encryption and other methods are refused, naming the entry and the method", async () => {
  const zip = zipSync({ "a.txt": [bytesOf("hello"), { level: 0 }] });
  const bzip2 = zip.slice();
  bzip2[8] = 12; // the local header's method
  const error = await caught(() => entries(bzip2), ArchiveError);
  assert.deepEqual([error.reason, error.entry, error.detail], [
    "unsupported",
    "a.txt",
    "compression method 12 (BZip2)",
  ]);
  const encrypted = zip.slice();
  encrypted[6] |= 1; // flag bit 0
  assert.equal((await caught(() => entries(encrypted), ArchiveError)).reason, "unsupported");
});
