/**
 * The `up42` command line: `deno task up42 <command> [flags]`.
 *
 * @example
 * ```sh
 * deno task up42 info --job de5806aa-5ef1-4dc9-ab1d-06d7ec1a5021 --jobtask 3f772637-09aa-4164-bded-692fcd746d20
 * ```
 *
 * @module
 */
export { main } from "./lib/cli.ts";
import { main } from "./lib/cli.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
