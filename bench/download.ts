/**
 * Benchmark of `downloadResults` against `curl -s URL | tar -xz -C DIR`:
 * incompressible `.tgz` archives (100 MB, ~400 MB, 1 GB) served over
 * loopback by a separate process, the client measured as a subprocess under
 * `/usr/bin/time -v` (wall time and peak RSS). Prints a markdown table.
 *
 * Run: `deno run -A bench/download.ts` (needs curl, tar, gzip, /usr/bin/time).
 * The same file is also the server (`serve FILE`) and the client (`client URL DIR`).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createCRC32 } from "hash-wasm";
import { createContext, downloadResults, type HashCheck } from "../mod.ts";

const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;

/** Serves FILE as a signed-URL-style object plus the results endpoint; prints the port. */
async function serve(file: string): Promise<void> {
  const size = (await Deno.stat(file)).size;
  const crc = await createCRC32(0x82f63b78);
  crc.init();
  const md5 = createHash("md5");
  for await (const chunk of (await Deno.open(file)).readable) {
    crc.update(chunk);
    md5.update(chunk);
  }
  const hash = `crc32c=${crc.digest("binary").toBase64()},md5=${md5.digest("base64")}`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname.endsWith("/downloads/results/")) {
      return Response.json({ data: { url: `${url.origin}/storage/a.tgz?sig=1` }, error: null });
    }
    if (url.pathname === "/storage/a.tgz") {
      return new Response((await Deno.open(file)).readable, {
        headers: { "content-length": `${size}`, "x-goog-hash": hash },
      });
    }
    return new Response("not found", { status: 404 });
  });
  console.log(server.addr.port);
}

/** Downloads from the bench server into DIR. */
async function client(apiUrl: string, dir: string, hashes?: HashCheck): Promise<void> {
  const ctx = createContext({ apiUrl, projectId: "p", token: "t", jobId: "j", jobtaskId: "t" });
  await downloadResults(ctx, { outputDirectory: dir, hashes });
}

interface Run {
  seconds: number;
  rssMb: number;
}

async function timed(cmd: string[]): Promise<Run> {
  const out = await new Deno.Command("/usr/bin/time", { args: ["-v", ...cmd], stdout: "null" })
    .output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed: ${text.slice(-500)}`);
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(text)!;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text)!;
  return {
    seconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    rssMb: Number(rss[1]) / 1024,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function sh(script: string): Promise<void> {
  const out = await new Deno.Command("bash", { args: ["-c", script] }).output();
  if (!out.success) throw new Error(`${script}: ${new TextDecoder().decode(out.stderr)}`);
}

async function makeArchive(dir: string, mb: number): Promise<string> {
  const src = `${dir}/src${mb}`;
  const file = `${dir}/results${mb}.tgz`;
  const parts = 4;
  await sh(
    `mkdir -p ${src}/output/scene && for i in $(seq 1 ${parts}); do ` +
      `head -c ${Math.round(mb / parts)}M /dev/urandom > ${src}/output/scene/part$i.tif; done && ` +
      `echo '{}' > ${src}/output/data.json && tar -C ${src} -cf - output | gzip -1 > ${file} && rm -rf ${src}`,
  );
  return file;
}

async function startServer(file: string): Promise<{ url: string; stop: () => void }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, SELF, "serve", file],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  await reader.cancel();
  return { url: `http://127.0.0.1:${text.trim()}`, stop: () => child.kill() };
}

// Archive size, runs, whether curl | tar runs too, and the hash checks measured.
const CASES = [
  { mb: 400, runs: 5, curl: true, hashes: ["auto", "all"] },
  { mb: 100, runs: 3, curl: false, hashes: ["auto"] },
  { mb: 1024, runs: 2, curl: false, hashes: ["auto"] },
] as const;

async function bench(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "up42-bench-download-" });
  const out = `${dir}/out`;
  const fresh = async (make = false) => {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    if (make) await Deno.mkdir(out);
  };
  const rows: string[] = [];
  try {
    for (const { mb, runs, curl, hashes } of CASES) {
      const file = await makeArchive(dir, mb);
      const server = await startServer(file);
      try {
        let reference: number | undefined;
        if (curl) {
          const times: number[] = [];
          for (let i = 0; i < runs; i++) {
            await fresh(true);
            const command = `curl -s ${server.url}/storage/a.tgz | tar -xz -C ${out}`;
            times.push((await timed(["bash", "-c", command])).seconds);
          }
          reference = median(times);
        }
        for (const check of hashes) {
          const ours: Run[] = [];
          // md5 on top of crc32c is measured with fewer runs: it is the slow variant.
          for (let i = 0; i < (check === "auto" ? runs : 3); i++) {
            await fresh();
            const args = ["run", "-A", "--config", CONFIG, SELF, "client", server.url, out, check];
            ours.push(await timed([Deno.execPath(), ...args]));
          }
          const t = median(ours.map((r) => r.seconds));
          const rss = median(ours.map((r) => r.rssMb));
          rows.push(
            `| ${mb} MB | ${check === "auto" ? "crc32c" : "crc32c + md5"} | ${ours.length} | ${
              t.toFixed(2)
            } s | ${rss.toFixed(0)} MB | ${reference ? `${reference.toFixed(2)} s` : "–"} | ${
              reference ? (t / reference).toFixed(2) : "–"
            } |`,
          );
          console.error(rows.at(-1));
        }
      } finally {
        server.stop();
        await Deno.remove(file);
        await fresh();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  console.log("\n### downloadResults vs curl | tar -xz (loopback, incompressible .tgz)\n");
  console.log(
    "| archive | hashes checked | runs | downloadResults (median) | peak RSS | curl \\| tar -xz (median) | ratio |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "serve") await serve(rest[0]);
  else if (mode === "client") await client(rest[0], rest[1], rest[2] as HashCheck | undefined);
  else await bench();
}
