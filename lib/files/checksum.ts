/**
 * File checksums of a download: CRC-32 (the zlib/gzip/zip one), computed
 * as the bytes are written and recorded in the manifest, so that a later
 * run can tell an intact file from a damaged or edited one. CRC-32 rather
 * than the archive's CRC-32C: the platform's `node:zlib` computes it
 * natively at several GB/s (bench/job.ts measures it against hash-wasm's
 * WebAssembly CRC-32C at about 0.6 GB/s), so it costs the download nothing
 * and re-checking a folder costs little more than reading it. `node:zlib`
 * loads on first use, not at import (see internal/zlib.ts).
 *
 * @module
 */
import { crc32 } from "../internal/crc32.ts";
import { loadZlib } from "../internal/zlib.ts";

/** A running checksum. */
export interface Checksum {
  /** Adds `bytes`. */
  update(bytes: Uint8Array): void;
  /** The CRC-32 of everything added, as 8 lowercase hex digits. */
  digest(): string;
}

/**
 * A new CRC-32 checksum (native where `node:zlib` has `crc32`, else
 * JavaScript; both give the same value; see internal/crc32.ts).
 *
 * @example
 * ```ts
 * import { createChecksum } from "./checksum.ts";
 * const sum = await createChecksum();
 * sum.update(new TextEncoder().encode("hello "));
 * sum.update(new TextEncoder().encode("world"));
 * if (sum.digest() !== "0d4a1185") throw new Error(sum.digest());
 * ```
 */
export async function createChecksum(): Promise<Checksum> {
  await loadZlib(); // so that crc32 is native wherever node:zlib has it
  let value = 0;
  return {
    update: (bytes) => void (value = crc32(bytes, value)),
    digest: () => value.toString(16).padStart(8, "0"),
  };
}

/**
 * The CRC-32 of the file at `path`, read in pieces.
 *
 * @example
 * ```ts
 * import { fileChecksum } from "./checksum.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello world");
 * if (await fileChecksum(path) !== "0d4a1185") throw new Error();
 * await Deno.remove(path);
 * ```
 */
export async function fileChecksum(path: string): Promise<string> {
  const sum = await createChecksum();
  using file = await Deno.open(path);
  const buffer = new Uint8Array(1 << 20);
  for (let n = await file.read(buffer); n !== null; n = await file.read(buffer)) {
    sum.update(buffer.subarray(0, n));
  }
  return sum.digest();
}
