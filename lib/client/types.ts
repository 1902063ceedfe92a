/**
 * The context types: what a call needs, said by its type. A project call
 * takes any {@linkcode Up42Context}; a job call a {@linkcode JobContext}; a
 * jobtask call a {@linkcode JobtaskContext}, whose ids are required.
 *
 * @module
 */
import type { RetryEvent } from "./fetch_retry.ts";
import type { RetryPolicy } from "./retry_policy.ts";

/** Gets a current access token; `refresh` forces a new one. */
export type TokenSource = (
  options?: { refresh?: boolean; signal?: AbortSignal },
) => Promise<string>;

/** What every call needs: where the API is, how to get a token, which project. */
export interface Up42Context {
  /** API base URL without a trailing slash. */
  readonly apiUrl: string;
  /** The project id. */
  readonly projectId: string;
  /** Gets a current access token. */
  readonly getToken: TokenSource;
  /** Retry policy of every call. */
  readonly retry: RetryPolicy;
  /** Time limit of one attempt until its response headers, in ms. */
  readonly timeoutMs: number;
  /** Time limit for reading a JSON body once its headers arrived, in ms. */
  readonly bodyTimeoutMs: number;
  /** Largest JSON body accepted, in bytes. */
  readonly maxJsonBytes: number;
  /** The fetch implementation. */
  readonly fetch: typeof fetch;
  /** Called before each retry of any call (for logging). */
  readonly onRetry?: (event: RetryEvent) => void;
}

/** A context pointing at one job. */
export interface JobContext extends Up42Context {
  /** The job id. */
  readonly jobId: string;
}

/** A context pointing at one jobtask of a job. */
export interface JobtaskContext extends JobContext {
  /** The jobtask id. */
  readonly jobtaskId: string;
}
