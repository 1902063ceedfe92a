/**
 * The one request function every API call goes through: bearer auth, user
 * agent, one token refresh on 401, retries (see `retry.ts`), timeouts,
 * cancellation, and unwrapping of UP42's `{ data, error }` envelope.
 *
 * @module
 */
import type { Up42Context } from "./context.ts";
import { AuthError, Up42ApiError } from "./errors.ts";
import { apiErrorOf, apiErrorOfBody, excerptText, fetchWithRetry } from "./retry.ts";
import { USER_AGENT } from "./version.ts";

/** Options of {@linkcode request} and {@linkcode requestResponse}. */
export interface RequestOptions {
  /** HTTP method. Default `GET`. */
  method?: string;
  /** A JSON body. */
  json?: unknown;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Time limit of one attempt; default `ctx.timeoutMs`. */
  timeoutMs?: number;
  /** The `Accept` header. Default `application/json`. */
  accept?: string;
}

/**
 * Calls the API and returns the response for a 2xx status; any other status
 * becomes an {@linkcode Up42ApiError} (an {@linkcode AuthError} for 401/403).
 * Use it for binary bodies; {@linkcode request} for JSON.
 *
 * @example
 * ```ts ignore
 * import { requestResponse } from "./request.ts";
 * const res = await requestResponse(ctx, "/projects/p/jobs/j/tasks/t/outputs/quicklooks/q1", { accept: "image/*" });
 * const bytes = new Uint8Array(await res.arrayBuffer());
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
    });
    if (response.status === 401 && !refreshed) {
      await response.body?.cancel();
      refreshed = true;
      continue;
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    const api = apiErrorOf(text);
    const message = api?.message ?? excerptText(text, response.statusText);
    const ErrorType = response.status === 401 || response.status === 403 ? AuthError : Up42ApiError;
    throw new ErrorType({
      ...describe,
      status: response.status,
      code: api?.code,
      message,
      hint: hintFor(response.status),
    });
  }
}

/**
 * Calls the API and returns its JSON, with UP42's `{ data, error }` envelope
 * unwrapped (bodies without an envelope, such as a results FeatureCollection,
 * are returned as they are). An envelope with `data: null` and an `error`
 * becomes an {@linkcode Up42ApiError}.
 *
 * @example
 * ```ts ignore
 * import { request } from "./request.ts";
 * const tasks = await request<unknown[]>(ctx, `/projects/${ctx.projectId}/jobs/${ctx.jobId}/tasks/`);
 * ```
 */
export async function request<T = unknown>(
  ctx: Up42Context,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const response = await requestResponse(ctx, path, options);
  const method = options.method ?? "GET";
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Up42ApiError({
      method,
      path,
      status: response.status,
      message: `expected JSON, got ${excerptText(text)}`,
    });
  }
  if (body && typeof body === "object" && !Array.isArray(body) && "data" in body) {
    const envelope = body as { data: unknown; error?: unknown };
    if (envelope.data === null && envelope.error) {
      const api = apiErrorOfBody(body)!;
      throw new Up42ApiError({
        method,
        path,
        status: response.status,
        code: api.code,
        message: api.message,
      });
    }
    return envelope.data as T;
  }
  return body as T;
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
