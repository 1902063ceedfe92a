/**
 * What a user pays before anything happens, each case a fresh process under
 * `/usr/bin/time -v`, interleaved round by round (one discarded warm-up
 * round fills Deno's caches, as for a user's second run), medians:
 *
 * - a script that imports only the jobtask calls (`bench/jobtask_entry.ts`)
 *   and makes one request against the emulator in another process: modules
 *   loaded, peak RSS, time from process start to the first request reaching
 *   the server; beside the same script at commit 674ece7 (`jobtaskInfo`
 *   from `mod.ts`, extracted with `git archive` into a temporary folder);
 * - the CLI run as `deno task up42` runs it, for the commands that need only
 *   the API, beside a bare `deno run` of an empty script (target: at most
 *   2× its wall time, under 45 MB), and `--help`/`info` at 674ece7;
 * - which stages `render` and `map` load (none of the map's and none of
 *   the download's, respectively).
 *
 * Modules are counted at run time through the inspector (see
 * `support/modules.ts`); the first request's arrival is stamped by a front
 * in this process (see `support/emulator.ts`).
 *
 *     deno task bench startup      # or: deno run -A bench/startup.ts [RUNS]
 *
 * @module
 */
import { writeGeoTiff } from "../lib/emulator/mod.ts";
import { startEmulatorProcess } from "./support/emulator.ts";
import { type Figure, median, missing, reportFigures, skipped, timed } from "./support/measure.ts";
import {
  type LoadedModules,
  loadedModules,
  npmPackages,
  staticGraphSize,
} from "./support/modules.ts";

const BENCH = "startup";
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const BEFORE = "674ece7";
const RUNS = Number(Deno.args[0] ?? 5);
/** Issue targets: CLI start-up at most this many times an empty script, and this peak RSS. */
const START_RATIO = 2, START_RSS_MB = 45;

/** Local files and npm packages of the stages a jobtask-only script must not load. */
const HEAVY_FILE =
  /(^|\/)(raster|image|map|plot|emulator|notebook)(\/|_)|\/(png|palette_png|font|text|plot|map|warp|crs|render_raster|base64)\.ts$/;
const HEAVY_NPM = new Set([
  "geotiff",
  "fast-png",
  "jpeg-js",
  "leaflet",
  "proj4",
  "opentype.js",
  "pdfmake",
  "d3-scale-chromatic",
  "epsg-index",
]);

interface Case {
  label: string;
  /** `deno` arguments. */
  args: string[];
  /** Whether it sends requests (time to first request is measured). */
  requests: boolean;
}

interface Measured {
  seconds: number;
  cpuSeconds: number;
  rssMb: number;
  firstRequestMs: number;
}

/** The flags of `deno task up42` (`deno run FLAGS SCRIPT`) in the deno.json at `dir`. */
async function up42Flags(dir: string): Promise<{ flags: string[]; script: string }> {
  const config = JSON.parse(await Deno.readTextFile(`${dir}/deno.json`));
  const words = (config.tasks.up42 as string).split(/\s+/).slice(2);
  return { flags: words.slice(0, -1), script: `${dir}/${words.at(-1)}` };
}

/** The tree of commit `BEFORE` in `dir`, or undefined when git or the commit is missing. */
async function extractBefore(dir: string): Promise<string | undefined> {
  const git = (args: string[]) =>
    new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "null" }).output()
      .catch(() => undefined);
  if (!(await git(["cat-file", "-e", `${BEFORE}^{commit}`]))?.success) return undefined;
  const tree = `${dir}/before`;
  await Deno.mkdir(tree);
  const out = await new Deno.Command("bash", {
    args: ["-c", `git -C "${ROOT}" archive ${BEFORE} | tar -x -C "${tree}"`],
  }).output();
  if (!out.success) return undefined;
  await Deno.writeTextFile(
    `${tree}/_jobtask_only.ts`,
    `import { createContext, jobtaskInfo } from "./mod.ts";
const [jobId, jobtaskId] = Deno.args;
await jobtaskInfo(createContext({ jobId, jobtaskId }));
`,
  );
  return tree;
}

function heavy(modules: LoadedModules): string[] {
  return [
    ...modules.local.filter((f) => HEAVY_FILE.test(`/${f}`)),
    ...npmPackages(modules.npm).filter((p) => HEAVY_NPM.has(p)),
  ];
}

async function main(): Promise<void> {
  const tool = missing("/usr/bin/time");
  if (tool) return await skipped(BENCH, tool);
  const dir = await Deno.makeTempDir({ prefix: "up42-bench-startup-" });
  const emulator = await startEmulatorProcess(ROOT);
  try {
    await run(dir, emulator);
  } finally {
    await emulator.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(
  dir: string,
  emulator: Awaited<ReturnType<typeof startEmulatorProcess>>,
): Promise<void> {
  const job = emulator.jobId, jobtask = emulator.jobtasks.processing;
  await Deno.writeTextFile(`${dir}/empty.ts`, "");
  const before = await extractBefore(dir);
  if (!before) await skipped(BENCH, `git history with commit ${BEFORE}`, "before");
  const cli = await up42Flags(ROOT);
  const net = ["--allow-net=127.0.0.1", "--allow-env"];
  const cases: Case[] = [
    { label: "empty script", args: ["run", `${dir}/empty.ts`], requests: false },
    {
      label: "empty script, in the checkout",
      args: ["run", "--config", `${ROOT}/deno.json`, `${dir}/empty.ts`],
      requests: false,
    },
    {
      label: "jobtask-only script",
      args: ["run", ...net, `${ROOT}/bench/jobtask_entry.ts`, job, jobtask],
      requests: true,
    },
    ...["--help", "jobtasks", "info", "results-json"].map((command) => ({
      label: `up42 ${command}`,
      args: ["run", ...cli.flags, cli.script, ...commandArgs(command, job, jobtask)],
      requests: command !== "--help",
    })),
  ];
  if (before) {
    const old = await up42Flags(before);
    cases.push(
      {
        label: `jobtask-only script at ${BEFORE}`,
        args: [
          "run",
          ...net,
          "--config",
          `${before}/deno.json`,
          `${before}/_jobtask_only.ts`,
          job,
          jobtask,
        ],
        requests: true,
      },
      ...["--help", "info"].map((command) => ({
        label: `up42 ${command} at ${BEFORE}`,
        args: [
          "run",
          "--config",
          `${before}/deno.json`,
          ...old.flags,
          old.script,
          ...commandArgs(command, job, jobtask),
        ],
        requests: command !== "--help",
      })),
    );
  }

  // Interleaved rounds, so that the machine's load falls on every case alike.
  const samples = new Map<string, Measured[]>(cases.map((c) => [c.label, []]));
  for (let round = 0; round <= RUNS; round++) {
    for (const c of cases) {
      emulator.reset();
      let start = 0;
      const r = await timed([Deno.execPath(), ...c.args], {
        env: emulator.env,
        onSpawn: () => start = performance.now(),
      });
      const arrival = emulator.firstArrival();
      if (c.requests && arrival === undefined) throw new Error(`${c.label}: no request arrived`);
      if (round === 0) continue;
      samples.get(c.label)!.push({
        ...r,
        firstRequestMs: arrival === undefined ? NaN : arrival - start,
      });
    }
    console.error(`round ${round}/${RUNS} done`);
  }
  const m = (label: string, key: keyof Measured) => median(samples.get(label)!.map((s) => s[key]));
  const note = `medians of ${RUNS} fresh processes, interleaved, after one warm-up round`;

  // Modules loaded, counted in separate (inspected) runs.
  const count = (c: Case) =>
    loadedModules(c.args.slice(1), {
      root: c.label.includes(BEFORE) ? before! : ROOT,
      env: emulator.env,
    });
  const byLabel = (label: string) => cases.find((c) => c.label === label)!;
  const script = await count(byLabel("jobtask-only script"));
  const scriptBefore = before
    ? await count(byLabel(`jobtask-only script at ${BEFORE}`))
    : undefined;
  const total = (l: LoadedModules) =>
    l.local.length + l.npm.length + l.builtin.length + l.other.length;

  const old = (label: string, key: keyof Measured, scale = 1) =>
    before ? { label: BEFORE, value: m(`${label} at ${BEFORE}`, key) * scale } : undefined;
  const lean: Figure[] = [
    {
      figure: "modules loaded at run time (all)",
      value: total(script),
      unit: "",
      reference: scriptBefore && { label: BEFORE, value: total(scriptBefore) },
      note:
        "modules: every script V8 compiled during the run (inspector `Debugger.scriptParsed`), " +
        "static and dynamic imports and npm files alike; JSON modules are not scripts",
    },
    {
      figure: "… the project's own files",
      value: script.local.length + script.other.length,
      unit: "",
      reference: scriptBefore &&
        { label: BEFORE, value: scriptBefore.local.length + scriptBefore.other.length },
    },
    {
      figure: "… npm package files",
      value: script.npm.length,
      unit: "",
      reference: scriptBefore && { label: BEFORE, value: scriptBefore.npm.length },
    },
    {
      figure: "… Deno built-ins compiled on demand (ext:, node:)",
      value: script.builtin.length,
      unit: "",
      reference: scriptBefore && { label: BEFORE, value: scriptBefore.builtin.length },
    },
    {
      figure: "raster, image, font, map, plot or emulator modules loaded",
      value: heavy(script).length,
      unit: "",
      reference: scriptBefore && { label: BEFORE, value: heavy(scriptBefore).length },
      target: { text: "0", met: heavy(script).length === 0 },
    },
    {
      figure: "static graph (deno info: files + npm packages)",
      value: await staticGraphSize(`${ROOT}/bench/jobtask_entry.ts`, `${ROOT}/deno.json`),
      unit: "",
      reference: before === undefined ? undefined : {
        label: BEFORE,
        value: await staticGraphSize(`${before}/_jobtask_only.ts`, `${before}/deno.json`),
      },
      note:
        "static graph: `deno info --json`; it includes dynamic imports' targets, so it overstates what loads",
    },
    {
      figure: "peak RSS",
      value: m("jobtask-only script", "rssMb"),
      unit: "MB",
      reference: old("jobtask-only script", "rssMb"),
    },
    {
      figure: "time to first request",
      value: m("jobtask-only script", "firstRequestMs"),
      unit: "ms",
      reference: old("jobtask-only script", "firstRequestMs"),
      note: "time to first request: from spawning the process to the request reaching a front of " +
        "the emulator (its own process) in the benchmark's process, one clock",
    },
    {
      figure: "wall time (start to exit)",
      value: m("jobtask-only script", "seconds") * 1000,
      unit: "ms",
      reference: old("jobtask-only script", "seconds", 1000),
    },
    {
      figure: "CPU time (user + system)",
      value: m("jobtask-only script", "cpuSeconds") * 1000,
      unit: "ms",
      reference: old("jobtask-only script", "cpuSeconds", 1000),
      note,
    },
  ];
  await reportFigures(
    BENCH,
    `A script importing only the jobtask calls (\`jobtaskInfo\` from "@up42/jobtask", one request), after vs ${BEFORE}`,
    lean,
  );

  const empty = { label: "empty script", value: m("empty script", "seconds") * 1000 };
  const emptyRss = { label: "empty script", value: m("empty script", "rssMb") };
  const start: Figure[] = [];
  for (const command of ["--help", "jobtasks", "info", "results-json"]) {
    const label = `up42 ${command}`;
    const wall = m(label, "seconds") * 1000, rss = m(label, "rssMb");
    start.push({
      figure: `${label}: wall time`,
      value: wall,
      unit: "ms",
      reference: empty,
      target: { text: `≤ ${START_RATIO}× empty script`, met: wall <= START_RATIO * empty.value },
    });
    if (command !== "--help") {
      start.push({
        figure: `${label}: time to first request`,
        value: m(label, "firstRequestMs"),
        unit: "ms",
        reference: empty,
      });
    }
    start.push({
      figure: `${label}: peak RSS`,
      value: rss,
      unit: "MB",
      reference: emptyRss,
      target: { text: `< ${START_RSS_MB} MB`, met: rss < START_RSS_MB },
    });
    start.push({
      figure: `${label}: CPU time`,
      value: m(label, "cpuSeconds") * 1000,
      unit: "ms",
      reference: { label: "empty script", value: m("empty script", "cpuSeconds") * 1000 },
    });
  }
  start.push({
    figure: "empty script inside the checkout (its deno.json and deno.lock): wall time",
    value: m("empty script, in the checkout", "seconds") * 1000,
    unit: "ms",
    reference: empty,
    note:
      `up42 runs as \`deno task up42\` does: \`deno ${
        ["run", ...cli.flags].join(" ")
      } lib/cli/mod.ts …\`; ` +
      `reference: \`deno run empty.ts\` in a temporary folder; ${note}`,
  });
  await reportFigures(
    BENCH,
    "CLI start-up (commands that need only the API) vs an empty script",
    start,
  );

  if (before) {
    const compare: Figure[] = [];
    for (const command of ["--help", "info"]) {
      const label = `up42 ${command}`;
      compare.push(
        {
          figure: `${label}: wall time`,
          value: m(label, "seconds") * 1000,
          unit: "ms",
          reference: old(label, "seconds", 1000),
        },
        {
          figure: `${label}: peak RSS`,
          value: m(label, "rssMb"),
          unit: "MB",
          reference: old(label, "rssMb"),
        },
      );
    }
    await reportFigures(BENCH, `CLI start-up, after vs ${BEFORE}`, compare);
  }

  await reportFigures(BENCH, "Each command loads only its own stages", await stages(dir, cli));
}

function commandArgs(command: string, job: string, jobtask: string): string[] {
  if (command === "--help") return ["--help"];
  if (command === "jobtasks") return ["jobtasks", "--job", job];
  return [command, "--job", job, "--jobtask", jobtask];
}

/** `render` and `map` of a small GeoTIFF: which stages' modules each loaded. */
async function stages(dir: string, cli: { flags: string[]; script: string }): Promise<Figure[]> {
  const n = 64;
  const tiff = await writeGeoTiff({
    width: n,
    height: n,
    bands: [0, 1, 2].map((b) => new Uint8Array(n * n).map((_, i) => (i * (b + 1)) & 255)),
    epsg: 32633,
    origin: [300000, 5000000],
    pixelSize: [10, 10],
  });
  await Deno.writeFile(`${dir}/small.tif`, tiff);
  const figures: Figure[] = [];
  const checks: [string, string[], RegExp, string][] = [
    ["render", ["--out", `${dir}/small.png`], /^lib\/map\//, "map"],
    ["map", ["--out", `${dir}/small.html`, "--no-features"], /^lib\/download\//, "download"],
  ];
  for (const [command, flags, stage, name] of checks) {
    const loaded = await loadedModules(
      [...cli.flags, cli.script, command, `${dir}/small.tif`, ...flags],
      { root: ROOT },
    );
    const count = loaded.local.filter((f) => stage.test(f)).length;
    figures.push({
      figure: `up42 ${command}: ${name} modules loaded (of ${loaded.local.length} project files)`,
      value: count,
      unit: "",
      target: { text: "0", met: count === 0 },
      note: "counted at run time through the inspector, as above",
    });
  }
  return figures;
}

if (import.meta.main) await main();
