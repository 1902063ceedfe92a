/**
 * Minimal entry running the `render` command, so the benchmark measures it as
 * a separate process: `deno run -A bench/render_entry.ts FILE --out PNG ...`.
 *
 * @module
 */

import { runRenderCommand } from "../lib/cli_render.ts";

try {
  Deno.exit(await runRenderCommand(Deno.args));
} catch (e) {
  console.error(`error: ${e instanceof Error ? e.message : e}`);
  Deno.exit(1);
}
