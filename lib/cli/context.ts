/**
 * The context of a command that calls the API: ids from `--job` and
 * `--jobtask`, credentials from the environment, and with `--verbose` each
 * retry reported on stderr.
 *
 * @module
 */
import { createContext } from "../client/context.ts";
import type { RetryEvent } from "../client/fetch_retry.ts";
import type { JobContext, JobtaskContext } from "../client/types.ts";
import type { FlagValues } from "./args.ts";

/**
 * A job context from the flags.
 *
 * @example
 * ```ts
 * import { jobContext } from "./context.ts";
 * const ctx = jobContext({ job: "j" }, { UP42_PROJECT_ID: "p", UP42_PROJECT_API_KEY: "k" });
 * if (ctx.jobId !== "j") throw new Error();
 * ```
 */
export function jobContext(values: FlagValues, env?: Record<string, string>): JobContext {
  return createContext({
    ...credentials(env),
    jobId: values.job as string,
    onRetry: values.verbose ? reportRetry : undefined,
  });
}

/**
 * A jobtask context from the flags.
 *
 * @example
 * ```ts
 * import { jobtaskContext } from "./context.ts";
 * const ctx = jobtaskContext({ job: "j", jobtask: "t" }, { UP42_PROJECT_ID: "p", UP42_PROJECT_API_KEY: "k" });
 * if (ctx.jobtaskId !== "t") throw new Error();
 * ```
 */
export function jobtaskContext(values: FlagValues, env?: Record<string, string>): JobtaskContext {
  return createContext({
    ...credentials(env),
    jobId: values.job as string,
    jobtaskId: jobtaskIds(values)[0],
    onRetry: values.verbose ? reportRetry : undefined,
  });
}

/**
 * The `--jobtask` values, one or several (none when absent).
 *
 * @example
 * ```ts
 * import { jobtaskIds } from "./context.ts";
 * if (jobtaskIds({ jobtask: ["a", "b"] }).join() !== "a,b" || jobtaskIds({}).length) throw new Error();
 * ```
 */
export function jobtaskIds(values: FlagValues): string[] {
  const value = values.jobtask;
  return value === undefined || typeof value === "boolean"
    ? []
    : Array.isArray(value)
    ? value
    : [value];
}

/** Credentials given explicitly (tests); the context reads the environment otherwise. */
function credentials(env?: Record<string, string>) {
  return env
    ? {
      projectId: env.UP42_PROJECT_ID,
      projectApiKey: env.UP42_PROJECT_API_KEY,
      apiUrl: env.UP42_API_URL,
    }
    : {};
}

function reportRetry(event: RetryEvent): void {
  console.error(
    `retry ${event.retry}: ${event.method} ${event.path}: ${event.reason}; waiting ${
      (event.delayMs / 1000).toFixed(1)
    } s`,
  );
}
