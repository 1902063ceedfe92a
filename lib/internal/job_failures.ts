/**
 * Turning the settled jobtasks of a job call into the `JobError` it throws,
 * shared by every call over a job's jobtasks so that all of them report
 * failures the same way (non-`Error` rejections wrapped, names as given).
 *
 * @module
 */
import { JobError, type JobFailure, type JobtaskFailure } from "../errors.ts";

/**
 * The failure of jobtask `jobtaskId` (named `jobtaskName`, or `null`)
 * rejected with `reason` (wrapped in an `Error` when it is none).
 *
 * @example
 * ```ts
 * import { jobtaskFailure } from "./job_failures.ts";
 * const f = jobtaskFailure("broken", "t", null);
 * if (f.error.message !== "broken" || f.jobtaskName !== undefined) throw new Error();
 * ```
 */
export function jobtaskFailure(
  reason: unknown,
  jobtaskId: string,
  jobtaskName: string | null,
): JobtaskFailure {
  const error = reason instanceof Error ? reason : new Error(String(reason));
  return { jobtaskId, jobtaskName: jobtaskName ?? undefined, error };
}

/**
 * Throws the {@linkcode JobError} of `init` when it has failures.
 *
 * @example
 * ```ts
 * import { throwIfFailed } from "./job_failures.ts";
 * import { JobError } from "../errors.ts";
 * throwIfFailed({ jobId: "j", action: "download", failures: [], total: 1, result: null });
 * const failures = [{ jobtaskId: "t", error: new Error("x") }];
 * try {
 *   throwIfFailed({ jobId: "j", action: "download", failures, total: 2, result: null });
 *   throw new Error("not thrown");
 * } catch (e) {
 *   if (!(e instanceof JobError) || e.failures !== failures) throw e;
 * }
 * ```
 */
export function throwIfFailed<T>(init: JobFailure<T>): void {
  if (init.failures.length) throw new JobError(init);
}
