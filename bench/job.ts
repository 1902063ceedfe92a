/**
 * Benchmark of whole-job downloads as a user runs them: `up42 download
 * --job J` in a fresh process under `/usr/bin/time -v` (wall time, peak
 * RSS), for a job of four jobtasks with ~400 MB incompressible `.tgz`
 * results each, served over loopback by a separate process. Side by side:
 * the four one after another (`--concurrency 1`), the default
 * (`--concurrency 2`) and all four at once (`--concurrency 4`), the
 * reference `curl -s URL | tar -xz` four times one after another and four
 * at once, and the up-to-date re-run (one probe per jobtask). Also the
 * speed of the file checksum (native CRC-32) beside the archive's CRC-32C
 * (WebAssembly). Prints markdown tables; medians of `RUNS` runs.
 *
 * Run: `deno run -A bench/job.ts` (needs curl, tar, gzip, /usr/bin/time and
 * ~2.5 GB of free disk). The same file is also the server (`serve FILE N`).
 *
 * @module
 */
import zlib from "node:zlib";
import { createCRC32 } from "hash-wasm";
import { reportFigures, startChildServer } from "./support/measure.ts";
import { googHash, randomResultsTgz } from "./support/storage.ts";

const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const CLI = new URL("../lib/cli/mod.ts", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const JOBTASKS = 4;
const MB = Number(Deno.env.get("MB") ?? 400);
const RUNS = Number(Deno.env.get("RUNS") ?? 3);

/** Serves FILE as the results of N jobtasks of job `j` (API, token and storage); prints the port. */
async function serve(file: string, count: number): Promise<void> {
  const size = (await Deno.stat(file)).size;
  const hash = await googHash(file, { md5: true });
  const ids = Array.from({ length: count }, (_, i) => `task-${i}`);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === "/oauth/token") {
      return Response.json({ data: { accessToken: "t" }, expires_in: 3600 });
    }
    if (path === "/projects/p/jobs/j/tasks/") {
      return Response.json({ data: ids.map((id) => ({ id, name: `block:${id}` })), error: null });
    }
    const m = /^\/projects\/p\/jobs\/j\/tasks\/([^/]+)\/downloads\/results\/$/.exec(path);
    if (m) return Response.json({ data: { url: `${url.origin}/storage/${m[1]}.tgz?sig=1` } });
    if (path.startsWith("/storage/")) {
      const headers = { "x-goog-hash": hash, "accept-ranges": "bytes" };
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get("range") ?? "");
      const handle = await Deno.open(file);
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Number(range[2]) + 1 : size;
        await handle.seek(start, Deno.SeekMode.Start);
        const body = handle.readable.pipeThrough(limit(end - start));
        return new Response(body, {
          status: 206,
          headers: {
            ...headers,
            "content-length": `${end - start}`,
            "content-range": `bytes ${start}-${end - 1}/${size}`,
          },
        });
      }
      return new Response(handle.readable, {
        headers: { ...headers, "content-length": `${size}` },
      });
    }
    return new Response("not found", { status: 404 });
  });
  console.log(server.addr.port);
}

function limit(bytes: number): TransformStream<Uint8Array, Uint8Array> {
  let left = bytes;
  return new TransformStream({
    transform(chunk, controller) {
      if (left <= 0) return;
      controller.enqueue(chunk.subarray(0, left));
      left -= chunk.length;
      if (left <= 0) controller.terminate();
    },
  });
}

interface Run {
  seconds: number;
  rssMb: number;
  /** User and system CPU time, in seconds. */
  cpu: number;
}

async function timed(cmd: string[], env?: Record<string, string>): Promise<Run> {
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-v", ...cmd],
    stdout: "null",
    env,
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed: ${text.slice(-800)}`);
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(text)!;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text)!;
  const user = /User time \(seconds\): ([\d.]+)/.exec(text)!;
  const system = /System time \(seconds\): ([\d.]+)/.exec(text)!;
  return {
    seconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    rssMb: Number(rss[1]) / 1024,
    cpu: Number(user[1]) + Number(system[1]),
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Checksum speeds in MB/s, medians of three passes over 256 MiB. */
async function checksumSpeeds(): Promise<{ crc32: number; crc32c: number }> {
  const piece = new Uint8Array(1 << 20);
  crypto.getRandomValues(piece.subarray(0, 65536));
  const native = (zlib as unknown as { crc32: (b: Uint8Array, v?: number) => number }).crc32;
  const wasm = await createCRC32(0x82f63b78);
  const speed = (update: (b: Uint8Array) => void) => {
    const passes = [0, 1, 2].map(() => {
      const start = performance.now();
      for (let i = 0; i < 256; i++) update(piece);
      return 256 / ((performance.now() - start) / 1000);
    });
    return median(passes);
  };
  let value = 0;
  const crc32 = speed((b) => value = native(b, value));
  wasm.init();
  const crc32c = speed((b) => wasm.update(b));
  return { crc32, crc32c };
}

async function bench(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "up42-bench-job-" });
  const out = `${dir}/out`;
  const fresh = async () => {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    await Deno.mkdir(out, { recursive: true });
  };
  const rows: { label: string; runs: Run[] }[] = [];
  try {
    const file = await randomResultsTgz(dir, MB);
    const server = await startChildServer(CONFIG, [SELF, "serve", file, `${JOBTASKS}`]);
    const env = {
      ...Deno.env.toObject(),
      UP42_API_URL: server.url,
      UP42_PROJECT_ID: "p",
      UP42_PROJECT_API_KEY: "k",
    };
    // As `deno task up42` and the installed command run it.
    const up42 = (...args: string[]) => [
      Deno.execPath(),
      "run",
      "--v8-flags=--max-semi-space-size=1",
      "-A",
      "--quiet",
      "--config",
      CONFIG,
      CLI,
      ...args,
    ];
    const curls = (parallel: boolean) =>
      Array.from(
        { length: JOBTASKS },
        (_, i) =>
          `mkdir -p ${out}/c${i} && curl -s '${server.url}/storage/task-${i}.tgz?sig=1' | tar -xz -C ${out}/c${i}`,
      )
        .join(parallel ? " & " : " ; ") + (parallel ? " & wait" : "");
    const cases: { label: string; cmd: () => string[]; keep?: boolean }[] = [
      {
        label: "up42 download --job (--concurrency 1)",
        cmd: () => up42("download", "--job", "j", "--out", out, "--concurrency", "1"),
      },
      {
        label: "up42 download --job (default, 2)",
        cmd: () => up42("download", "--job", "j", "--out", out),
      },
      {
        label: "up42 download --job --concurrency 4",
        cmd: () => up42("download", "--job", "j", "--out", out, "--concurrency", "4"),
      },
      { label: "4 × curl \\| tar -xz, one after another", cmd: () => ["bash", "-c", curls(false)] },
      { label: "4 × curl \\| tar -xz, at once", cmd: () => ["bash", "-c", curls(true)] },
    ];
    try {
      for (let r = 0; r < RUNS; r++) {
        // Interleaved, so that a busy moment of the machine hits every case alike.
        for (const c of cases) {
          await fresh();
          const run = await timed(c.cmd(), env);
          let row = rows.find((x) => x.label === c.label);
          if (!row) rows.push(row = { label: c.label, runs: [] });
          row.runs.push(run);
          console.error(
            `${c.label}: ${run.seconds.toFixed(2)} s, ${run.rssMb.toFixed(0)} MB, cpu ${
              run.cpu.toFixed(2)
            } s`,
          );
        }
      }
      // Up to date: the folder of a finished download, probed again.
      await fresh();
      await timed(up42("download", "--job", "j", "--out", out, "--concurrency", "4"), env);
      const upToDate: Run[] = [];
      for (let r = 0; r < RUNS; r++) {
        upToDate.push(await timed(up42("download", "--job", "j", "--out", out), env));
      }
      rows.push({ label: "up42 download --job, re-run when up to date", runs: upToDate });
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const speeds = await checksumSpeeds();
  const sequential = median(rows[0].runs.map((r) => r.seconds));
  console.log(
    `\n### A job of ${JOBTASKS} jobtasks × ${MB} MB .tgz (loopback, incompressible; medians of ${RUNS})\n`,
  );
  console.log(
    "| command | wall time | CPU (user + sys) | peak RSS | one after another ÷ this |",
  );
  console.log("|---|---|---|---|---|");
  for (const { label, runs } of rows) {
    const t = median(runs.map((r) => r.seconds));
    const cpu = median(runs.map((r) => r.cpu));
    const rss = median(runs.map((r) => r.rssMb));
    console.log(
      `| ${label} | ${t.toFixed(2)} s | ${cpu.toFixed(2)} s | ${rss.toFixed(0)} MB | ${
        (sequential / t).toFixed(2)
      } |`,
    );
  }
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "")).split(" ")[0];
  console.log(`\nLoad average at the end: ${load} on ${navigator.hardwareConcurrency} cores.`);
  const four = rows[2].runs;
  const t4 = median(four.map((r) => r.seconds));
  const rss4 = Math.max(...four.map((r) => r.rssMb));
  console.log(
    `\nFour at once: ${
      (sequential / t4).toFixed(2)
    }× faster than one after another (goal ≥ 1.5), ` +
      `highest peak RSS of its runs ${rss4.toFixed(0)} MB (goal < 160 MB).`,
  );
  await reportFigures("job", `A job of ${JOBTASKS} jobtasks × ${MB} MB through the CLI`, [
    {
      figure: `up42 download --job --concurrency 4: wall time (${JOBTASKS} × ${MB} MB)`,
      value: t4,
      unit: "s",
      reference: { label: "the same, --concurrency 1", value: sequential },
      target: { text: "≤ 1/1.5 of reference", met: sequential / t4 >= 1.5 },
    },
    {
      figure: "up42 download --job --concurrency 4: peak RSS (highest of its runs)",
      value: rss4,
      unit: "MB",
      target: { text: "< 160 MB", met: rss4 < 160 },
    },
  ]);
  console.log("\n### File checksums (in process, MB/s, median of 3 passes over 256 MiB)\n");
  console.log("| checksum | speed |");
  console.log("|---|---|");
  console.log(`| CRC-32, node:zlib (manifest files) | ${speeds.crc32.toFixed(0)} MB/s |`);
  console.log(`| CRC-32C, hash-wasm (x-goog-hash) | ${speeds.crc32c.toFixed(0)} MB/s |`);
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "serve") await serve(rest[0], Number(rest[1]));
  else await bench();
}
