/**
 * Choosing jobtasks of a job by id: the one place that refuses an id the
 * job does not have, before any work starts.
 *
 * @module
 */
import { clip, ConfigError } from "../errors.ts";
import type { JobtaskInfo } from "./types.ts";

/**
 * The jobtasks of `listed` with the given `ids`, in the order of `ids`
 * (repeats dropped); every jobtask when `ids` is absent. An id the job does
 * not have is a `ConfigError` (setting `jobtasks`) listing the ones it has.
 *
 * @example
 * ```ts
 * import { selectJobtasks } from "./select.ts";
 * const listed = [{ id: "a" }, { id: "b" }];
 * if (selectJobtasks(listed, ["b"], "j").map((t) => t.id).join() !== "b") throw new Error();
 * if (selectJobtasks(listed, undefined, "j").length !== 2) throw new Error();
 * ```
 */
export function selectJobtasks(
  listed: JobtaskInfo[],
  ids: readonly string[] | undefined,
  jobId: string,
): JobtaskInfo[] {
  if (!ids) return listed;
  const byId = new Map(listed.map((t) => [t.id, t]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length) {
    throw new ConfigError({
      setting: "jobtasks",
      problem: `job ${clip(jobId, 60)} has no jobtask ${
        unknown.slice(0, 3).map((id) => clip(id, 60)).join(", ")
      }${unknown.length > 3 ? ", …" : ""}`,
      fix: `choose from its jobtasks: ${listed.slice(0, 10).map((t) => t.id).join(", ") || "none"}`,
    });
  }
  return [...new Set(ids)].map((id) => byId.get(id)!);
}

/**
 * A jobtask's name as a string, or `null` when the API gave none.
 *
 * @example
 * ```ts
 * import { jobtaskName } from "./select.ts";
 * if (jobtaskName({ id: "a", name: "block:1" }) !== "block:1" || jobtaskName({ id: "b" }) !== null) throw new Error();
 * ```
 */
export function jobtaskName(task: JobtaskInfo): string | null {
  return typeof task.name === "string" ? task.name : null;
}
