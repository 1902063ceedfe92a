/**
 * What the API commands print on stdout: JSON documents. It imports no
 * `node:` module: in a fresh process the first one starts Deno's Node
 * compatibility layer, a cost the API commands need not pay (see
 * `bench/startup.ts`).
 *
 * @module
 */

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
