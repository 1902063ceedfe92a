/**
 * The context every call takes: where the API is, how to get a token, which
 * project, job and jobtask. A plain object; nothing is hidden in a class.
 *
 * @module
 */
import { projectTokenSource, staticTokenSource, type TokenSource } from "./auth.ts";
import { ConfigError } from "./errors.ts";
import { validateId } from "./ids.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.ts";

/** The API base used when neither `apiUrl` nor `UP42_API_URL` is set. */
export const DEFAULT_API_URL = "https://api.up42.com";

/** What every call needs. Create it with {@linkcode createContext}. */
export interface Up42Context {
  /** API base URL without a trailing slash. */
  readonly apiUrl: string;
  /** The project id. */
  readonly projectId: string;
  /** The job id, for jobtask calls. */
  readonly jobId?: string;
  /** The jobtask id, for jobtask calls. */
  readonly jobtaskId?: string;
  /** Gets a current access token. */
  readonly getToken: TokenSource;
  /** Retry policy of every call. */
  readonly retry: RetryPolicy;
  /** Time limit of one attempt until its response headers, in ms. */
  readonly timeoutMs: number;
  /** The fetch implementation. */
  readonly fetch: typeof fetch;
}

/** Options of {@linkcode createContext}; everything has a default. */
export interface ContextOptions {
  /** API base URL. Default: env `UP42_API_URL`, else `https://api.up42.com`. */
  apiUrl?: string;
  /** Project id. Default: env `UP42_PROJECT_ID`. */
  projectId?: string;
  /** Project API key. Default: env `UP42_PROJECT_API_KEY`. */
  projectApiKey?: string;
  /** An already issued access token, used instead of the API key. */
  token?: string;
  /** Job id of the jobtask. */
  jobId?: string;
  /** Jobtask id. */
  jobtaskId?: string;
  /** Overrides of the retry policy. Default {@linkcode DEFAULT_RETRY}. */
  retry?: Partial<RetryPolicy>;
  /** Time limit of one attempt until its response headers, in ms. Default 30 000. */
  timeoutMs?: number;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/**
 * Builds a context from options, falling back to the env variables
 * `UP42_PROJECT_ID`, `UP42_PROJECT_API_KEY` and `UP42_API_URL`. Ids are
 * validated here, so a bad id fails before any request. No request is made:
 * the token is fetched on the first call.
 *
 * @example
 * ```ts
 * import { createContext } from "./context.ts";
 * const ctx = createContext({
 *   apiUrl: "http://127.0.0.1:8042",
 *   projectId: "my-project",
 *   projectApiKey: "my-key",
 *   jobId: "job-1",
 *   jobtaskId: "task-1",
 * });
 * console.log(ctx.projectId);
 * ```
 */
export function createContext(options: ContextOptions = {}): Up42Context {
  const apiUrl = normaliseApiUrl(options.apiUrl ?? env("UP42_API_URL") ?? DEFAULT_API_URL);
  const projectId = options.projectId ?? env("UP42_PROJECT_ID");
  if (!projectId) {
    throw new ConfigError(
      "missing UP42 credentials: set UP42_PROJECT_ID and UP42_PROJECT_API_KEY (or pass projectId and projectApiKey)",
    );
  }
  validateId("project id", projectId);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let getToken: TokenSource;
  if (options.token) {
    getToken = staticTokenSource(options.token);
  } else {
    const projectApiKey = options.projectApiKey ?? env("UP42_PROJECT_API_KEY");
    if (!projectApiKey) {
      throw new ConfigError(
        "missing UP42 credentials: set UP42_PROJECT_API_KEY (or pass projectApiKey or token)",
      );
    }
    getToken = projectTokenSource({
      apiUrl,
      projectId,
      projectApiKey,
      retry,
      timeoutMs,
      fetch: doFetch,
    });
  }
  return withJobtask({ apiUrl, projectId, getToken, retry, timeoutMs, fetch: doFetch }, {
    jobId: options.jobId,
    jobtaskId: options.jobtaskId,
  });
}

/**
 * A copy of `ctx` pointing at another job and jobtask (same auth and token).
 *
 * @example
 * ```ts
 * import { createContext, withJobtask } from "./context.ts";
 * const project = createContext({ apiUrl: "http://127.0.0.1:8042", projectId: "p", projectApiKey: "k" });
 * const task = withJobtask(project, { jobId: "job-1", jobtaskId: "task-1" });
 * console.log(task.jobtaskId);
 * ```
 */
export function withJobtask(
  ctx: Up42Context,
  ids: { jobId?: string; jobtaskId?: string },
): Up42Context {
  if (ids.jobId !== undefined) validateId("job id", ids.jobId);
  if (ids.jobtaskId !== undefined) validateId("jobtask id", ids.jobtaskId);
  return Object.freeze({ ...ctx, jobId: ids.jobId, jobtaskId: ids.jobtaskId });
}

function normaliseApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `API url ${JSON.stringify(value)} is not a URL: use e.g. ${DEFAULT_API_URL}`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`API url must be http(s), got ${url.protocol}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError("API url must not contain credentials, a query or a fragment");
  }
  return url.href.replace(/\/+$/, "");
}

// Reading the environment needs --allow-env; without it the variable counts as unset.
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}
