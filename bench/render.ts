/**
 * Benchmark of `render --width 1400` on a Sentinel-2-tile-sized raster
 * (10980 x 10980, 3 bands, uint16, DEFLATE, 512 tiles) with overviews
 * (2, 4, 8, 16) and without, against `gdal_translate -outsize 1400 0 -scale
 * -ot Byte -of PNG` on the same files (also with `--config GDAL_NUM_THREADS
 * ALL_CPUS`), and of `plotResults` of nine 1024² rasters prepared
 * concurrently against one by one on the main thread. Each command runs as
 * a subprocess under `/usr/bin/time -v` (wall time, peak RSS); medians of 3
 * runs, interleaved so that a busy machine disturbs both sides alike.
 *
 * Run: `deno run -A bench/render.ts` (needs `time`; gdal-bin optional).
 * `RENDER_BENCH_DIR=DIR` keeps the generated rasters in DIR between runs.
 *
 * @module
 */

import { writeGeoTiff } from "../lib/emulator/mod.ts";

const SIZE = 10980, RUNS = 3;

function has(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

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

interface Measure {
  seconds: number;
  rssMb: number;
}

async function measure(cmd: string[]): Promise<Measure> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-v", ...cmd],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed:\n${text.slice(0, 2000)}`);
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(text)!;
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(text)![1]);
  return { seconds, rssMb: rss / 1024 };
}

/** Medians of RUNS runs of each command, the commands taking turns. */
async function medians(cmds: string[][]): Promise<Measure[]> {
  const runs: Measure[][] = cmds.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, cmd] of cmds.entries()) runs[k].push(await measure(cmd));
  }
  const mid = (r: Measure[], k: keyof Measure) =>
    r.map((m) => m[k]).sort((a, b) => a - b)[RUNS >> 1];
  return runs.map((r) => ({ seconds: mid(r, "seconds"), rssMb: mid(r, "rssMb") }));
}

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

const fmt = (m: Measure) => `${m.seconds.toFixed(2)} s, ${m.rssMb.toFixed(0)} MB`;

if (import.meta.main) {
  if (!has("/usr/bin/time", ["-v", "true"])) {
    console.error("bench/render.ts needs /usr/bin/time (apt-get install -y time)");
    Deno.exit(1);
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
    await measure(ours("cog.tif")); // warm caches (module graph, page cache)
    const rows: string[] = [
      "| figure | ours | reference | reference figure | ratio | target |",
      "| --- | ---: | --- | ---: | ---: | --- |",
    ];
    const row = (label: string, a: Measure, ref: string, b: Measure | undefined, target: string) =>
      rows.push(
        `| ${label} | ${fmt(a)} | ${ref} | ${b ? fmt(b) : "n/a"} | ${
          b ? (a.seconds / b.seconds).toFixed(2) : "n/a"
        } | ${target} |`,
      );
    if (gdal) {
      const [cog, cogGdal, cogThreads] = await medians([
        ours("cog.tif"),
        theirs("cog.tif"),
        theirs("cog.tif", true),
      ]);
      row(
        "render COG with overviews",
        cog,
        "gdal_translate",
        cogGdal,
        "time <= 0.7x, RSS < 300 MB",
      );
      row("render COG with overviews", cog, "gdal_translate ALL_CPUS", cogThreads, "time <= 1.0x");
      const [flat, flatGdal] = await medians([ours("flat.tif"), theirs("flat.tif")]);
      row("render, no overviews", flat, "gdal_translate", flatGdal, "time <= 1.0x, RSS < 300 MB");
    } else {
      const [cog, flat] = await medians([ours("cog.tif"), ours("flat.tif")]);
      row("render COG with overviews", cog, "gdal_translate (not installed)", undefined, "");
      row("render, no overviews", flat, "gdal_translate (not installed)", undefined, "");
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
    rows.push(
      `| plotResults, nine 1024² rasters | ${fmt(together)} | one by one, main thread | ${
        fmt(oneByOne)
      } | ${(oneByOne.seconds / together.seconds).toFixed(2)}x faster | >= 1.6x faster |`,
    );
    console.log(`\n10980 x 10980 x 3 uint16 DEFLATE to 1400 px; plots (median of ${RUNS})\n`);
    console.log(rows.join("\n"));
  } finally {
    if (!kept) await Deno.remove(dir, { recursive: true });
  }
}
