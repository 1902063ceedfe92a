/**
 * Project authentication as UP42 does it for jobs: the OAuth client
 * credentials grant with the project id and project API key.
 *
 * @module
 */
import { AuthError, Up42ApiError } from "../errors.ts";
import { excerpt } from "./error_body.ts";
import { fetchWithRetry, type RetryEvent } from "./fetch_retry.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry_policy.ts";
import type { TokenSource } from "./types.ts";
import { USER_AGENT } from "../version.ts";

/** Options of {@linkcode projectTokenSource}. */
export interface ProjectTokenOptions {
  /** API base URL, e.g. `https://api.up42.com`. */
  apiUrl: string;
  /** The project id (the OAuth client id). */
  projectId: string;
  /** The project API key (the OAuth client secret). */
  projectApiKey: string;
  /** Retry policy of the token call. Default {@linkcode DEFAULT_RETRY}. */
  retry?: RetryPolicy;
  /** Time limit of one token call. Default 30 s. */
  timeoutMs?: number;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Called before each retry. */
  onRetry?: (event: RetryEvent) => void;
}

/**
 * A token source that posts `grant_type=client_credentials` with HTTP Basic
 * `projectId:projectApiKey` to `{apiUrl}/oauth/token` and keeps the token until
 * it expires or a refresh is asked for. Concurrent callers share one request.
 *
 * @example
 * ```ts
 * import { projectTokenSource } from "./auth.ts";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator({ seed: false });
 * const getToken = projectTokenSource({ apiUrl: emulator.url, projectId: emulator.projectId, projectApiKey: emulator.projectApiKey });
 * if (await getToken() !== await getToken()) throw new Error("the token is kept");
 * ```
 */
export function projectTokenSource(options: ProjectTokenOptions): TokenSource {
  let current: Promise<{ token: string; expiresAt: number }> | undefined;
  return async ({ refresh = false, signal } = {}) => {
    if (current && !refresh) {
      const cached = await current.catch(() => undefined);
      if (cached && cached.expiresAt > Date.now()) return cached.token;
    }
    current = fetchToken(options, signal);
    current.catch(() => current = undefined);
    return (await current).token;
  };
}

/**
 * A token source for an already issued access token (it cannot be renewed).
 *
 * @example
 * ```ts
 * import { staticTokenSource } from "./auth.ts";
 * const getToken = staticTokenSource("eyJhbGciOi...");
 * if (await getToken() !== "eyJhbGciOi...") throw new Error();
 * ```
 */
export function staticTokenSource(token: string): TokenSource {
  let used = false;
  return ({ refresh = false } = {}) => {
    if (refresh && used) {
      return Promise.reject(
        new AuthError({
          status: 401,
          method: "GET",
          path: "(token)",
          message: "the access token given was refused and cannot be renewed",
          hint: "pass project credentials instead of a token",
        }),
      );
    }
    used = true;
    return Promise.resolve(token);
  };
}

async function fetchToken(
  options: ProjectTokenOptions,
  signal?: AbortSignal,
): Promise<{ token: string; expiresAt: number }> {
  const describe = { method: "POST", path: "/oauth/token" };
  const basic = btoa(`${options.projectId}:${options.projectApiKey}`);
  const secrets = [options.projectApiKey, basic];
  const response = await fetchWithRetry(`${options.apiUrl}/oauth/token`, {
    method: "POST",
    headers: {
      "authorization": `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": USER_AGENT,
      "accept": "application/json",
    },
    body: "grant_type=client_credentials",
    redirect: "manual",
  }, {
    describe,
    signal,
    retry: options.retry ?? DEFAULT_RETRY,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
    onRetry: options.onRetry,
    secrets,
  });
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    throw new AuthError({
      ...describe,
      status: response.status,
      message: await excerpt(response, secrets),
      hint: "check UP42_PROJECT_ID and UP42_PROJECT_API_KEY (project settings in the UP42 console)",
    });
  }
  if (!response.ok) {
    throw new Up42ApiError({
      ...describe,
      status: response.status,
      message: await excerpt(response, secrets),
    });
  }
  let body: Record<string, any> | undefined;
  try {
    const text = await response.text();
    body = text.length <= 1 << 20 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const token = body?.data?.accessToken ?? body?.access_token ?? body?.accessToken;
  if (typeof token !== "string" || !token) {
    throw new Up42ApiError({
      ...describe,
      status: response.status,
      message: "the response holds no access token",
    });
  }
  const expiresIn = Number(body?.expires_in ?? body?.data?.expiresIn ?? 300);
  // Renew a little early so a token does not expire between check and use.
  const lifetimeMs = Math.max(0, (Number.isFinite(expiresIn) ? expiresIn : 300) - 15) * 1000;
  return { token, expiresAt: Date.now() + lifetimeMs };
}
