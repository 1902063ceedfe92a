/**
 * Where the title font comes from. The module takes Roboto from pdfmake's
 * virtual file system, a JavaScript module holding the TTF as base64:
 * importing it needs no permission and no flag. Font packages ship files
 * (pdfmake ships the same TTF as a file beside it), and a file reaches a
 * program only through `import … with { type: "bytes" }` (behind
 * `--unstable-raw-imports`, a flag every user would have to pass: a
 * dependency's own `"unstable": ["raw-imports"]` does not apply to its
 * consumers) or a file read (`--allow-read`). Each way runs as a fresh
 * process that imports opentype.js and parses the font; whether it runs
 * without flags, its wall time and peak RSS beside an empty script.
 *
 * @module
 */
import { type Figure, markdownTable, median, timed } from "../support/measure.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const TTF = "pdfmake/build/fonts/Roboto/Roboto-Regular.ttf";
const PARSE = `import opentype from "opentype.js";
const font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
if (font.unitsPerEm !== 2048) throw new Error("not Roboto");`;

interface Way {
  label: string;
  code: string;
  /** Flags it needs (besides none). */
  flags: string[];
}

const WAYS: Way[] = [
  {
    label: "pdfmake vfs_fonts.js (JS module, base64; the module's way)",
    code: `import vfs from "pdfmake/build/vfs_fonts.js";
const bytes = Uint8Array.fromBase64(vfs["Roboto-Regular.ttf"]);
${PARSE}`,
    flags: [],
  },
  {
    label: "the TTF file, imported as bytes",
    code: `import bytes from "${TTF}" with { type: "bytes" };
${PARSE}`,
    flags: ["--unstable-raw-imports"],
  },
  {
    label: "the TTF file, read at run time",
    code: `const bytes = await Deno.readFile(new URL(import.meta.resolve("${TTF}")));
${PARSE}`,
    flags: ["--allow-read"],
  },
];

async function denoRun(dir: string, name: string, code: string, flags: string[], cwd?: string) {
  const file = `${dir}/${name}.ts`;
  await Deno.writeTextFile(file, code);
  const config = cwd ? [] : ["--config", `${ROOT}/deno.json`];
  return await timed([Deno.execPath(), "run", ...config, ...flags, file], { check: false, cwd });
}

/**
 * Whether a consumer may import a dependency that declares
 * `"unstable": ["raw-imports"]` in its own deno.json and imports a font
 * file as bytes (it may not: the consumer's configuration decides).
 */
async function consumerOfRawImports(
  dir: string,
): Promise<{ dependency: boolean; consumer: boolean }> {
  const dep = `${dir}/dep`, app = `${dir}/app`;
  await Deno.mkdir(dep);
  await Deno.mkdir(app);
  await Deno.writeTextFile(`${dep}/font.bin`, "not really a font");
  await Deno.writeTextFile(
    `${dep}/deno.json`,
    JSON.stringify({
      name: "@bench/fontdep",
      version: "0.0.0",
      exports: "./mod.ts",
      unstable: ["raw-imports"],
    }),
  );
  await Deno.writeTextFile(
    `${dep}/mod.ts`,
    `import b from "./font.bin" with { type: "bytes" };\nexport const size = b.length;\n`,
  );
  await Deno.writeTextFile(`${app}/deno.json`, "{}");
  const use = `import { size } from "../dep/mod.ts";\nif (size !== 17) throw new Error();\n`;
  const inDep = await denoRun(dep, "main", use.replace("../dep/", "./"), [], dep);
  const inApp = await denoRun(app, "main", use, [], app);
  return { dependency: inDep.code === 0, consumer: inApp.code === 0 };
}

/** Figures and a table: each way of getting the font bytes, fresh processes. */
export async function font(runs: number): Promise<Figure[]> {
  const dir = await Deno.makeTempDir({ prefix: "up42-bench-font-" });
  try {
    const rows: string[][] = [];
    const cases = [{ label: "empty script", code: "", flags: [] as string[] }, ...WAYS];
    const samples = new Map(cases.map((c) => [c.label, [] as { ms: number; rss: number }[]]));
    const withoutFlags = new Map<string, boolean>();
    for (const [i, c] of cases.entries()) {
      withoutFlags.set(c.label, (await denoRun(dir, `way${i}`, c.code, [])).code === 0);
    }
    for (let round = 0; round <= runs; round++) {
      for (const [i, c] of cases.entries()) {
        const r = await denoRun(dir, `way${i}`, c.code, c.flags);
        if (r.code !== 0) throw new Error(`${c.label}: ${r.stderr.slice(-400)}`);
        if (round > 0) samples.get(c.label)!.push({ ms: r.seconds * 1000, rss: r.rssMb });
      }
    }
    const ms = (label: string) => median(samples.get(label)!.map((s) => s.ms));
    const rss = (label: string) => median(samples.get(label)!.map((s) => s.rss));
    for (const c of cases) {
      rows.push([
        c.label,
        withoutFlags.get(c.label) ? "yes" : `no: needs ${c.flags.join(" ")}`,
        `${ms(c.label).toFixed(0)} ms`,
        `${rss(c.label).toFixed(1)} MB`,
      ]);
    }
    const consumer = await consumerOfRawImports(dir);
    console.log(`\n#### Font bytes: fresh process, import + opentype.parse (medians of ${runs})\n`);
    console.log(markdownTable(["way", "runs with no flags", "wall", "peak RSS"], rows));
    console.log(
      `\nA dependency declaring "unstable": ["raw-imports"]: its own bytes import runs in its folder: ` +
        `${consumer.dependency ? "yes" : "no"}; imported by a consumer without the flag: ` +
        `${consumer.consumer ? "yes" : "no"}.`,
    );
    const vfs = WAYS[0].label;
    return [
      {
        figure: "font ways that need no permission and no flag",
        value: WAYS.filter((w) => withoutFlags.get(w.label)).length,
        unit: "",
        target: { text: "the module's way is one", met: withoutFlags.get(vfs) === true },
      },
      {
        figure: "font from pdfmake's vfs: import + parse, fresh process",
        value: ms(vfs),
        unit: "ms",
        reference: { label: "TTF imported as bytes", value: ms(WAYS[1].label) },
      },
      {
        figure: "… peak RSS",
        value: rss(vfs),
        unit: "MB",
        reference: { label: "TTF imported as bytes", value: rss(WAYS[1].label) },
      },
      {
        figure: 'a dependency\'s "unstable": ["raw-imports"] applies to its consumer',
        value: consumer.consumer ? 1 : 0,
        unit: "",
        note: `font: fresh processes taking turns, medians of ${runs} after a warm-up round; ` +
          `empty script ${ms("empty script").toFixed(0)} ms, ${rss("empty script").toFixed(1)} MB`,
      },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
