/**
 * DEFLATE (Compression 8 and 32946) with the runtime's native zlib, bounded
 * by the block's declared size: a block that inflates exactly to its size
 * (every genuine one) is inflated in one native call that may not produce
 * more; one that would inflate further (a bomb, or a writer's padding) is
 * inflated as a stream that stops at the declared size, like libtiff. The
 * bundled JavaScript inflate and `DecompressionStream` both produce the
 * whole stream first: a 2 MB tile of zeros then takes gigabytes.
 *
 * @module
 */
import { constants, createInflate, inflateSync } from "node:zlib";

/**
 * Inflates a zlib stream to at most `expected` bytes; a shorter result
 * means the stream ended early.
 *
 * @example
 * ```ts
 * import { deflateSync } from "node:zlib";
 * import { inflateBounded } from "./deflate.ts";
 * const zeros = deflateSync(new Uint8Array(1 << 20));
 * if ((await inflateBounded(zeros, 100)).length !== 100) throw new Error();
 * if ((await inflateBounded(zeros, 1 << 20)).length !== 1 << 20) throw new Error();
 * ```
 */
export async function inflateBounded(input: Uint8Array, expected: number): Promise<Uint8Array> {
  try {
    // One output chunk a byte larger than the block: a single pass through the
    // zlib binding (16 KiB chunks took twice the time), and a stream that goes on is caught.
    const out = inflateSync(input, {
      maxOutputLength: Math.max(1, expected),
      chunkSize: Math.max(64, expected + 1),
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_BUFFER_TOO_LARGE") throw e;
  }
  return await inflatePrefix(input, expected);
}

/** Streams the inflater and stops as soon as `expected` bytes came out. */
function inflatePrefix(input: Uint8Array, expected: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const out = new Uint8Array(expected);
    let got = 0, done = false;
    const inflater = createInflate({ chunkSize: 64 * 1024, finishFlush: constants.Z_SYNC_FLUSH });
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      inflater.destroy();
      if (error) reject(error);
      else resolve(got >= expected ? out : out.subarray(0, got));
    };
    inflater.on("data", (chunk: Uint8Array) => {
      if (done) return;
      const n = Math.min(chunk.length, expected - got);
      out.set(chunk.subarray(0, n), got);
      got += n;
      if (got >= expected) finish();
    });
    inflater.on("error", (e: unknown) => finish(e));
    inflater.on("end", () => finish());
    // Feed the input in slices, so that the inflater can stop between them.
    let at = 0;
    const feed = () => {
      while (!done && at < input.length) {
        const slice = input.subarray(at, at + 16 * 1024);
        at += slice.length;
        if (!inflater.write(slice)) {
          inflater.once("drain", feed);
          return;
        }
      }
      if (!done && at >= input.length) inflater.end();
    };
    feed();
  });
}
