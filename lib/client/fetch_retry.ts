/**
 * The one fetch loop every call goes through, API calls and storage
 * downloads alike: it applies a {@linkcode RetryPolicy}, bounds each
 * attempt's wait for response headers, honours cancellation (also during a
 * backoff), reports each retry, and turns failures into typed errors: an
 * HTTP error answer becomes an `Up42ApiError`, no answer a `NetworkError`,
 * a missing Deno permission a `PermissionError` at once (never retried).
 *
 * It is written here rather than taken from ky because ky, even with eleven
 * options set to follow the policy, misses three of its points: given a time
 * budget it sleeps until the budget is spent and then throws a
 * `TimeoutError` that has lost the last status, where this loop gives up at
 * once with it; its `beforeRetry` hook runs after the wait and is not told
 * how long the wait is, where `onRetry` is called before it with the delay;
 * and its errors quote the full URL, signature of a signed URL included.
 * `deno task bench handwritten` (`bench/handwritten/retry.ts`) runs each
 * point against both.
 *
 * @module
 */
import { errorLine, NetworkError, PermissionError, Up42ApiError } from "../errors.ts";
import { excerpt } from "./error_body.ts";
import { redact } from "./redact.ts";
import { DEFAULT_RETRY, retryDelay, type RetryPolicy } from "./retry_policy.ts";

/** One retry about to happen, as reported to `onRetry`. */
export interface RetryEvent {
  /** HTTP method of the call. */
  method: string;
  /** Path of the call (no query). */
  path: string;
  /** Number of this retry, from 1. */
  retry: number;
  /** Wait before it, in ms. */
  delayMs: number;
  /** The HTTP status that caused it, or undefined when no answer came. */
  status?: number;
  /** One line on why, e.g. `HTTP 503: upstream down` or `timed out`. */
  reason: string;
}

/** Options of {@linkcode fetchWithRetry}. */
export interface FetchRetryOptions {
  /** Retry policy. Default {@linkcode DEFAULT_RETRY}. */
  retry?: RetryPolicy;
  /** Cancels the call, including a pending backoff. */
  signal?: AbortSignal;
  /** Time limit of each attempt until its response headers (not its body). Default 30 s. */
  timeoutMs?: number;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** How the call is named in errors, e.g. `GET /projects/p/jobs/`. No secrets. */
  describe: { method: string; path: string };
  /** Called before each retry. */
  onRetry?: (event: RetryEvent) => void;
  /** Values redacted from any text quoted in errors (the token, the API key). */
  secrets?: readonly (string | undefined)[];
}

/**
 * Fetches with retries. Returns the first response whose status is not
 * retryable (the caller inspects it); throws `Up42ApiError` when retries of
 * an HTTP error are spent, `NetworkError` when no answer came, and the abort
 * reason when `signal` aborts.
 *
 * @example
 * ```ts
 * import { fetchWithRetry } from "./fetch_retry.ts";
 * await using server = Deno.serve({ port: 0, onListen() {} }, () => new Response("hi"));
 * const res = await fetchWithRetry(`http://localhost:${server.addr.port}/x`, {}, {
 *   describe: { method: "GET", path: "/x" },
 * });
 * if (await res.text() !== "hi") throw new Error();
 * ```
 */
export async function fetchWithRetry(
  url: string | URL,
  init: RequestInit,
  options: FetchRetryOptions,
): Promise<Response> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const doFetch = options.fetch ?? globalThis.fetch;
  const host = new URL(url).host;
  const started = Date.now();
  for (let attempt = 0;; attempt++) {
    options.signal?.throwIfAborted();
    let failure: { status?: number; message: string; retryAfter?: string | null; cause?: unknown };
    try {
      const response = await fetchHeaders(doFetch, url, init, options);
      if (!policy.statuses.includes(response.status)) return response;
      failure = {
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        message: await excerpt(response, options.secrets),
      };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        throw new PermissionError({
          flag: `--allow-net=${new URL(url).hostname}`,
          why: `connecting to ${host}`,
        }, { cause: error });
      }
      failure = { message: networkMessage(error, options.secrets), cause: error };
    }
    const delay = retryDelay(policy, attempt + 1, failure.retryAfter);
    const spent = Date.now() - started;
    if (attempt >= policy.retries || spent + delay > policy.maxElapsedMs) {
      if (failure.status !== undefined) {
        throw new Up42ApiError({
          ...options.describe,
          status: failure.status,
          message: failure.message,
          attempts: attempt + 1,
          hint: `gave up after ${attempt + 1} attempts in ${
            Math.round(spent / 100) / 10
          } s; try again later or raise the retry policy`,
        });
      }
      throw new NetworkError({
        ...options.describe,
        reason: failure.message === "timed out" ? "timeout" : "unreachable",
        host,
        detail: failure.message,
        attempts: attempt + 1,
        elapsedMs: spent,
      }, { cause: failure.cause });
    }
    options.onRetry?.({
      ...options.describe,
      retry: attempt + 1,
      delayMs: delay,
      status: failure.status,
      reason: failure.status === undefined
        ? failure.message
        : `HTTP ${failure.status}: ${failure.message}`,
    });
    await sleep(delay, options.signal);
  }
}

/** One attempt; its time limit covers the wait for the response headers only. */
async function fetchHeaders(
  doFetch: typeof fetch,
  url: string | URL,
  init: RequestInit,
  options: FetchRetryOptions,
): Promise<Response> {
  // AbortSignal.timeout rather than setTimeout: in Deno the first setTimeout of a process loads
  // the Node timers (22 built-in modules), a start-up cost of every API command.
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  return await doFetch(url, {
    ...init,
    signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
  });
}

function networkMessage(error: unknown, secrets?: readonly (string | undefined)[]): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "timed out";
  return redact(errorLine(error), secrets).slice(0, 200);
}

/**
 * Resolves after `ms`, or rejects with the abort reason as soon as `signal` aborts.
 *
 * @example
 * ```ts
 * import { sleep } from "./fetch_retry.ts";
 * await sleep(1);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
