/**
 * A pull reader over a byte stream for the archive parsers: exact reads for
 * headers (copied only when they span chunks) and zero-copy reads for entry
 * contents, so a parser never buffers more than one header and one chunk.
 * Upstream chunks may be views of reused buffers: everything returned is
 * valid until the next call only.
 *
 * @module
 */

/** Reads a byte stream in pieces; see {@linkcode byteReader}. */
export interface ByteReader {
  /** Up to `max` bytes (a view of the current chunk, not a copy); `null` at the end. */
  read(max: number): Promise<Uint8Array | null>;
  /** Exactly `n` bytes, or fewer when the stream ends first. */
  readExact(n: number): Promise<Uint8Array>;
  /** Gives back the last `n` bytes of the previous `read` (at most its length). */
  unread(n: number): void;
  /**
   * The bytes ahead without consuming them: at least `n` (fewer only at the
   * end), often more (the rest of the current chunk). Joining chunks copies
   * them, so ask for a few bytes, not for many.
   */
  peek(n: number): Promise<Uint8Array>;
  /** Skips `n` bytes; returns how many were skipped (fewer at the end). */
  skip(n: number): Promise<number>;
  /** Bytes consumed so far. */
  readonly offset: number;
  /** Cancels the underlying stream. */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Wraps `stream` in a {@linkcode ByteReader}.
 *
 * @example
 * ```ts
 * import { byteReader } from "./byte_reader.ts";
 * const reader = byteReader(new Blob(["hello world"]).stream());
 * const hello = await reader.readExact(5);
 * if (new TextDecoder().decode(hello) !== "hello" || reader.offset !== 5) throw new Error();
 * ```
 */
export function byteReader(stream: ReadableStream<Uint8Array>): ByteReader {
  const reader = stream.getReader();
  let current: Uint8Array = new Uint8Array(0);
  let position = 0;
  let offset = 0;
  let ended = false;

  const fill = async (): Promise<boolean> => {
    while (position >= current.length) {
      if (ended) return false;
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return false;
      }
      current = value;
      position = 0;
    }
    return true;
  };

  const read = async (max: number): Promise<Uint8Array | null> => {
    if (!(await fill())) return null;
    const n = Math.min(max, current.length - position);
    const view = current.subarray(position, position + n);
    position += n;
    offset += n;
    return view;
  };

  return {
    read,
    async readExact(n) {
      const first = await read(n);
      if (!first || first.length === n) return first ?? new Uint8Array(0);
      const out = new Uint8Array(n);
      out.set(first);
      let filled = first.length;
      while (filled < n) {
        const piece = await read(n - filled);
        if (!piece) return out.subarray(0, filled);
        out.set(piece, filled);
        filled += piece.length;
      }
      return out;
    },
    async peek(n) {
      if (current.length - position >= n) return current.subarray(position);
      // The next read may reuse the current chunk's buffer: copy what is left first.
      const parts = [current.slice(position)];
      let length = parts[0].length;
      while (length < n && !ended) {
        const { done, value } = await reader.read();
        if (done) ended = true;
        else {
          parts.push(value.slice());
          length += value.length;
        }
      }
      current = new Uint8Array(length);
      parts.reduce((at, part) => (current.set(part, at), at + part.length), 0);
      position = 0;
      return current;
    },
    unread(n) {
      if (n > position) throw new RangeError("unread beyond the current chunk");
      position -= n;
      offset -= n;
    },
    async skip(n) {
      let skipped = 0;
      while (skipped < n) {
        const piece = await read(n - skipped);
        if (!piece) break;
        skipped += piece.length;
      }
      return skipped;
    },
    get offset() {
      return offset;
    },
    cancel(reason) {
      ended = true;
      return reader.cancel(reason).catch(() => {});
    },
  };
}
