/**
 * DEFLATE (Compression 8 and 32946) with the runtime's native inflater
 * (`DecompressionStream`), bounded by the block's declared size: the input
 * goes in 16 KiB slices and reading stops as soon as the block is full, so
 * a stream that would inflate further (a bomb, or a writer's padding)
 * costs at most its block plus one slice's output, like libtiff. The
 * bundled JavaScript inflate, or collecting the stream's whole output,
 * turns a 2 MB tile of zeros into gigabytes; `node:zlib` would do, but
 * loading it costs each decoding thread a tenth of a second.
 *
 * @module
 */

const SLICE = 16 * 1024;

/**
 * Inflates a zlib stream to at most `expected` bytes; a shorter result
 * means the stream ended early.
 *
 * @example
 * ```ts
 * import { inflateBounded } from "./deflate.ts";
 * const zeros = new Uint8Array(await new Response(
 *   new Blob([new Uint8Array(1 << 20)]).stream().pipeThrough(new CompressionStream("deflate")),
 * ).arrayBuffer());
 * if ((await inflateBounded(zeros, 100)).length !== 100) throw new Error();
 * if ((await inflateBounded(zeros, 1 << 20)).length !== 1 << 20) throw new Error();
 * ```
 */
export async function inflateBounded(input: Uint8Array, expected: number): Promise<Uint8Array> {
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const writing = (async () => {
    for (let at = 0; at < input.length; at += SLICE) {
      await writer.write(input.subarray(at, at + SLICE) as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })();
  writing.catch(() => {}); // a stop or a broken stream is reported by the reader
  const out = new Uint8Array(expected);
  let got = 0;
  try {
    while (got < expected) {
      const { value, done } = await reader.read();
      if (done) break;
      const n = Math.min(value.length, expected - got);
      out.set(value.subarray(0, n), got);
      got += n;
    }
  } catch (e) {
    if (got < expected) throw e;
  } finally {
    await reader.cancel().catch(() => {});
  }
  return got >= expected ? out : out.subarray(0, got);
}
