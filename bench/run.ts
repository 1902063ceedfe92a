/**
 * `deno task bench`: runs every benchmark beside the reference tool it is
 * measured against, one after the other (they would disturb each other's
 * timings in parallel). `deno task bench download` runs only that one.
 *
 * @module
 */
const BENCHMARKS = ["download", "render", "map"];

const wanted = Deno.args.length ? Deno.args : BENCHMARKS;
let failed = 0;
for (const name of wanted) {
  if (!BENCHMARKS.includes(name)) {
    console.error(`error: unknown benchmark ${name}; choose from ${BENCHMARKS.join(", ")}`);
    Deno.exit(2);
  }
  console.log(`\n## ${name}\n`);
  const script = new URL(`./${name}.ts`, import.meta.url).pathname;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    console.error(`benchmark ${name} failed with exit status ${code}`);
    failed++;
  }
}
Deno.exit(failed ? 1 : 0);
