/**
 * Downloads as a user runs them: `deno task up42 download` (the CLI, a fresh
 * process each time, with the flags of the `up42` task) of incompressible
 * `.tgz` archives (~400 MB, 100 MB, 1 GB) served over loopback by a
 * separate process, beside `curl -s URL | tar -xz -C DIR` in the same run,
 * each under `/usr/bin/time -v` (wall time, peak RSS), interleaved round by
 * round, medians. Targets for the 400 MB archive: peak RSS under 80 MB and
 * wall time at most half of `curl | tar`'s. `downloadResults` from a script
 * is measured too, with the default check (crc32c) and with md5 on top.
 *
 *     deno task bench download      # or: deno run -A bench/download.ts
 *
 * Needs tar, gzip and /usr/bin/time; without curl the reference is skipped.
 * The same file is also the server (`serve FILE`) and the script client
 * (`client URL DIR [auto|all]`).
 *
 * @module
 */
import { createContext, downloadResults, type HashCheck } from "../mod.ts";
import {
  type Figure,
  median,
  missing,
  reportFigures,
  type Run,
  skipped,
  startChildServer,
  timed,
} from "./support/measure.ts";
import { googHash, randomResultsTgz } from "./support/storage.ts";

const BENCH = "download";
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const CONFIG = `${ROOT}/deno.json`;
const SELF = new URL(import.meta.url).pathname;
const RSS_TARGET_MB = 80, WALL_TARGET = 0.5;
const CREDENTIALS = { UP42_PROJECT_ID: "p", UP42_PROJECT_API_KEY: "bench-key" };

/** Serves FILE as a signed-URL-style object, the results endpoint and the token; prints the port. */
async function serve(file: string): Promise<void> {
  const size = (await Deno.stat(file)).size;
  const hash = await googHash(file, { md5: true });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/oauth/token") {
      return Response.json({ access_token: "bench-token", expires_in: 3600 });
    }
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

/** Downloads from the bench server into DIR with `downloadResults`. */
async function client(apiUrl: string, dir: string, hashes?: HashCheck): Promise<void> {
  const ctx = createContext({ apiUrl, projectId: "p", token: "t", jobId: "j", jobtaskId: "t" });
  await downloadResults(ctx, { outputDirectory: dir, hashes });
}

/** `deno run FLAGS lib/cli/mod.ts`, as `deno task up42` runs it. */
async function up42Command(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(CONFIG));
  const words = (config.tasks.up42 as string).split(/\s+/).slice(1);
  return [Deno.execPath(), ...words.slice(0, -1), `${ROOT}/${words.at(-1)}`];
}

// Archive size, runs, and whether curl | tar and the script variants run too.
const CASES = [
  { mb: 400, runs: 5, reference: true, script: true },
  { mb: 100, runs: 3, reference: false, script: false },
  { mb: 1024, runs: 3, reference: false, script: false },
] as const;

async function bench(): Promise<void> {
  const absent = missing("tar", "gzip", "/usr/bin/time");
  if (absent) return await skipped(BENCH, absent);
  const curl = !missing("curl");
  if (!curl) await skipped(BENCH, "curl", "curl | tar reference");
  const up42 = await up42Command();
  const dir = await Deno.makeTempDir({ prefix: "up42-bench-download-" });
  const out = `${dir}/out`;
  const fresh = async () => {
    await Deno.remove(out, { recursive: true }).catch(() => {});
    await Deno.mkdir(out);
  };
  const figures: Figure[] = [];
  try {
    for (const { mb, runs, reference, script } of CASES) {
      const file = await randomResultsTgz(dir, mb);
      const server = await startChildServer(CONFIG, [SELF, "serve", file]);
      const env = { ...CREDENTIALS, UP42_API_URL: server.url };
      const variants: [string, string[], number][] = [
        [
          "up42 download",
          [...up42, "download", "--job", "j", "--jobtask", "t", "--out", out],
          runs,
        ],
      ];
      if (reference && curl) {
        const command = `curl -s ${server.url}/storage/a.tgz | tar -xz -C ${out}`;
        variants.push(["curl | tar -xz", ["bash", "-c", command], runs]);
      }
      if (script) {
        const run = [
          Deno.execPath(),
          "run",
          "-A",
          "--config",
          CONFIG,
          SELF,
          "client",
          server.url,
          out,
        ];
        variants.push(
          ["downloadResults from a script", [...run, "auto"], runs],
          // md5 on top of crc32c is the slow variant: fewer runs.
          ["downloadResults, crc32c + md5", [...run, "all"], 3],
        );
      }
      const samples = new Map<string, Run[]>(variants.map(([label]) => [label, []]));
      try {
        for (let round = 0; round < runs; round++) {
          for (const [label, cmd, n] of variants) {
            if (round >= n) continue;
            await fresh();
            samples.get(label)!.push(await timed(cmd, { env }));
          }
          console.error(`${mb} MB: round ${round + 1}/${runs} done`);
        }
      } finally {
        await server.stop();
        await Deno.remove(file);
        await Deno.remove(out, { recursive: true }).catch(() => {});
      }
      const wall = (label: string) => median(samples.get(label)!.map((r) => r.seconds));
      const rss = (label: string) => median(samples.get(label)!.map((r) => r.rssMb));
      const curlWall = samples.has("curl | tar -xz")
        ? { label: "curl | tar -xz", value: wall("curl | tar -xz") }
        : undefined;
      const size = mb === 1024 ? "1 GB" : `${mb} MB`;
      for (const [label, , n] of variants) {
        if (label === "curl | tar -xz") continue;
        const targeted = label === "up42 download" && reference;
        figures.push(
          {
            figure: `${size}: ${label}, wall time`,
            value: wall(label),
            unit: "s",
            reference: curlWall,
            target: targeted && curlWall
              ? {
                text: `≤ ${WALL_TARGET}× curl | tar`,
                met: wall(label) <= WALL_TARGET * curlWall.value,
              }
              : undefined,
            note: `median of ${n} runs`,
          },
          {
            figure: `${size}: ${label}, peak RSS`,
            value: rss(label),
            unit: "MB",
            target: targeted
              ? { text: `< ${RSS_TARGET_MB} MB`, met: rss(label) < RSS_TARGET_MB }
              : undefined,
            note: `median of ${n} runs`,
          },
        );
      }
      if (curlWall) {
        figures.push({
          figure: `${size}: curl | tar -xz, peak RSS (largest process)`,
          value: rss("curl | tar -xz"),
          unit: "MB",
          note: `median of ${runs} runs`,
        });
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  for (const f of figures) f.note = undefined;
  figures.at(-1)!.note =
    `each a fresh process under /usr/bin/time -v, interleaved round by round; ` +
    `up42 download is \`${up42.slice(1).join(" ").replace(`${ROOT}/`, "")} download --job j ` +
    `--jobtask t --out DIR\` (the flags of deno task up42); the 400 MB archive ran ` +
    `${CASES[0].runs} rounds (crc32c + md5: 3), the others ${CASES[1].runs}; loopback, ` +
    `incompressible .tgz (gzip -1 of random bytes)`;
  await reportFigures(BENCH, "Downloads through the CLI vs curl | tar -xz", figures);
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "serve") await serve(rest[0]);
  else if (mode === "client") await client(rest[0], rest[1], rest[2] as HashCheck | undefined);
  else await bench();
}
