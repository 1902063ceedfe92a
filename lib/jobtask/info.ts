/**
 * Jobtask metadata: the jobtasks of a job, and one jobtask's entry.
 *
 * @module
 */
import { jobPath } from "../client/ids.ts";
import { request } from "../client/request.ts";
import type { JobContext, JobtaskContext } from "../client/types.ts";
import { Up42ApiError } from "../errors.ts";
import type { CallOptions, JobtaskInfo } from "./types.ts";

/**
 * Lists all jobtasks of `ctx.jobId` (GET `/projects/{p}/jobs/{j}/tasks/`).
 *
 * @example
 * ```ts
 * import { createContext, listJobtasks } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const tasks = await listJobtasks(createContext({ ...emulator.credentials, jobId: emulator.jobId }));
 * if (tasks.length !== 3) throw new Error();
 * ```
 */
export async function listJobtasks(
  ctx: JobContext,
  options: CallOptions = {},
): Promise<JobtaskInfo[]> {
  const path = jobPath(ctx, "tasks", "");
  const tasks = await request<unknown>(ctx, path, options);
  const malformed = (message: string) =>
    new Up42ApiError({ method: "GET", path, status: 200, message });
  if (!Array.isArray(tasks)) throw malformed("expected a list of jobtasks");
  tasks.forEach((task, i) => {
    if (!task || typeof task !== "object" || typeof (task as JobtaskInfo).id !== "string") {
      throw malformed(`entry ${i} of the jobtask list is not a jobtask with an id`);
    }
  });
  return tasks as JobtaskInfo[];
}

/**
 * The metadata of `ctx.jobtaskId`: the entry of {@linkcode listJobtasks}
 * whose id matches. Throws `Up42ApiError` (status 404) when the job has no
 * such jobtask.
 *
 * @example
 * ```ts
 * import { createContext, jobtaskInfo } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * if ((await jobtaskInfo(ctx)).status !== "SUCCEEDED") throw new Error();
 * ```
 */
export async function jobtaskInfo(
  ctx: JobtaskContext,
  options: CallOptions = {},
): Promise<JobtaskInfo> {
  const tasks = await listJobtasks(ctx, options);
  const found = tasks.find((t) => t.id === ctx.jobtaskId);
  if (!found) {
    throw new Up42ApiError({
      method: "GET",
      path: jobPath(ctx, "tasks", ""),
      status: 404,
      message: `job ${ctx.jobId} has no jobtask ${ctx.jobtaskId}`,
      hint: `its jobtasks are: ${tasks.slice(0, 10).map((t) => t.id).join(", ") || "none"}`,
    });
  }
  return found;
}
