/**
 * Inflation into one reused output buffer. The platform's
 * `DecompressionStream` allocates a new buffer per output chunk; at hundreds
 * of MB per second that garbage, not the data, decides peak memory (and its
 * per-chunk overhead halves throughput). `node:zlib`'s native handle writes
 * into a buffer we own, and tells exactly where a deflate stream ends (which
 * a zip entry whose size follows its data needs). Where that handle is
 * unavailable (the handle and its `_writeState` are private fields of
 * Node's zlib streams, checked for before use), {@linkcode gunzip} and the
 * zip reader fall back to `DecompressionStream` through
 * {@linkcode portableInflate}.
 *
 * @module
 */
import { ArchiveError, errorLine, Up42Error } from "../../errors.ts";
import { pullStream } from "../../internal/pull_stream.ts";
import { loadedZlib } from "../../internal/zlib.ts";

const OUTPUT_BYTES = 256 * 1024;
const Z_NO_FLUSH = 0;
const Z_FINISH = 4;

interface NativeHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  close(): void;
  onerror: (message: string, errno: number) => void;
}

/** A synchronous inflater writing into its own reused `output` buffer. */
export interface Inflater {
  /** The output buffer; `write` fills its first `produced` bytes. */
  readonly output: Uint8Array;
  /**
   * Inflates from `input[offset..]`. `finish` says no more input follows (an
   * unfinished stream then throws). `produced === 0 && consumed === 0` with
   * input left means the compressed stream has ended.
   */
  write(
    input: Uint8Array,
    offset: number,
    finish?: boolean,
  ): { produced: number; consumed: number };
  /** Frees the native state. */
  close(): void;
}

/**
 * A native inflater for gzip (`gunzip`, multi-member included) or raw
 * deflate (`raw`), or `undefined` where `node:zlib` offers no handle. Errors
 * (corrupt data, an unfinished stream on `finish`) throw `makeError(detail)`.
 *
 * @example
 * ```ts
 * import { nativeInflater } from "./inflate.ts";
 * import { loadZlib } from "../../internal/zlib.ts";
 * await loadZlib();
 * const packed = new Uint8Array(await new Response(
 *   new Blob(["hi"]).stream().pipeThrough(new CompressionStream("deflate-raw")),
 * ).arrayBuffer());
 * const inflater = nativeInflater("raw", (d) => new Error(d))!;
 * const { produced } = inflater.write(packed, 0, true);
 * if (new TextDecoder().decode(inflater.output.subarray(0, produced)) !== "hi") throw new Error();
 * inflater.close();
 * ```
 */
export function nativeInflater(
  kind: "gunzip" | "raw",
  makeError: (detail: string) => Error,
): Inflater | undefined {
  let handle: NativeHandle;
  let state: Uint32Array;
  const zlib = loadedZlib();
  if (!zlib) return undefined;
  try {
    const stream =
      (kind === "gunzip" ? zlib.createGunzip() : zlib.createInflateRaw()) as unknown as {
        _handle?: NativeHandle;
        _writeState?: Uint32Array;
      };
    if (typeof stream._handle?.writeSync !== "function") return undefined;
    if (!(stream._writeState instanceof Uint32Array)) return undefined;
    handle = stream._handle;
    state = stream._writeState;
  } catch {
    return undefined;
  }
  handle.onerror = (message) => {
    throw makeError(message);
  };
  const output = new Uint8Array(OUTPUT_BYTES);
  let closed = false;
  return {
    output,
    write(input, offset, finish = false) {
      const available = input.length - offset;
      handle.writeSync(
        finish ? Z_FINISH : Z_NO_FLUSH,
        input,
        offset,
        available,
        output,
        0,
        OUTPUT_BYTES,
      );
      return { produced: OUTPUT_BYTES - state[0], consumed: available - state[1] };
    },
    close: () => {
      if (!closed) handle.close();
      closed = true;
    },
  };
}

/** Options of {@linkcode gunzip}. */
export interface GunzipOptions {
  /** Use the platform's `DecompressionStream` even when the native handle exists. Default false. */
  portable?: boolean;
}

/**
 * Inflates the gzip stream `source` (multi-member gzip included). Each output
 * chunk is a view that is valid until the next read: copy what you keep. A
 * truncated or corrupt stream, or trailing bytes, error it with an
 * `ArchiveError`.
 *
 * @example
 * ```ts
 * import { gunzip } from "./inflate.ts";
 * const packed = new Blob(["hello"]).stream().pipeThrough(new CompressionStream("gzip"));
 * const reader = gunzip(packed).getReader();
 * const { value } = await reader.read();
 * if (new TextDecoder().decode(value) !== "hello") throw new Error();
 * ```
 */
export function gunzip(
  source: ReadableStream<Uint8Array>,
  options: GunzipOptions = {},
): ReadableStream<Uint8Array> {
  const inflater = options.portable ? undefined : nativeInflater("gunzip", corrupt);
  if (!inflater) return portableInflate(source, "gzip", corrupt);
  const reader = source.getReader();
  const empty = new Uint8Array(0);
  let input: Uint8Array = empty;
  let offset = 0;
  let ended = false;
  const step = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    for (;;) {
      if (offset >= input.length && !ended) {
        const next = await reader.read();
        [input, offset, ended] = next.done ? [empty, 0, true] : [next.value, 0, false];
      }
      const { produced, consumed } = inflater.write(input, offset, ended);
      offset += consumed;
      if (produced > 0) return controller.enqueue(inflater.output.subarray(0, produced));
      if (ended) {
        inflater.close();
        return controller.close();
      }
      // The gzip stream ended but bytes follow that are not another member.
      if (consumed === 0 && offset < input.length) throw corrupt("bytes after the end");
    }
  };
  return pullStream<Uint8Array>(step, (reason) => {
    inflater.close();
    return reader.cancel(reason);
  });
}

/**
 * Inflates `source` with the platform's `DecompressionStream` (gzip or raw
 * deflate); undecodable data errors with `makeError(detail)`. Input chunks
 * are copied, because the inflater may keep a chunk after a read returns and
 * upstream views are reused.
 *
 * @example
 * ```ts
 * import { portableInflate } from "./inflate.ts";
 * const packed = new Blob(["hello"]).stream().pipeThrough(new CompressionStream("gzip"));
 * const text = await new Response(portableInflate(packed, "gzip", (d) => new Error(d))).text();
 * if (text !== "hello") throw new Error(text);
 * ```
 */
export function portableInflate(
  source: ReadableStream<Uint8Array>,
  format: "gzip" | "deflate-raw",
  makeError: (detail: string) => Error,
): ReadableStream<Uint8Array> {
  const inflater = new DecompressionStream(format) as unknown as TransformStream<
    Uint8Array,
    Uint8Array
  >;
  const reader = source.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ transform: (c, ctl) => ctl.enqueue(c.slice()) }),
  ).pipeThrough(inflater).getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        if (error instanceof Up42Error || (error as Error)?.name === "AbortError") throw error;
        throw makeError(errorLine(error));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

function corrupt(detail: string): ArchiveError {
  return new ArchiveError({
    reason: "corrupt",
    detail: `the gzip data is undecodable (${detail})`,
  });
}
