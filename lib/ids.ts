/**
 * Validation of the ids that are put into API paths. An id is checked before
 * any request is made, so a hostile or mistyped id is never sent.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

// UP42 ids are UUIDs; the emulator and tests use short names too. Anything
// outside this set could change the meaning of a URL path.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

/**
 * Returns `id` when it is safe to use as one URL path segment, else throws a
 * {@linkcode ConfigError} naming the kind of id. Refused: empty ids, `/`, `..`,
 * `?`, `#`, `%`, whitespace, control characters and anything else outside
 * letters, digits and `.`, `_`, `~`, `-`.
 *
 * @example
 * ```ts
 * import { validateId } from "./ids.ts";
 * validateId("job id", "de5806aa-5ef1-4dc9-ab1d-06d7ec1a5021"); // ok
 * try { validateId("job id", "../admin"); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function validateId(kind: string, id: unknown): string {
  if (typeof id !== "string" || id.length === 0) {
    throw new ConfigError(`${kind} is missing: pass it explicitly (e.g. --${flagName(kind)} ID)`);
  }
  if (id.length > 128 || !SAFE_ID.test(id) || id.includes("..")) {
    throw new ConfigError(
      `${kind} ${
        JSON.stringify(id.slice(0, 64))
      } is not a valid id: use the UUID shown in the UP42 console (letters, digits, '-', '_', '.' only)`,
    );
  }
  return id;
}

function flagName(kind: string): string {
  return kind.replace(/ id$/, "").replace(/\s+/g, "-");
}

/**
 * Builds an API path from literal segments and ids, validating every id.
 *
 * @example
 * ```ts
 * import { apiPath } from "./ids.ts";
 * apiPath("projects", ["project id", "p1"], "jobs", ["job id", "j1"], "tasks", "");
 * // "/projects/p1/jobs/j1/tasks/"
 * ```
 */
export function apiPath(...parts: (string | [kind: string, id: string | undefined])[]): string {
  return "/" + parts.map((p) => typeof p === "string" ? p : validateId(p[0], p[1])).join("/");
}
