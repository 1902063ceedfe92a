/**
 * The `render` command in its own process, as the CLI runs it, so the
 * benchmark measures start-up too: `deno run -A bench/render_entry.ts FILE --out PNG ...`.
 *
 * @module
 */
import { main } from "../lib/cli/mod.ts";

Deno.exit(await main(["render", ...Deno.args]));
