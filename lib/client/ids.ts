/**
 * Validation of the ids that are put into API paths, and the paths built
 * from them. An id is checked before any request is made, so a hostile or
 * mistyped id is never sent.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { JobContext, JobtaskContext } from "./types.ts";

// UP42 ids are UUIDs; the emulator and tests use short names too. Anything
// outside this set could change the meaning of a URL path.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

/**
 * Returns `id` when it is safe to use as one URL path segment, else throws a
 * {@linkcode ConfigError} whose `setting` names the kind of id. Refused:
 * empty ids, `/`, `..`, `?`, `#`, `%`, whitespace, control characters and
 * anything else outside letters, digits and `.`, `_`, `~`, `-`.
 *
 * @example
 * ```ts
 * import { validateId } from "./ids.ts";
 * import { ConfigError } from "@up42/jobtask";
 * validateId("job id", "de5806aa-5ef1-4dc9-ab1d-06d7ec1a5021");
 * try {
 *   validateId("job id", "../admin");
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof ConfigError) || e.setting !== "job id") throw e;
 * }
 * ```
 */
export function validateId(kind: string, id: unknown): string {
  if (typeof id !== "string" || id.length === 0) {
    throw new ConfigError({
      setting: kind,
      problem: `${kind} is missing`,
      fix: `pass it explicitly (e.g. --${kind.replace(/ id$/, "").replace(/\s+/g, "-")} ID)`,
    });
  }
  if (id.length > 128 || !SAFE_ID.test(id) || id.includes("..")) {
    throw new ConfigError({
      setting: kind,
      problem: `${kind} ${JSON.stringify(id.slice(0, 64))} is not a valid id`,
      fix: "use the UUID shown in the UP42 console (letters, digits, '-', '_', '.' only)",
    });
  }
  return id;
}

/**
 * Builds an API path from literal segments and ids, validating every id.
 *
 * @example
 * ```ts
 * import { apiPath } from "./ids.ts";
 * const path = apiPath("projects", ["project id", "p1"], "jobs", ["job id", "j1"], "tasks", "");
 * if (path !== "/projects/p1/jobs/j1/tasks/") throw new Error(path);
 * ```
 */
export function apiPath(...parts: (string | [kind: string, id: string | undefined])[]): string {
  return "/" + parts.map((p) => typeof p === "string" ? p : validateId(p[0], p[1])).join("/");
}

/**
 * The path `/projects/{p}/jobs/{j}/...rest`, every id validated.
 *
 * @example
 * ```ts
 * import { jobPath } from "./ids.ts";
 * import { createContext } from "@up42/jobtask";
 * const ctx = createContext({ apiUrl: "http://127.0.0.1:1", projectId: "p", token: "t", jobId: "j" });
 * if (jobPath(ctx, "tasks", "") !== "/projects/p/jobs/j/tasks/") throw new Error();
 * ```
 */
export function jobPath(ctx: JobContext, ...rest: string[]): string {
  return apiPath("projects", ["project id", ctx.projectId], "jobs", ["job id", ctx.jobId], ...rest);
}

/**
 * The path `/projects/{p}/jobs/{j}/tasks/{t}/...rest`, every id validated.
 *
 * @example
 * ```ts
 * import { jobtaskPath } from "./ids.ts";
 * import { createContext } from "@up42/jobtask";
 * const ctx = createContext({ apiUrl: "http://127.0.0.1:1", projectId: "p", token: "t", jobId: "j", jobtaskId: "t" });
 * if (jobtaskPath(ctx, "outputs", "") !== "/projects/p/jobs/j/tasks/t/outputs/") throw new Error();
 * ```
 */
export function jobtaskPath(ctx: JobtaskContext, ...rest: string[]): string {
  return jobPath(ctx, "tasks", validateId("jobtask id", ctx.jobtaskId), ...rest);
}
