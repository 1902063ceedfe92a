/**
 * `deno task bench`: runs every benchmark in `bench/` one after the other
 * (in parallel they would disturb each other's timings), each in its own
 * process, then prints one summary table: each figure beside its reference,
 * the ratio and the target. `deno task bench download startup` runs only
 * those.
 *
 * A benchmark is any `bench/*.ts` except this file, `*_entry.ts` (scripts a
 * benchmark runs) and `_*.ts`; `bench/support/` holds what they share.
 * Figures reach the summary through `reportFigures` of
 * `support/measure.ts` (a JSON-lines file named by `BENCH_FIGURES`); a
 * benchmark that prints only its own tables is listed as such. A
 * benchmark whose required program is missing is skipped with one line
 * (`skipped: X missing`), not failed; benchmarks skip optional parts the
 * same way themselves.
 *
 * @module
 */
import { type Figure, figureTable, has, markdownTable } from "./support/measure.ts";

/** The order of the summary; benchmarks not listed follow alphabetically. */
const ORDER = ["startup", "download", "render", "map", "job", "edge", "zip_readers", "handwritten"];

/** Programs a benchmark cannot run without (optional ones it skips itself). */
const NEEDS: Record<string, string[]> = {
  startup: ["/usr/bin/time"],
  download: ["/usr/bin/time", "tar", "gzip"],
  render: ["/usr/bin/time"],
  map: ["chromium"],
  job: ["/usr/bin/time", "tar", "gzip", "curl"],
};

/** How to probe a program: its command (Chromium may be elsewhere) and arguments. */
function probe(tool: string): boolean {
  if (tool === "chromium") return has(Deno.env.get("CHROMIUM_PATH") ?? "chromium");
  if (tool === "/usr/bin/time") return has(tool, ["true"]);
  return has(tool);
}

async function discover(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(new URL(".", import.meta.url))) {
    const name = entry.name.replace(/\.ts$/, "");
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    if (name === "run" || name.endsWith("_entry") || name.startsWith("_")) continue;
    names.push(name);
  }
  const rank = (n: string) => ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length;
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

interface Recorded extends Partial<Figure> {
  benchmark: string;
  skipped?: string;
}

async function main(): Promise<number> {
  const all = await discover();
  const unknown = Deno.args.filter((name) => !all.includes(name));
  if (unknown.length) {
    console.error(`error: unknown benchmark ${unknown[0]}; choose from ${all.join(", ")}`);
    return 2;
  }
  const wanted = Deno.args.length ? all.filter((name) => Deno.args.includes(name)) : all;
  const figuresFile = await Deno.makeTempFile({ prefix: "up42-bench-figures-" });
  const outcome = new Map<string, string>();
  try {
    for (const name of wanted) {
      console.log(`\n## ${name}\n`);
      const absent = (NEEDS[name] ?? []).find((tool) => !probe(tool));
      if (absent) {
        console.log(`skipped: ${absent} missing`);
        outcome.set(name, `skipped: ${absent} missing`);
        continue;
      }
      const started = performance.now();
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL(`./${name}.ts`, import.meta.url).pathname],
        env: { BENCH_FIGURES: figuresFile },
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      if (code !== 0) console.error(`benchmark ${name} failed with exit status ${code}`);
      outcome.set(name, code === 0 ? `ran in ${seconds} s` : `**failed** (exit status ${code})`);
    }
    const recorded: Recorded[] = (await Deno.readTextFile(figuresFile)).split("\n")
      .filter(Boolean).map((line) => JSON.parse(line));
    printSummary(wanted, outcome, recorded);
  } finally {
    await Deno.remove(figuresFile);
  }
  return [...outcome.values()].some((o) => o.includes("failed")) ? 1 : 0;
}

function printSummary(names: string[], outcome: Map<string, string>, recorded: Recorded[]): void {
  console.log("\n## Summary\n");
  const rows = names.map((name) => {
    const mine = recorded.filter((r) => r.benchmark === name);
    const figures = mine.filter((r) => r.figure !== undefined);
    const targets = figures.filter((r) => r.target);
    const skips = mine.filter((r) => r.skipped).map((r) => `skipped: ${r.skipped}`);
    return [
      name,
      outcome.get(name) ?? "–",
      figures.length
        ? `${figures.length}`
        : outcome.get(name)?.startsWith("ran")
        ? "none recorded (see its tables above)"
        : "–",
      targets.length ? `${targets.filter((r) => r.target!.met).length} of ${targets.length}` : "–",
      skips.join("; ") || "–",
    ];
  });
  console.log(markdownTable(["benchmark", "outcome", "figures", "targets met", "notes"], rows));
  for (const name of names) {
    // Figures compared with something; the others stay in the benchmark's own tables.
    const figures = recorded.filter((r) =>
      r.benchmark === name && r.figure !== undefined && (r.reference || r.target)
    );
    if (!figures.length) continue;
    console.log(`\n### ${name}\n\n${figureTable(figures as Figure[])}`);
  }
}

if (import.meta.main) Deno.exit(await main());
