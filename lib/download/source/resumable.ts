/**
 * A download body that survives dropped connections: when the connection
 * breaks or stalls mid-body, the rest is fetched with an HTTP `Range`
 * request from the last byte received (the `206` answer's `Content-Range`
 * must match), or, from a server without ranges, fetched again from the
 * start with the bytes already delivered skipped. Requests never carry an
 * `Authorization` header: a signed URL is its own credential. Every
 * response body is released on every failure path.
 *
 * @module
 */
import { excerpt } from "../../client/error_body.ts";
import { fetchWithRetry, type RetryEvent } from "../../client/fetch_retry.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../../client/retry_policy.ts";
import { errorLine, IntegrityError, NetworkError, Up42ApiError } from "../../errors.ts";
import { USER_AGENT } from "../../version.ts";
import { pullStream } from "../../internal/pull_stream.ts";
import { contentRange, lengthOf } from "./lengths.ts";

/** Options of {@linkcode openResumable}. */
export interface ResumableOptions {
  /** Retry policy of each request (429, 5xx, network errors). Default {@linkcode DEFAULT_RETRY}. */
  retry?: RetryPolicy;
  /** Time limit until response headers, and longest silence of the body, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Reconnections after a dropped or stalled body without 16 MB of progress in between. Default 5. */
  maxResumes?: number;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Called before each retry. */
  onRetry?: (event: RetryEvent) => void;
  /** What is downloaded, for messages. Default `results download`. */
  subject?: string;
  /**
   * Start at this byte (a `Range` request), e.g. to continue a partial file
   * a previous run left. The body then holds the bytes from here on;
   * `totalBytes` is still the whole object's size. Default 0.
   */
  from?: number;
}

/** An opened download. */
export interface ResumableBody {
  /** The object's size in bytes, when the server announced it. */
  totalBytes?: number;
  /** The `x-goog-hash` header of the first response. */
  googHash: string | null;
  /** The `ETag` header of the first response. */
  etag: string | null;
  /** The whole object's bytes, reconnecting as needed. */
  body: ReadableStream<Uint8Array>;
}

const BUFFER_BYTES = 256 * 1024;
const PROGRESS_RESETS_BUDGET = 16 * 1024 * 1024;

/**
 * Opens `url` for a resumable download (no credentials are sent). The
 * body's chunks are views of a reused buffer, valid until the next read:
 * copy what you keep.
 *
 * @example
 * ```ts
 * import { openResumable } from "./resumable.ts";
 * await using server = Deno.serve({ port: 0, onListen() {} }, () => new Response("hello"));
 * const { totalBytes, body } = await openResumable(`http://localhost:${server.addr.port}/a`);
 * let text = "";
 * // Each chunk is a view of a reused buffer: use it before the next read.
 * for await (const chunk of body) text += new TextDecoder().decode(chunk);
 * if (totalBytes !== 5 || text !== "hello") throw new Error();
 * ```
 */
export async function openResumable(
  url: string,
  options: ResumableOptions = {},
): Promise<ResumableBody> {
  const parsed = new URL(url);
  const describe = { method: "GET", path: `${parsed.origin}${parsed.pathname}` };
  const subject = options.subject ?? "results download";
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxResumes = options.maxResumes ?? 5;
  const signal = options.signal;
  const started = Date.now();
  const open = async (from: number): Promise<Response> => {
    const headers: Record<string, string> = {
      "user-agent": USER_AGENT,
      "accept-encoding": "identity",
    };
    if (from > 0) headers.range = `bytes=${from}-`;
    const response = await fetchWithRetry(url, { headers }, {
      describe,
      retry: options.retry ?? DEFAULT_RETRY,
      signal,
      timeoutMs,
      fetch: options.fetch,
      onRetry: options.onRetry,
    });
    if (response.status !== 200 && response.status !== 206) {
      throw new Up42ApiError({
        ...describe,
        status: response.status,
        message: await excerpt(response),
        hint: "the signed download URL may have expired; start the download again",
      });
    }
    return response;
  };

  const from = options.from ?? 0;
  const first = await open(from);
  const googHash = first.headers.get("x-goog-hash");
  const etag = first.headers.get("etag");
  let totalBytes = lengthOf(first);
  let skip = 0;
  if (from > 0 && first.status === 206) {
    const range = contentRange(first);
    if (range?.start !== from || range.total === undefined) {
      await first.body?.cancel();
      throw new IntegrityError({
        subject,
        check: "range",
        expected: from,
        actual: first.headers.get("content-range") ?? "none",
      });
    }
    totalBytes = range.total;
  } else if (from > 0) {
    skip = from; // no range support: the object comes from its first byte
  }
  let reader = readerOf(first);
  let received = from;
  let resumes = 0;
  let receivedAtDrop = from;

  const reconnect = async (cause: unknown) => {
    if (signal?.aborted) throw signal.reason;
    // The budget is per stretch without progress: a long download on a flaky
    // line may drop many times, each after a good run.
    if (received - receivedAtDrop >= PROGRESS_RESETS_BUDGET) resumes = 0;
    receivedAtDrop = received;
    reader.cancel().catch(() => {});
    if (++resumes > maxResumes) {
      throw new NetworkError({
        ...describe,
        reason: String(cause).includes("no data for") ? "stalled" : "dropped",
        host: parsed.host,
        detail: `${errorLine(cause)}; ${received} bytes received`,
        attempts: resumes,
        elapsedMs: Date.now() - started,
      }, { cause });
    }
    const response = await open(received);
    const refuse = async (error: IntegrityError) => {
      await response.body?.cancel();
      throw error;
    };
    if (googHash !== null && response.headers.get("x-goog-hash") !== googHash) {
      await refuse(new IntegrityError({ subject, check: "changed" }));
    }
    if (response.status === 206) {
      const range = contentRange(response);
      if (range?.start !== received || (totalBytes && range.total !== totalBytes)) {
        const actual = response.headers.get("content-range") ?? "";
        await refuse(new IntegrityError({ subject, check: "range", expected: received, actual }));
      }
      skip = 0;
    } else {
      // No range support: the object comes again from its first byte.
      if (lengthOf(response) !== totalBytes) {
        await refuse(new IntegrityError({ subject, check: "changed" }));
      }
      skip = received;
    }
    reader = readerOf(response);
  };

  const readWithIdleLimit = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([reader.read(), stalled]);
    } finally {
      clearTimeout(timer);
    }
  };

  const next = async (): Promise<Uint8Array | null> => {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await readWithIdleLimit();
      } catch (error) {
        await reconnect(error);
        continue;
      }
      if (result.done) {
        // A body that ends early without an error is also resumed.
        if (totalBytes !== undefined && received < totalBytes) {
          await reconnect(new Error("the body ended early"));
          continue;
        }
        return null;
      }
      let chunk = result.value;
      if (skip > 0) {
        const drop = Math.min(skip, chunk.length);
        skip -= drop;
        chunk = chunk.subarray(drop);
        if (chunk.length === 0) continue;
      }
      received += chunk.length;
      return chunk;
    }
  };

  const body = pullStream<Uint8Array>(async (controller) => {
    const chunk = await next();
    if (chunk) controller.enqueue(chunk);
    else controller.close();
  }, (reason) => reader.cancel(reason));
  return { totalBytes, googHash, etag, body };
}

/**
 * Reads a body into one reused buffer where the body supports it (fetch
 * bodies do): a fresh buffer per chunk is garbage that inflates peak memory
 * by tens of MB at loopback speed. A chunk is valid until the next read.
 */
function readerOf(response: Response): {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason?: unknown): Promise<void>;
} {
  const body = response.body!;
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    return body.getReader();
  }
  let buffer: Uint8Array | undefined;
  return {
    async read() {
      const result = await byob.read(buffer ?? new Uint8Array(BUFFER_BYTES));
      // The buffer passed in is transferred; the next read reuses the returned one.
      buffer = result.value ? new Uint8Array(result.value.buffer) : undefined;
      return result as ReadableStreamReadResult<Uint8Array>;
    },
    cancel: (reason) => byob.cancel(reason),
  };
}
