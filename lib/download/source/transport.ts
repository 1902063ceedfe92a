/**
 * How a context's storage requests are made (retries, time limit, fetch,
 * retry hook) plus the signal that cancels them, taken from the context in
 * one place so that a new transport setting reaches every storage request.
 *
 * @module
 */
import type { Up42Context } from "../../client/types.ts";
import type { ResumableOptions } from "./resumable.ts";

/** The request settings every storage request of a download shares. */
export type Transport = Pick<
  ResumableOptions,
  "retry" | "timeoutMs" | "fetch" | "onRetry" | "signal"
>;

/**
 * The storage request settings of `ctx`, cancelled by `signal`.
 *
 * @example
 * ```ts
 * import { transportOf } from "./transport.ts";
 * import { createContext } from "../../client/context.ts";
 * const ctx = createContext({ apiUrl: "http://127.0.0.1:1", projectId: "p", token: "t", timeoutMs: 5 });
 * const signal = AbortSignal.abort();
 * const t = transportOf(ctx, signal);
 * if (t.timeoutMs !== 5 || t.signal !== signal || t.retry !== ctx.retry) throw new Error();
 * ```
 */
export function transportOf(ctx: Up42Context, signal?: AbortSignal): Transport {
  return {
    retry: ctx.retry,
    timeoutMs: ctx.timeoutMs,
    fetch: ctx.fetch,
    onRetry: ctx.onRetry,
    signal,
  };
}
