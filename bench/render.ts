/**
 * Benchmark of `render --width 1400` through the CLI on a Sentinel-2-tile-
 * sized raster (10980 x 10980, 3 bands, uint16, DEFLATE, 512 tiles) with
 * overviews (2, 4, 8, 16) and without, against `gdal_translate -outsize 1400
 * 0 -scale -ot Byte -of PNG` on the same files (also with `--config
 * GDAL_NUM_THREADS ALL_CPUS`), and of `plotResults` of nine 1024² rasters
 * prepared concurrently against one by one on the main thread. Each command
 * runs as a fresh process under `/usr/bin/time -v` (wall time, CPU time,
 * peak RSS); medians of `RUNS` (default 5; 3 for the slow raster without
 * overviews), the commands taking turns so that a busy machine disturbs
 * both sides alike. The load average is printed before and after: on a
 * shared machine the wall-time ratios move with it; CPU times are given
 * beside them.
 *
 * Run: `deno task bench render` or `deno run -A bench/render.ts [RUNS]`
 * (needs `time`; gdal-bin optional). `RENDER_BENCH_DIR=DIR` keeps the
 * generated rasters in DIR between runs.
 *
 * @module
 */

import { writeGeoTiff } from "../lib/emulator/mod.ts";
import {
  type Figure,
  has,
  median,
  reportFigures,
  type Run,
  skipped,
  timed,
} from "./support/measure.ts";

const BENCH = "render";
const SIZE = 10980, RUNS = Math.max(3, Number(Deno.args[0] ?? 5));
/** Issue targets. */
const COG_RATIO = 0.7, COG_THREADS_RATIO = 1, FLAT_RATIO = 1, RSS_MB = 300, PLOT_SPEEDUP = 1.6;

/** Smooth fields plus pixel noise: compresses about like real reflectances. */
function makeBand(b: number): Uint16Array {
  const a = new Uint16Array(SIZE * SIZE);
  const cx = new Float64Array(SIZE).map((_, x) => Math.cos(x / (500 + b * 70)));
  let seed = 12345 + b;
  for (let y = 0; y < SIZE; y++) {
    const sy = 900 * Math.sin(y / (700 + b * 90)), row = y * SIZE;
    for (let x = 0; x < SIZE; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      a[row + x] = 1500 + sy * cx[x] + (seed & 127);
    }
  }
  return a;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** With GDAL: raw bands through gdal_translate (multi-threaded); without: the project's writer. */
async function makeRasters(dir: string, gdal: boolean): Promise<void> {
  const geo = {
    epsg: 32633,
    origin: [300000, 5000040] as [number, number],
    pixelSize: [10, 10] as [number, number],
  };
  if (gdal) {
    const file = await Deno.open(`${dir}/raw.bsq`, { write: true, create: true });
    for (let b = 0; b < 3; b++) {
      const band = new Uint8Array(makeBand(b).buffer);
      for (let o = 0; o < band.length;) o += await file.write(band.subarray(o));
    }
    file.close();
    await Deno.writeTextFile(
      `${dir}/raw.hdr`,
      `ENVI\nsamples = ${SIZE}\nlines = ${SIZE}\nbands = 3\nheader offset = 0\nfile type = ENVI Standard\ndata type = 12\ninterleave = bsq\nbyte order = 0\n`,
    );
    const co = ["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2", "-co", "NUM_THREADS=ALL_CPUS"];
    await run("gdal_translate", [
      "-q",
      "-a_srs",
      `EPSG:${geo.epsg}`,
      "-a_ullr",
      "300000",
      "5000040",
      "409800",
      "4890240",
      ...co,
      "-co",
      "TILED=YES",
      "-co",
      "BLOCKXSIZE=512",
      "-co",
      "BLOCKYSIZE=512",
      `${dir}/raw.bsq`,
      `${dir}/flat.tif`,
    ]);
    await Deno.remove(`${dir}/raw.bsq`);
    await run("gdal_translate", [
      "-q",
      "-of",
      "COG",
      ...co,
      "-co",
      "BLOCKSIZE=512",
      "-co",
      "OVERVIEW_RESAMPLING=AVERAGE",
      `${dir}/flat.tif`,
      `${dir}/cog.tif`,
    ]);
    return;
  }
  const bands = [0, 1, 2].map(makeBand);
  const spec = { width: SIZE, height: SIZE, bands, ...geo, tileSize: 512, predictor: 2 as const };
  await Deno.writeFile(`${dir}/cog.tif`, await writeGeoTiff({ ...spec, overviews: [2, 4, 8, 16] }));
  await Deno.writeFile(`${dir}/flat.tif`, await writeGeoTiff(spec));
}

/** Medians (wall, CPU, RSS) of `runs` runs of each command, the commands taking turns. */
async function medians(cmds: string[][], runs = RUNS): Promise<Run[]> {
  const all: Run[][] = cmds.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, cmd] of cmds.entries()) all[k].push(await timed(cmd));
  }
  return all.map((r) => ({
    ...r[0],
    seconds: median(r.map((m) => m.seconds)),
    cpuSeconds: median(r.map((m) => m.cpuSeconds)),
    rssMb: median(r.map((m) => m.rssMb)),
  }));
}

const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

/** Nine 1024² 3-band uint16 DEFLATE rasters for the plot figure. */
async function makePlotInputs(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (let k = 0; k < 9; k++) {
    const n = 1024;
    const bands = [0, 1, 2].map((b) => {
      const a = new Uint16Array(n * n);
      let seed = 99 + k * 7 + b;
      for (let i = 0; i < n * n; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        a[i] = 1000 + ((i % n) * 3 + (i >> 10) * 2 + k * 50) % 2000 + (seed & 63);
      }
      return a;
    });
    const path = `${dir}/plot_${k}.tif`;
    await Deno.writeFile(
      path,
      await writeGeoTiff({
        width: n,
        height: n,
        bands,
        epsg: 32633,
        origin: [300000, 5000040],
        pixelSize: [10, 10],
        tileSize: 256,
        predictor: 2,
      }),
    );
    paths.push(path);
  }
  return paths;
}

if (import.meta.main) {
  if (!has("/usr/bin/time", ["-v", "true"])) {
    await skipped(BENCH, "/usr/bin/time");
    Deno.exit(0);
  }
  const gdal = has("gdal_translate", ["--version"]);
  const kept = Deno.env.get("RENDER_BENCH_DIR");
  const dir = kept ?? await Deno.makeTempDir({ prefix: "render-bench-" });
  try {
    const t0 = performance.now();
    const present = async (name: string) => {
      try {
        return kept !== undefined && (await Deno.stat(`${dir}/${name}`)).isFile;
      } catch {
        return false;
      }
    };
    await Deno.mkdir(dir, { recursive: true });
    if (!(await present("flat.tif"))) await makeRasters(dir, gdal);
    if (!(await present("plot_8.tif"))) await makePlotInputs(dir);
    console.error(`test rasters ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const cli = new URL("../lib/cli/mod.ts", import.meta.url).pathname;
    const ours = (file: string) => [
      Deno.execPath(),
      "run",
      "-A",
      cli,
      "render",
      `${dir}/${file}`,
      "--out",
      `${dir}/ours.png`,
      "--width",
      "1400",
    ];
    const theirs = (file: string, threads = false) => [
      "gdal_translate",
      "-q",
      ...(threads ? ["--config", "GDAL_NUM_THREADS", "ALL_CPUS"] : []),
      "-outsize",
      "1400",
      "0",
      "-scale",
      "-ot",
      "Byte",
      "-of",
      "PNG",
      `${dir}/${file}`,
      `${dir}/gdal.png`,
    ];
    const loadBefore = load();
    await timed(ours("cog.tif")); // warm caches (module graph, page cache)
    const figures: Figure[] = [];
    const cpu = (r: Run) => `${r.cpuSeconds.toFixed(2)} s CPU`;
    // Filled in once everything ran, with the load average after.
    const note = (runs: number) => `${runs}`;
    const speed = (label: string, a: Run, refLabel: string, b: Run, ratio: number, runs: number) =>
      figures.push({
        figure: `${label}: wall time (${cpu(a)}; reference ${cpu(b)})`,
        value: a.seconds,
        unit: "s",
        reference: { label: refLabel, value: b.seconds },
        target: { text: `≤ ${ratio}× reference`, met: a.seconds <= ratio * b.seconds },
        note: note(runs),
      });
    const rss = (label: string, a: Run, b: Run | undefined, runs: number) =>
      figures.push({
        figure: `${label}: peak RSS`,
        value: a.rssMb,
        unit: "MB",
        reference: b ? { label: "gdal_translate", value: b.rssMb } : undefined,
        target: { text: `< ${RSS_MB} MB`, met: a.rssMb < RSS_MB },
        note: note(runs),
      });
    const cogLabel = "render 10980² COG to 1400 px (CLI)";
    const flatLabel = "render 10980² without overviews to 1400 px (CLI)";
    if (gdal) {
      const [cog, cogGdal, cogThreads] = await medians([
        ours("cog.tif"),
        theirs("cog.tif"),
        theirs("cog.tif", true),
      ]);
      speed(cogLabel, cog, "gdal_translate", cogGdal, COG_RATIO, RUNS);
      speed(
        cogLabel,
        cog,
        "gdal_translate, GDAL_NUM_THREADS=ALL_CPUS",
        cogThreads,
        COG_THREADS_RATIO,
        RUNS,
      );
      rss(cogLabel, cog, cogGdal, RUNS);
      const [flat, flatGdal] = await medians([ours("flat.tif"), theirs("flat.tif")], 3);
      speed(flatLabel, flat, "gdal_translate", flatGdal, FLAT_RATIO, 3);
      rss(flatLabel, flat, flatGdal, 3);
    } else {
      await skipped(BENCH, "gdal_translate", "render vs GDAL");
      const [cog, flat] = await medians([ours("cog.tif"), ours("flat.tif")], 3);
      rss(cogLabel, cog, undefined, 3);
      rss(flatLabel, flat, undefined, 3);
    }
    const plotEntry = new URL("./plot_entry.ts", import.meta.url).pathname;
    const plots = (concurrent: boolean) => [
      Deno.execPath(),
      "run",
      "-A",
      plotEntry,
      concurrent ? "concurrent" : "one-by-one",
      `${dir}/plot.png`,
      ...Array.from({ length: 9 }, (_, k) => `${dir}/plot_${k}.tif`),
    ];
    const [together, oneByOne] = await medians([plots(true), plots(false)]);
    figures.push({
      figure: `plotResults, nine 1024² rasters: wall time (${cpu(together)}; reference ${
        cpu(oneByOne)
      })`,
      value: together.seconds,
      unit: "s",
      reference: { label: "one by one on the main thread", value: oneByOne.seconds },
      target: {
        text: `≥ ${PLOT_SPEEDUP}× faster (ratio ≤ ${(1 / PLOT_SPEEDUP).toFixed(3)})`,
        met: together.seconds * PLOT_SPEEDUP <= oneByOne.seconds,
      },
      note: note(RUNS),
    });
    const loadAfter = load();
    for (const f of figures) {
      f.note = `render: fresh processes under /usr/bin/time -v, medians of ${f.note} runs, ` +
        `commands taking turns; load average ${loadBefore} before, ${loadAfter} after ` +
        `(${navigator.hardwareConcurrency} cores, shared)`;
    }
    await reportFigures(
      BENCH,
      "10980 × 10980 × 3 uint16 DEFLATE to 1400 px through the CLI, and plots",
      figures,
    );
  } finally {
    if (!kept) await Deno.remove(dir, { recursive: true });
  }
}
