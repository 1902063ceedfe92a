import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { crc32 } from "hash-wasm";
import { IntegrityError } from "../../mod.ts";
import { parseGoogHash, verifiedStream } from "../../lib/download/source/verify.ts";
import { noise } from "../support/archives.ts";
import { caught } from "../support/errors.ts";

async function hashesOf(bytes: Uint8Array) {
  const crc = await crc32(bytes, 0x82f63b78);
  return {
    crc32c: Uint8Array.fromHex(crc).toBase64(),
    md5: createHash("md5").update(bytes).digest("base64"),
  };
}

function chunked(bytes: Uint8Array, size = 1000) {
  let at = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at += size));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

const drain = async (stream: ReadableStream<Uint8Array>) => {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
};

Deno.test("verify: bytes pass through unchanged when length and hashes match", async () => {
  const bytes = noise(50_000);
  const hashes = await hashesOf(bytes);
  for (const check of ["auto", "all", "none"] as const) {
    const counts: number[] = [];
    const out = await verifiedStream(chunked(bytes).stream, {
      length: bytes.length,
      hashes,
      check,
      onBytes: (n) => counts.push(n),
    });
    assert.deepEqual(new Uint8Array(await new Response(out).arrayBuffer()), bytes);
    assert.equal(counts.at(-1), bytes.length);
  }
});

Deno.test("verify: each failed check is an IntegrityError with its values", async () => {
  const bytes = noise(10_000);
  const good = await hashesOf(bytes);
  const other = await hashesOf(noise(10_000, 2));
  const cases = [
    [{ length: bytes.length + 1, hashes: good }, "length"],
    [{ length: bytes.length - 1, hashes: good }, "length"],
    [{ hashes: { ...good, crc32c: other.crc32c } }, "crc32c"],
    [{ hashes: { md5: other.md5 } }, "md5"],
    [{ hashes: { crc32c: good.crc32c, md5: other.md5 }, check: "all" }, "md5"],
  ] as const;
  for (const [options, check] of cases) {
    const source = chunked(bytes);
    const error = await caught(
      async () => drain(await verifiedStream(source.stream, options)),
      IntegrityError,
    );
    assert.equal(error.check, check);
  }
  // With auto, an md5 mismatch goes unchecked when crc32c is announced and right.
  const auto = await verifiedStream(chunked(bytes).stream, {
    hashes: { crc32c: good.crc32c, md5: other.md5 },
  });
  assert.equal(await drain(auto), bytes.length);
});

Deno.test("verify: too many bytes fail at once and the source is cancelled", async () => {
  const source = chunked(noise(100_000));
  const error = await caught(
    async () => drain(await verifiedStream(source.stream, { length: 5000 })),
    IntegrityError,
  );
  assert.equal(error.check, "length");
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(source.cancelled(), "the source is released");
});

Deno.test("verify: x-goog-hash parsing", () => {
  assert.deepEqual(parseGoogHash("crc32c=n03x6A==, md5=XrY7u+Ae7tCTyyK7j1rNww=="), {
    crc32c: "n03x6A==",
    md5: "XrY7u+Ae7tCTyyK7j1rNww==",
  });
  assert.deepEqual(parseGoogHash("crc32c=a==,crc32c=b=="), { crc32c: "b==" });
  assert.deepEqual(parseGoogHash(null), {});
  assert.deepEqual(parseGoogHash("sha256=x,garbage"), {});
});
