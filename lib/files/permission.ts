/**
 * Deno permissions asked for once per folder, by name: a write into a
 * folder asks for that folder (never for a random temporary file in it),
 * and a missing permission is a `PermissionError` naming the flag to add.
 *
 * @module
 */
import { PermissionError } from "../errors.ts";

/**
 * Makes sure the process may `kind` (read or write) `path`: granted goes
 * on; "prompt" asks once (interactively) for exactly `path`; denied, or a
 * prompt refused, throws a `PermissionError` naming `--allow-kind=path` and
 * `why`.
 *
 * @example
 * ```ts
 * import { ensurePermission } from "./permission.ts";
 * await ensurePermission("read", Deno.cwd(), "reading the working folder");
 * ```
 */
export async function ensurePermission(
  kind: "read" | "write",
  path: string,
  why: string,
): Promise<void> {
  const descriptor = { name: kind, path } as const;
  let state = (await Deno.permissions.query(descriptor)).state;
  if (state === "prompt") state = (await Deno.permissions.request(descriptor)).state;
  if (state !== "granted") throw new PermissionError({ flag: `--allow-${kind}=${path}`, why });
}

/**
 * Whether `error` is Deno's "permission missing" error.
 *
 * @example
 * ```ts
 * import { isPermissionFailure } from "./permission.ts";
 * if (isPermissionFailure(new Error("x"))) throw new Error();
 * ```
 */
export function isPermissionFailure(error: unknown): boolean {
  return error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied;
}
