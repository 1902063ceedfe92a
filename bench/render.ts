/**
 * Benchmark of `render --width 1400` on a Sentinel-2-tile-sized raster
 * (10980 x 10980, 3 bands, uint16, DEFLATE, 512 tiles) with overviews
 * (2, 4, 8, 16) and without, against `gdal_translate -outsize 1400 0 -scale
 * -ot Byte -of PNG` on the same files. Each command runs as a subprocess
 * under `/usr/bin/time -v` (wall time, peak RSS); medians of 3 runs.
 *
 * Run: `deno run -A bench/render.ts` (needs `time`; gdal-bin optional).
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

async function median(cmd: string[]): Promise<Measure> {
  const runs: Measure[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(cmd));
  const mid = (k: keyof Measure) => runs.map((r) => r[k]).sort((a, b) => a - b)[RUNS >> 1];
  return { seconds: mid("seconds"), rssMb: mid("rssMb") };
}

if (import.meta.main) {
  if (!has("/usr/bin/time", ["-v", "true"])) {
    console.error("bench/render.ts needs /usr/bin/time (apt-get install -y time)");
    Deno.exit(1);
  }
  const gdal = has("gdal_translate", ["--version"]);
  const dir = await Deno.makeTempDir({ prefix: "render-bench-" });
  try {
    const t0 = performance.now();
    await makeRasters(dir, gdal);
    console.error(`generated test rasters in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const entry = new URL("./render_entry.ts", import.meta.url).pathname;
    const ours = (file: string) => [
      Deno.execPath(),
      "run",
      "-A",
      entry,
      `${dir}/${file}`,
      "--out",
      `${dir}/ours.png`,
      "--width",
      "1400",
    ];
    const theirs = (file: string) => [
      "gdal_translate",
      "-q",
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
      "| raster | render s | render peak RSS MB | gdal_translate s | gdal peak RSS MB | time ratio (render / gdal) |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    ];
    for (const [label, file] of [["COG with overviews", "cog.tif"], ["no overviews", "flat.tif"]]) {
      const a = await median(ours(file));
      const b = gdal ? await median(theirs(file)) : undefined;
      rows.push(
        `| ${label} | ${a.seconds.toFixed(2)} | ${a.rssMb.toFixed(0)} | ${
          b ? b.seconds.toFixed(2) : "n/a"
        } | ${b ? b.rssMb.toFixed(0) : "n/a"} | ${
          b ? (a.seconds / b.seconds).toFixed(2) : "n/a"
        } |`,
      );
    }
    console.log(`\n10980 x 10980 x 3 uint16 DEFLATE, render --width 1400 (median of ${RUNS})\n`);
    console.log(rows.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
