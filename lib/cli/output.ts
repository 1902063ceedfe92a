/**
 * What commands print on stdout: JSON documents and written paths.
 *
 * @module
 */
import { resolve } from "node:path";

/**
 * Prints `value` as indented JSON.
 *
 * @example
 * ```ts
 * import { printJson } from "./output.ts";
 * printJson({ ok: true });
 * ```
 */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/**
 * Prints absolute paths, one per line.
 *
 * @example
 * ```ts
 * import { printPaths } from "./output.ts";
 * printPaths(["a.txt"]);
 * ```
 */
export function printPaths(paths: string[]): void {
  const text = paths.map((p) => `${resolve(p)}\n`).join("");
  if (text) Deno.stdout.writeSync(new TextEncoder().encode(text));
}
