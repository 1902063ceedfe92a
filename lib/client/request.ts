/**
 * The one request function every API call goes through: bearer auth, user
 * agent, one token refresh on 401, retries (see `fetch_retry.ts`), time
 * limits for the headers and for a JSON body, a size limit for a JSON body,
 * cancellation, and unwrapping of UP42's `{ data, error }` envelope.
 *
 * @module
 */
import { AuthError, Up42ApiError } from "../errors.ts";
import { apiErrorOf, apiErrorOfBody, excerptText, readErrorBody } from "./error_body.ts";
import { fetchWithRetry } from "./fetch_retry.ts";
import type { Up42Context } from "./types.ts";
import { USER_AGENT } from "../version.ts";

/** Options of {@linkcode request} and {@linkcode requestResponse}. */
export interface RequestOptions {
  /** HTTP method. Default `GET`. */
  method?: string;
  /** A JSON body. */
  json?: unknown;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Time limit of one attempt until its headers; default `ctx.timeoutMs`. */
  timeoutMs?: number;
  /** The `Accept` header. Default `application/json`. */
  accept?: string;
}

/**
 * Calls the API and returns the response for a 2xx status; any other status
 * becomes an `Up42ApiError` (an `AuthError` for 401/403) and its body is
 * released. Use it for binary bodies; {@linkcode request} for JSON.
 *
 * @example
 * ```ts
 * import { requestResponse } from "./request.ts";
 * import { createContext } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId });
 * const res = await requestResponse(ctx, `/projects/${ctx.projectId}/jobs/${ctx.jobId}/tasks/`);
 * if (res.status !== 200) throw new Error();
 * await res.body?.cancel();
 * ```
 */
export async function requestResponse(
  ctx: Up42Context,
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  const method = options.method ?? "GET";
  const describe = { method, path };
  const url = `${ctx.apiUrl}${path}`;
  let refreshed = false;
  for (;;) {
    const token = await ctx.getToken({ refresh: refreshed, signal: options.signal });
    const headers: Record<string, string> = {
      "authorization": `Bearer ${token}`,
      "user-agent": USER_AGENT,
      "accept": options.accept ?? "application/json",
    };
    if (options.json !== undefined) headers["content-type"] = "application/json";
    const response = await fetchWithRetry(url, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      // A redirect to another origin must not carry the token: follow none.
      redirect: "manual",
    }, {
      describe,
      retry: ctx.retry,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? ctx.timeoutMs,
      fetch: ctx.fetch,
      onRetry: ctx.onRetry,
      secrets: [token],
    });
    if (response.status === 401 && !refreshed) {
      await response.body?.cancel();
      refreshed = true;
      continue;
    }
    if (response.ok) return response;
    const text = await readErrorBody(response);
    const api = apiErrorOf(text);
    const ErrorType = response.status === 401 || response.status === 403 ? AuthError : Up42ApiError;
    throw new ErrorType({
      ...describe,
      status: response.status,
      code: api?.code,
      message: excerptText(api?.message ?? text, {
        fallback: response.statusText,
        secrets: [token],
      }),
      hint: hintFor(response.status),
    });
  }
}

/**
 * Calls the API and returns its JSON, with UP42's `{ data, error }` envelope
 * unwrapped (bodies without an envelope, such as a results FeatureCollection,
 * are returned as they are). An envelope with `data: null` and an `error`
 * becomes an `Up42ApiError`, and so does a body over `ctx.maxJsonBytes` or
 * one that takes longer than `ctx.bodyTimeoutMs` to arrive.
 *
 * @example
 * ```ts
 * import { request } from "./request.ts";
 * import { createContext } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId });
 * const tasks = await request<unknown[]>(ctx, `/projects/${ctx.projectId}/jobs/${ctx.jobId}/tasks/`);
 * if (tasks.length !== 3) throw new Error();
 * ```
 */
export async function request<T = unknown>(
  ctx: Up42Context,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const response = await requestResponse(ctx, path, options);
  const describe = { method: options.method ?? "GET", path };
  const text = await readText(response, ctx, describe, options.signal);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Up42ApiError({
      ...describe,
      status: response.status,
      message: `expected JSON, got ${excerptText(text)}`,
    });
  }
  if (body && typeof body === "object" && !Array.isArray(body) && "data" in body) {
    const envelope = body as { data: unknown; error?: unknown };
    if (envelope.data === null && envelope.error) {
      const api = apiErrorOfBody(body)!;
      throw new Up42ApiError({
        ...describe,
        status: response.status,
        code: api.code,
        message: api.message,
      });
    }
    return envelope.data as T;
  }
  return body as T;
}

/**
 * The body as text, within `ctx.bodyTimeoutMs` and `ctx.maxJsonBytes`; the
 * body is cancelled when either is exceeded or `signal` aborts.
 */
async function readText(
  response: Response,
  ctx: Pick<Up42Context, "bodyTimeoutMs" | "maxJsonBytes">,
  describe: { method: string; path: string },
  signal?: AbortSignal,
): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  const tooLarge = () =>
    new Up42ApiError({
      ...describe,
      status: response.status,
      message: `the answer is larger than ${ctx.maxJsonBytes} bytes`,
      hint: "raise maxJsonBytes in createContext if it is genuine",
    });
  if (declared > ctx.maxJsonBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let length = 0;
  // Not setTimeout: in Deno the first one of a process loads the Node timers (see fetch_retry.ts).
  const deadline = AbortSignal.timeout(ctx.bodyTimeoutMs);
  let onTimeout = () => {};
  let onAbort = () => {};
  const stop = new Promise<never>((_, reject) => {
    onTimeout = () =>
      reject(
        new Up42ApiError({
          ...describe,
          status: response.status,
          message: `the answer did not arrive within ${ctx.bodyTimeoutMs} ms`,
          hint: "try again; raise bodyTimeoutMs in createContext for a slow network",
        }),
      );
    deadline.addEventListener("abort", onTimeout, { once: true });
    onAbort = () => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  stop.catch(() => {}); // settles after the body is read, unobserved
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), stop]);
      if (done) break;
      length += value.length;
      if (length > ctx.maxJsonBytes) throw tooLarge();
      parts.push(decoder.decode(value, { stream: true }));
    }
    parts.push(decoder.decode());
    return parts.join("");
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    deadline.removeEventListener("abort", onTimeout);
    signal?.removeEventListener("abort", onAbort);
  }
}

function hintFor(status: number): string | undefined {
  if (status === 401 || status === 403) {
    return "check the project credentials and that the job belongs to this project";
  }
  if (status === 404) return "check the project, job and jobtask ids";
  if (status >= 300 && status < 400) {
    return "the API redirected; set UP42_API_URL to the final host";
  }
  return undefined;
}
