/**
 * Retry policy as plain data, and the one fetch loop that applies it to API
 * calls and storage downloads alike: 429, 5xx and network errors are retried
 * with exponential backoff and full jitter, honouring `Retry-After`, bounded in
 * attempts and in total time.
 *
 * @module
 */
import { Up42ApiError } from "./errors.ts";

/** How failed calls are retried. All fields are plain data. */
export interface RetryPolicy {
  /** Attempts after the first one. Default 4. */
  retries: number;
  /** Delay before the first retry, doubled each time. Default 250 ms. */
  baseDelayMs: number;
  /** Upper bound of one delay (also caps `Retry-After`). Default 10 s. */
  maxDelayMs: number;
  /** Upper bound of all attempts and delays together. Default 60 s. */
  maxElapsedMs: number;
  /** HTTP statuses that are retried. Default 408, 429, 500, 502, 503, 504. */
  statuses: number[];
}

/**
 * The default retry policy.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY } from "./retry.ts";
 * const patient = { ...DEFAULT_RETRY, retries: 8 };
 * ```
 */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
  statuses: [408, 429, 500, 502, 503, 504],
});

/**
 * Delay before retry number `attempt` (1-based): `Retry-After` when the server
 * sent one, else full jitter over an exponentially growing window.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY, retryDelay } from "./retry.ts";
 * retryDelay(DEFAULT_RETRY, 1, "2"); // 2000
 * ```
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfter?: string | null,
  random: () => number = Math.random,
): number {
  const after = parseRetryAfter(retryAfter);
  if (after !== undefined) return Math.min(after, policy.maxDelayMs);
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(window / 2 + random() * window / 2);
}

function parseRetryAfter(value?: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
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
}

/**
 * Fetches with retries. Returns the first response whose status is not
 * retryable (the caller inspects it); throws {@linkcode Up42ApiError} when the
 * retry budget is spent, and the abort reason when `signal` aborts.
 *
 * @example
 * ```ts ignore
 * import { fetchWithRetry } from "./retry.ts";
 * const res = await fetchWithRetry("https://example.com/x", {}, {
 *   describe: { method: "GET", path: "/x" },
 * });
 * ```
 */
export async function fetchWithRetry(
  url: string | URL,
  init: RequestInit,
  options: FetchRetryOptions,
): Promise<Response> {
  const policy = options.retry ?? DEFAULT_RETRY;
  const doFetch = options.fetch ?? globalThis.fetch;
  const started = Date.now();
  for (let attempt = 0;; attempt++) {
    options.signal?.throwIfAborted();
    let failure: { status: number; message: string; retryAfter?: string | null; cause?: unknown };
    try {
      // The time limit covers the wait for the response headers only: a
      // large body may take longer, and `signal` still cancels it.
      const timeout = new AbortController();
      const timer = setTimeout(
        () => timeout.abort(new DOMException("timed out", "TimeoutError")),
        options.timeoutMs ?? 30_000,
      );
      let response: Response;
      try {
        response = await doFetch(url, {
          ...init,
          signal: options.signal
            ? AbortSignal.any([options.signal, timeout.signal])
            : timeout.signal,
        });
      } finally {
        clearTimeout(timer);
      }
      if (!policy.statuses.includes(response.status)) return response;
      failure = {
        status: response.status,
        message: await excerpt(response),
        retryAfter: response.headers.get("retry-after"),
      };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      failure = { status: 0, message: networkMessage(error), cause: error };
    }
    const delay = retryDelay(policy, attempt + 1, failure.retryAfter);
    const spent = Date.now() - started;
    if (attempt >= policy.retries || spent + delay > policy.maxElapsedMs) {
      throw new Up42ApiError({
        ...options.describe,
        status: failure.status,
        message: failure.message,
        hint: `gave up after ${attempt + 1} attempts in ${
          Math.round(spent / 100) / 10
        } s; try again later or raise the retry policy`,
      }, { cause: failure.cause });
    }
    await sleep(delay, options.signal);
  }
}

function networkMessage(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "timed out";
  const message = error instanceof Error ? error.message : String(error);
  return `network error: ${redactUrls(message.split("\n")[0]).slice(0, 200)}`;
}

/**
 * A short one-line excerpt of an error body: the API's message when the body
 * is UP42's JSON envelope, else the text with HTML tags removed.
 *
 * @example
 * ```ts
 * import { excerpt } from "./retry.ts";
 * await excerpt(new Response("<html><h1>502 Bad Gateway</h1></html>")); // "502 Bad Gateway"
 * ```
 */
export async function excerpt(response: Response, max = 160): Promise<string> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return response.statusText || "no body";
  }
  return excerptText(text, response.statusText, max);
}

/**
 * {@linkcode excerpt} of a body already read as `text`; `fallback` (e.g.
 * the status text) stands for an empty body.
 *
 * @example
 * ```ts
 * import { excerptText } from "./retry.ts";
 * excerptText("<p>upstream   down</p>"); // "upstream down"
 * ```
 */
export function excerptText(text: string, fallback = "", max = 160): string {
  const api = apiErrorOf(text);
  if (api) return api.message;
  const plain = text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ").replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ").trim();
  if (!plain) return fallback || "empty body";
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

/**
 * The `{ code, message }` of an UP42 error envelope in `text`, if it is one.
 *
 * @example
 * ```ts
 * import { apiErrorOf } from "./retry.ts";
 * apiErrorOf('{"data":null,"error":{"code":"NOT_FOUND","message":"no such job"}}');
 * // { code: "NOT_FOUND", message: "no such job" }
 * ```
 */
export function apiErrorOf(text: string): { code?: string; message: string } | undefined {
  try {
    return apiErrorOfBody(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * {@linkcode apiErrorOf} of a body already parsed from JSON.
 *
 * @example
 * ```ts
 * import { apiErrorOfBody } from "./retry.ts";
 * apiErrorOfBody({ data: null, error: "quota exceeded" }); // { message: "quota exceeded" }
 * ```
 */
export function apiErrorOfBody(body: unknown): { code?: string; message: string } | undefined {
  if (!body || typeof body !== "object" || !("error" in body)) return undefined;
  const error = (body as { error: unknown }).error;
  if (!error) return undefined;
  if (typeof error === "string") return { message: error };
  if (typeof error === "object") {
    const e = error as { code?: unknown; message?: unknown; details?: unknown };
    return {
      code: e.code === undefined ? undefined : String(e.code),
      message: String(e.message ?? e.details ?? JSON.stringify(error)).split("\n")[0].slice(0, 300),
    };
  }
  return { message: String(error) };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/**
 * Removes query strings and fragments from the URLs in `text`: a signed URL's
 * query is a credential and must not reach a message or a log.
 *
 * @example
 * ```ts
 * import { redactUrls } from "./retry.ts";
 * redactUrls("error sending request for url (https://s.example/a.tgz?X-Goog-Signature=abc)");
 * // "error sending request for url (https://s.example/a.tgz?…)"
 * ```
 */
export function redactUrls(text: string): string {
  return text.replace(/(https?:\/\/[^\s?#)"']*)[?#][^\s)"']*/g, "$1?…");
}
