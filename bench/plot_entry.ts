/**
 * `plotResults` in its own process, as a script would run it:
 * `deno run -A bench/plot_entry.ts concurrent|one-by-one OUT.png FILE...`.
 * One by one prepares each panel after the other on the main thread (the
 * way plots were made before panels were prepared concurrently).
 *
 * @module
 */
import { plotResults } from "../lib/plot/mod.ts";

const [mode, output, ...files] = Deno.args;
const oneByOne = mode === "one-by-one";
await plotResults({
  filepaths: files,
  output,
  concurrency: oneByOne ? 1 : undefined,
  workers: oneByOne ? false : undefined,
});
