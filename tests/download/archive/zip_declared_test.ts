import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { declaredZipBytes, type ReadRange } from "../../../lib/download/archive/zip_declared.ts";
import { bytesOf, rawZip } from "../../support/archives.ts";

/** Reads from `zip` in memory, counting the reads. */
function reader(zip: Uint8Array): { read: ReadRange; reads: number[][] } {
  const reads: number[][] = [];
  return {
    reads,
    read: (start, end) => {
      reads.push([start, end]);
      return Promise.resolve(zip.slice(start, end + 1));
    },
  };
}

Deno.test("zip declared: the sizes of a packer's zip add up, from one read of its tail", async () => {
  const zip = zipSync({ "a.bin": new Uint8Array(70_000), "b/c.txt": bytesOf("hello") });
  const { read, reads } = reader(zip);
  assert.equal(await declaredZipBytes(zip.length, read), 70_005);
  assert.equal(reads.length, 1);
});

Deno.test("zip declared: Zip64 sizes, a stub before the archive and a comment after it", async () => {
  const zip = await rawZip([
    { name: "big.bin", body: new Uint8Array(5000), zip64: true, descriptor: "64" },
    { name: "small.txt", body: bytesOf("hi") },
  ], { stub: new Uint8Array(100_000).fill(0x90), comment: bytesOf("made by hand") });
  assert.equal(await declaredZipBytes(zip.length, reader(zip).read), 5002);
});

Deno.test("zip declared: a directory beyond the tail is read with a second range", async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 2000; i++) files[`folder/${"x".repeat(60)}-${i}.txt`] = bytesOf(`${i}`);
  const zip = zipSync(files, { level: 0 });
  const { read, reads } = reader(zip);
  const expected = Object.values(files).reduce((n, b) => n + b.length, 0);
  assert.equal(await declaredZipBytes(zip.length, read), expected);
  assert.equal(reads.length, 2);
});

Deno.test("zip declared: what a directory claims is what counts; nothing readable gives undefined", async () => {
  const lying = await rawZip([
    { name: "a.bin", body: bytesOf("tiny"), descriptor: "32", central: { size: 4e9 } },
  ]);
  assert.equal(await declaredZipBytes(lying.length, reader(lying).read), 4e9);
  const noise = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
  assert.equal(await declaredZipBytes(noise.length, reader(noise).read), undefined);
  assert.equal(await declaredZipBytes(lying.length, () => Promise.resolve(undefined)), undefined);
  assert.equal(await declaredZipBytes(10, reader(lying).read), undefined);
});
