/**
 * Format detection of results archives by their magic numbers.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";
import { checksumMatches } from "./tar_header.ts";

// Starts of self-extractor stubs: Windows PE, ELF, Mach-O (32, 64, universal), a script.
const STUBS = [
  [0x4d, 0x5a],
  [0x7f, 0x45, 0x4c, 0x46],
  [0xfe, 0xed, 0xfa],
  [0xce, 0xfa, 0xed],
  [
    0xcf,
    0xfa,
    0xed,
  ],
  [0xca, 0xfe, 0xba, 0xbe],
  [0x23, 0x21],
];

function hasLocalHeader(bytes: Uint8Array): boolean {
  for (
    let i = bytes.indexOf(0x50);
    i >= 0 && i + 4 <= bytes.length;
    i = bytes.indexOf(0x50, i + 1)
  ) {
    if (bytes[i + 1] === 0x4b && bytes[i + 2] === 3 && bytes[i + 3] === 4) return true;
  }
  return false;
}

/** The archive formats results come in. */
export type ArchiveFormat = "gzip" | "tar" | "zip";

/**
 * Tells the archive format from the first bytes of `stream` (gzip and zip
 * magic numbers, the tar `ustar` mark, or a first block whose tar checksum
 * holds, as in a v7 tar without a mark) and returns it with a stream that
 * still yields every byte (`onBytes` is told each piece's length as it is
 * read). `stub` says the bytes start like a self-extracting
 * zip (an executable or a script, or a local zip header within the first
 * block). Anything else is an `ArchiveError`: the
 * URL's extension is never trusted.
 *
 * @example
 * ```ts
 * import { sniffArchive } from "./sniff.ts";
 * const gz = new Blob(["x"]).stream().pipeThrough(new CompressionStream("gzip"));
 * const { format } = await sniffArchive(gz);
 * if (format !== "gzip") throw new Error(format);
 * ```
 */
export async function sniffArchive(
  stream: ReadableStream<Uint8Array>,
  onBytes?: (n: number) => void,
): Promise<{ format: ArchiveFormat; stub: boolean; stream: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < 512) {
    const { done, value } = await reader.read();
    if (done) break;
    head.push(value.slice()); // the view is only valid until the next read
    length += value.length;
    onBytes?.(value.length);
  }
  const first = new Uint8Array(length);
  head.reduce((at, piece) => (first.set(piece, at), at + piece.length), 0);
  const text = new TextDecoder("latin1").decode(first.subarray(257, 262));
  let format: ArchiveFormat;
  let stub = false;
  if (first[0] === 0x1f && first[1] === 0x8b) format = "gzip";
  else if (first[0] === 0x50 && first[1] === 0x4b && (first[2] === 3 || first[2] === 5)) {
    format = "zip";
  } else if (
    text === "ustar" || checksumMatches(first.subarray(0, 512)) ||
    (length >= 512 && first.every((b) => b === 0))
  ) format = "tar";
  else if (STUBS.some((magic) => magic.every((b, i) => first[i] === b)) || hasLocalHeader(first)) {
    // A self-extracting zip: an executable or a script with the archive after it.
    [format, stub] = ["zip", true];
  } else {
    await reader.cancel();
    throw new ArchiveError({
      reason: "format",
      detail: `they start with bytes ${
        [...first.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ")
      }`,
    });
  }
  let sent = false;
  return {
    format,
    stub,
    stream: new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          sent = true;
          if (first.length) return controller.enqueue(first);
        }
        const { done, value } = await reader.read();
        if (done) return controller.close();
        onBytes?.(value.length);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 }),
  };
}
