/**
 * Building the context every call takes: where the API is, how to get a
 * token, which project, job and jobtask. A frozen plain object; nothing is
 * hidden in a class.
 *
 * @module
 */
import { ConfigError, PermissionError } from "../errors.ts";
import { projectTokenSource, staticTokenSource } from "./auth.ts";
import type { RetryEvent } from "./fetch_retry.ts";
import { validateId } from "./ids.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry_policy.ts";
import type { JobContext, JobtaskContext, TokenSource, Up42Context } from "./types.ts";

/** The API base used when neither `apiUrl` nor `UP42_API_URL` is set. */
export const DEFAULT_API_URL = "https://api.up42.com";

/** The environment variables a context may read, for `--allow-env`. */
export const ENV_VARIABLES: readonly string[] = Object.freeze([
  "UP42_PROJECT_ID",
  "UP42_PROJECT_API_KEY",
  "UP42_API_URL",
]);

/** Options of {@linkcode createContext}; everything has a default. */
export interface ContextOptions {
  /** API base URL. Default: env `UP42_API_URL`, else `https://api.up42.com`. */
  apiUrl?: string;
  /** Project id. Default: env `UP42_PROJECT_ID`. */
  projectId?: string;
  /** Project API key. Default: env `UP42_PROJECT_API_KEY` (not read when `token` is given). */
  projectApiKey?: string;
  /** An already issued access token, used instead of the API key. */
  token?: string;
  /** Job id. */
  jobId?: string;
  /** Jobtask id (needs `jobId`). */
  jobtaskId?: string;
  /** Overrides of the retry policy. Default {@linkcode DEFAULT_RETRY}. */
  retry?: Partial<RetryPolicy>;
  /** Time limit of one attempt until its response headers, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Time limit for reading a JSON body, in ms. Default 60 000. */
  bodyTimeoutMs?: number;
  /** Largest JSON body accepted, in bytes. Default 64 MiB. */
  maxJsonBytes?: number;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Called before each retry of any call, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
}

/**
 * Builds a context from options, falling back to the environment variables
 * `UP42_PROJECT_ID`, `UP42_PROJECT_API_KEY` and `UP42_API_URL` for what is
 * not given. A variable that is needed but may not be read (no
 * `--allow-env`) is a `PermissionError` naming the flag. Ids are validated
 * here, so a bad id fails before any request. No request is made: the token
 * is fetched on the first call. With `jobId` and `jobtaskId` the result is a
 * {@linkcode JobtaskContext}.
 *
 * @example
 * ```ts
 * import { createContext } from "@up42/jobtask";
 * const ctx = createContext({
 *   apiUrl: "http://127.0.0.1:8042",
 *   projectId: "my-project",
 *   projectApiKey: "my-key",
 *   jobId: "job-1",
 *   jobtaskId: "task-1",
 * });
 * if (ctx.jobtaskId !== "task-1" || "projectApiKey" in ctx) throw new Error();
 * ```
 */
export function createContext(
  options: ContextOptions & { jobId: string; jobtaskId: string },
): JobtaskContext;
/**
 * Builds a context pointing at a job.
 *
 * @example
 * ```ts
 * import { createContext } from "@up42/jobtask";
 * const ctx = createContext({ apiUrl: "http://127.0.0.1:8042", projectId: "p", token: "t", jobId: "job-1" });
 * if (ctx.jobId !== "job-1") throw new Error();
 * ```
 */
export function createContext(options: ContextOptions & { jobId: string }): JobContext;
/**
 * Builds a project context.
 *
 * @example
 * ```ts
 * import { createContext } from "@up42/jobtask";
 * const ctx = createContext({ apiUrl: "http://127.0.0.1:8042", projectId: "p", token: "t" });
 * if (ctx.projectId !== "p") throw new Error();
 * ```
 */
export function createContext(options?: ContextOptions): Up42Context;
export function createContext(options: ContextOptions = {}): Up42Context {
  const apiUrl = normaliseApiUrl(options.apiUrl ?? env("UP42_API_URL") ?? DEFAULT_API_URL);
  const projectId = options.projectId ?? env("UP42_PROJECT_ID");
  if (!projectId) {
    throw new ConfigError({
      setting: "UP42_PROJECT_ID",
      problem: "missing UP42 credentials",
      fix: "set UP42_PROJECT_ID and UP42_PROJECT_API_KEY (or pass projectId and projectApiKey)",
    });
  }
  validateId("project id", projectId);
  const retry = { ...DEFAULT_RETRY, ...options.retry };
  const timeoutMs = positive("timeoutMs", options.timeoutMs ?? 30_000);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let getToken: TokenSource;
  if (options.token) {
    getToken = staticTokenSource(options.token);
  } else {
    const projectApiKey = options.projectApiKey ?? env("UP42_PROJECT_API_KEY");
    if (!projectApiKey) {
      throw new ConfigError({
        setting: "UP42_PROJECT_API_KEY",
        problem: "missing UP42 credentials",
        fix: "set UP42_PROJECT_API_KEY (or pass projectApiKey or token)",
      });
    }
    getToken = projectTokenSource({
      apiUrl,
      projectId,
      projectApiKey,
      retry,
      timeoutMs,
      fetch: doFetch,
      onRetry: options.onRetry,
    });
  }
  const base: Up42Context = {
    apiUrl,
    projectId,
    getToken,
    retry,
    timeoutMs,
    bodyTimeoutMs: positive("bodyTimeoutMs", options.bodyTimeoutMs ?? 60_000),
    maxJsonBytes: positive("maxJsonBytes", options.maxJsonBytes ?? 64 * 1024 * 1024),
    fetch: doFetch,
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  };
  if (options.jobtaskId !== undefined) {
    return withJobtask(base, { jobId: options.jobId as string, jobtaskId: options.jobtaskId });
  }
  if (options.jobId !== undefined) return withJob(base, { jobId: options.jobId });
  return Object.freeze(base);
}

/**
 * A copy of `ctx` pointing at job `jobId` (same auth and token).
 *
 * @example
 * ```ts
 * import { createContext, withJob } from "@up42/jobtask";
 * const project = createContext({ apiUrl: "http://127.0.0.1:8042", projectId: "p", token: "t" });
 * if (withJob(project, { jobId: "job-1" }).jobId !== "job-1") throw new Error();
 * ```
 */
export function withJob(ctx: Up42Context, ids: { jobId: string }): JobContext {
  validateId("job id", ids.jobId);
  const { jobtaskId: _dropped, ...rest } = ctx as Partial<JobtaskContext> & Up42Context;
  return Object.freeze({ ...rest, jobId: ids.jobId });
}

/**
 * A copy of `ctx` pointing at another jobtask (same auth and token); the job
 * stays the same unless `jobId` is given.
 *
 * @example
 * ```ts
 * import { createContext, withJobtask } from "@up42/jobtask";
 * const project = createContext({ apiUrl: "http://127.0.0.1:8042", projectId: "p", token: "t" });
 * const task = withJobtask(project, { jobId: "job-1", jobtaskId: "task-1" });
 * if (task.jobtaskId !== "task-1") throw new Error();
 * ```
 */
export function withJobtask(
  ctx: JobContext,
  ids: { jobId?: string; jobtaskId: string },
): JobtaskContext;
/**
 * A copy of a project context pointing at a job's jobtask.
 *
 * @example
 * ```ts
 * import { createContext, withJobtask } from "@up42/jobtask";
 * const project = createContext({ apiUrl: "http://127.0.0.1:8042", projectId: "p", token: "t" });
 * if (withJobtask(project, { jobId: "j", jobtaskId: "t" }).jobId !== "j") throw new Error();
 * ```
 */
export function withJobtask(
  ctx: Up42Context,
  ids: { jobId: string; jobtaskId: string },
): JobtaskContext;
export function withJobtask(
  ctx: Up42Context,
  ids: { jobId?: string; jobtaskId: string },
): JobtaskContext {
  const jobId = ids.jobId ?? (ctx as Partial<JobContext>).jobId;
  validateId("job id", jobId);
  validateId("jobtask id", ids.jobtaskId);
  return Object.freeze({ ...ctx, jobId: jobId as string, jobtaskId: ids.jobtaskId });
}

function positive(setting: string, value: number): number {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new ConfigError({
      setting,
      problem: `${setting} ${value} is not a positive number`,
      fix: "pass a positive number of milliseconds or bytes",
    });
  }
  return value;
}

function normaliseApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError({
      setting: "apiUrl",
      problem: `API url ${JSON.stringify(value.slice(0, 100))} is not a URL`,
      fix: `use e.g. ${DEFAULT_API_URL}`,
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError({
      setting: "apiUrl",
      problem: `API url must be http(s), got ${url.protocol}`,
      fix: `use e.g. ${DEFAULT_API_URL}`,
    });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError({
      setting: "apiUrl",
      problem: "API url must not contain credentials, a query or a fragment",
      fix: `use e.g. ${DEFAULT_API_URL}`,
    });
  }
  return url.href.replace(/\/+$/, "");
}

/** An environment variable, or undefined when unset; no permission is a PermissionError. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new PermissionError({
        flag: `--allow-env=${ENV_VARIABLES.join(",")}`,
        why: `reading the environment variable ${name}`,
      }, { cause: error });
    }
    throw error;
  }
}
