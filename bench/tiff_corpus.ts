/**
 * Runs a GeoTIFF corpus with GDAL references (manifest.json, ref/) through
 * the reader, each file in a fresh process under `/usr/bin/time -v`:
 * GDAL-readable files are decoded at full resolution and compared value by
 * value with GDAL's `ReadAsArray()`; every file is also rendered, and a
 * refusal must be one line with a reason. Prints "N of M GDAL-readable files
 * match" and the time and peak memory of each hostile file.
 *
 * Run: `deno run -A bench/tiff_corpus.ts [CORPUS_DIR] [--json OUT]`
 * (default corpus /work/corpus/tiff).
 *
 * @module
 */
import { describeRaster } from "../lib/raster/describe.ts";
import { Budget, resolveLimits } from "../lib/raster/limits.ts";
import { withinBudget } from "../lib/raster/pool.ts";
import { readDecimated } from "../lib/raster/read.ts";
import { renderRaster } from "../lib/raster/render.ts";
import { openRaster } from "../lib/raster/source.ts";
import { RasterError } from "../lib/errors.ts";

interface Entry {
  file: string;
  class: string;
  hostile: boolean;
  gdalReadable: boolean;
  width?: number;
  height?: number;
  bands?: number;
  dtype?: string;
  ref?: { values: string; format: "json" | "bin"; shape: number[] };
  compression?: string;
}

interface Outcome {
  file: string;
  /** "match", "mismatch: ...", "refused: reason: message", "crash: ...". */
  decode: string;
  render: string;
  seconds?: number;
  rssMb?: number;
}

/** Decodes one file fully and compares it with GDAL's values; renders it. */
async function one(dir: string, entry: Entry): Promise<Outcome> {
  const path = `${dir}/${entry.file}`;
  const out: Outcome = { file: entry.file, decode: "", render: "" };
  const describe = (e: unknown) =>
    e instanceof RasterError
      ? `refused: ${e.reason}${e.limit ? `/${e.limit}` : ""}: ${e.message}`
      : `crash: ${e instanceof Error ? e.message : String(e)}`;
  if (entry.gdalReadable && entry.ref) {
    try {
      out.decode = await compare(dir, path, entry);
    } catch (e) {
      out.decode = describe(e);
    }
  }
  try {
    const r = await renderRaster(path, { maxSide: 512 });
    out.render = `ok ${r.width}x${r.height}`;
  } catch (e) {
    out.render = describe(e);
  }
  return out;
}

async function reference(dir: string, entry: Entry): Promise<number[][]> {
  const [bands, h, w] = entry.ref!.shape;
  if (entry.ref!.format !== "json") {
    const bytes = await Deno.readFile(`${dir}/${entry.ref!.values}`);
    const all = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
    return Array.from(
      { length: bands },
      (_, b) => Array.from(all.subarray(b * w * h, (b + 1) * w * h)),
    );
  }
  const json = JSON.parse(await Deno.readTextFile(`${dir}/${entry.ref!.values}`));
  return (json.values as unknown[][][]).map((band) =>
    band.flat().map((v) => (typeof v === "string" ? Number(v) : v as number))
  );
}

async function compare(dir: string, path: string, entry: Entry): Promise<string> {
  const limits = resolveLimits();
  const budget = new Budget(path, limits);
  const want = await reference(dir, entry);
  const got = await withinBudget(budget, async () => {
    const opened = await openRaster(path, limits);
    try {
      const info = await describeRaster(opened.tiff, limits);
      const samples = want.map((_, i) => i);
      return await readDecimated(info, samples, info.width, info.height, {
        budget,
        nodata: undefined,
      });
    } finally {
      await opened.close();
    }
  });
  const lossy = /jpeg/.test(entry.class);
  let worst = 0, where = "", sum = 0, n = 0;
  for (let b = 0; b < want.length; b++) {
    for (let i = 0; i < want[b].length; i++) {
      const a = got.bands[b][i], e = want[b][i];
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      if (a === e) continue;
      const d = Math.abs(a - e);
      sum += d;
      n++;
      const rel = d / Math.max(1, Math.abs(e));
      const err = Number.isNaN(d) ? Infinity : lossy ? d : rel;
      if (err > worst) {
        worst = err;
        where = `band ${b + 1} pixel ${i}: ${a} vs GDAL ${e}`;
      }
    }
  }
  // JPEG: decoders differ in chroma upsampling (libjpeg's is smoothed); compare on average.
  if (lossy) {
    const mean = sum / Math.max(1, want.length * want[0].length);
    return mean <= 2.5 ? "match" : `mismatch: mean difference ${mean.toFixed(2)}; worst ${where}`;
  }
  return worst <= 1e-12 ? "match" : `mismatch: ${where}`;
}

async function measured(
  args: string[],
): Promise<{ stdout: string; seconds: number; rssMb: number }> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-v", "timeout", "60", Deno.execPath(), "run", "-A", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(text);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const seconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  return {
    stdout: new TextDecoder().decode(out.stdout),
    seconds,
    rssMb: rss ? Number(rss[1]) / 1024 : NaN,
  };
}

if (import.meta.main) {
  const args = [...Deno.args];
  if (args[0] === "--one") {
    const [, dir, json] = args;
    const result = await one(dir, JSON.parse(json));
    console.log(JSON.stringify(result));
    Deno.exit(0);
  }
  const jsonAt = args.indexOf("--json");
  const jsonOut = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
  const dir = args[0] ?? "/work/corpus/tiff";
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
  const entries: Entry[] = manifest.files;
  const self = new URL(import.meta.url).pathname;
  const results: Outcome[] = [];
  for (const entry of entries) {
    const run = await measured([self, "--one", dir, JSON.stringify(entry)]);
    let outcome: Outcome;
    try {
      outcome = JSON.parse(run.stdout.trim().split("\n").pop()!);
    } catch {
      outcome = { file: entry.file, decode: "crash: no result (hang or abort)", render: "crash" };
    }
    outcome.seconds = run.seconds;
    outcome.rssMb = run.rssMb;
    results.push(outcome);
    const flag = entry.gdalReadable && entry.ref
      ? (outcome.decode === "match" ? "ok " : "BAD")
      : "   ";
    console.log(
      `${flag} ${entry.file.padEnd(44)} ${outcome.seconds.toFixed(2)} s ${
        outcome.rssMb.toFixed(0).padStart(4)
      } MB  decode: ${outcome.decode.slice(0, 110) || "-"} | render: ${
        outcome.render.slice(0, 110)
      }`,
    );
  }
  const readable = entries.filter((e) => e.gdalReadable && e.ref);
  const matched = results.filter((r) => r.decode === "match").length;
  const crashes = results.filter((r) => /crash/.test(r.decode + r.render)).length;
  const slow = results.filter((r) => (r.seconds ?? 0) > 5 || (r.rssMb ?? 0) > 300);
  console.log(`\n${matched} of ${readable.length} GDAL-readable files match GDAL's values`);
  console.log(`${crashes} crashes; ${slow.length} files over 5 s or 300 MB`);
  if (jsonOut) await Deno.writeTextFile(jsonOut, JSON.stringify(results, null, 1));
}
