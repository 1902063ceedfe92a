/**
 * How failed calls are retried, as plain data, and the delay rule: a
 * random delay in the upper half of an exponentially growing window, or the
 * server's `Retry-After` (capped), whichever applies.
 *
 * @module
 */

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
  /**
   * HTTP statuses that are retried. Default 408, 425, 429 and the 5xx that
   * mean "try again" (500, 502, 503, 504 and the 52x gateway errors of CDNs;
   * not 501 Not Implemented or 505 HTTP Version Not Supported).
   */
  statuses: number[];
}

/**
 * The default retry policy.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY } from "@up42/jobtask";
 * const patient = { ...DEFAULT_RETRY, retries: 8 };
 * if (!patient.statuses.includes(524)) throw new Error("CDN timeouts are retried");
 * ```
 */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
  statuses: Object.freeze([
    408,
    425,
    429,
    500,
    502,
    503,
    504,
    507,
    509,
    520,
    521,
    522,
    523,
    524,
    525,
    526,
    527,
    529,
    530,
    598,
    599,
  ]) as number[],
});

/**
 * Delay before retry number `attempt` (1-based): `Retry-After` when the server
 * sent one (at most `maxDelayMs`), else a random delay in the upper half of an exponentially
 * growing window.
 *
 * @example
 * ```ts
 * import { retryDelay } from "./retry_policy.ts";
 * import { DEFAULT_RETRY } from "@up42/jobtask";
 * if (retryDelay(DEFAULT_RETRY, 1, "2") !== 2000) throw new Error();
 * if (retryDelay(DEFAULT_RETRY, 1, "3600") !== DEFAULT_RETRY.maxDelayMs) throw new Error();
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
