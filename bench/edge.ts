/**
 * Benchmark of examples/edge.ts as a deployment sees it: a fresh
 * `deno run` process per round against the emulator, timed from spawning
 * the process to its first `results.json` answer (beside a bare `Deno.serve`
 * that answers "ok", and beside the API's own latency for the same calls),
 * then each route cold (first request) and warm (served from the cache),
 * and a revalidation that gets 304. Medians over 3 fresh processes; warm
 * figures are percentiles of 30 requests per process.
 *
 *     deno run -A bench/edge.ts     (or: deno task bench edge)
 *
 * Measured on a 2-core machine with nothing else running, medians of 3
 * processes:
 *
 * | measure                                  | edge                       | reference                             |
 * | ---------------------------------------- | -------------------------- | ------------------------------------- |
 * | process start → first results.json       | 179 ms                     | bare `Deno.serve` 76.7 ms; API 2.0 ms |
 * | plot.png cold → warm p50 (p90)           | 369 ms → 3.2 ms (7.0 ms)   | target warm p50 < 20 ms               |
 * | map.html cold → warm p50 (p90)           | 783 ms → 11.3 ms (20.1 ms) |                                       |
 * | quicklook.png cold → warm p50            | 7.4 ms → 0.8 ms            |                                       |
 *
 * The cold results.json comes 100 ms after a bare `Deno.serve` would
 * answer, API latency included (target: within 150 ms): the function loads
 * the rendering code only when a plot or map is first asked for, and the
 * package loads its codecs only when a download first needs them.
 *
 * @module
 */
import { createContext, getResultsJson, readResults } from "../mod.ts";
import { startEmulator } from "../lib/emulator/mod.ts";
import { denoEnv } from "../tests/support/emulator.ts";
import { type Figure, median, reportFigures, unusedPort } from "./support/measure.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const ROUNDS = 3;
const WARM = 30;
const ROUTES = ["quicklook.png", "plot.png", "map.html", "results.json"] as const;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Spawns `args`, returns once "listening on" is printed, and the time that took. */
async function spawnServer(args: string[], env: Record<string, string>) {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { ...denoEnv(), ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("listening on ")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${args.join(" ")} did not start`);
    seen += value;
  }
  return {
    started,
    async close() {
      child.kill();
      await child.status;
      await reader.cancel();
    },
  };
}

async function timed(url: string, init?: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  if (res.status !== 200 && res.status !== 304) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t0;
}

async function main() {
  await using emulator = await startEmulator();
  const ids = { jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing };
  // The emulator builds a results archive on its first download: do that before timing.
  await readResults(createContext({ ...emulator.credentials, ...ids }));

  // The API's own latency for what a cold results.json needs: a token and the results.
  const api: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await getResultsJson(createContext({ ...emulator.credentials, ...ids }));
    api.push(performance.now() - t0);
  }

  const bare = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    bare,
    'Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT")), onListen: () => console.log("listening on ready") }, () => new Response("ok"));',
  );
  const reference: number[] = [];
  const toResults: number[] = [];
  const cold: Record<string, number[]> = {};
  const warm: Record<string, number[]> = {};
  const revalidate: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const refPort = unusedPort();
    const ref = await spawnServer(["run", "--allow-net", "--allow-env", bare], {
      PORT: `${refPort}`,
    });
    await timed(`http://127.0.0.1:${refPort}/`);
    reference.push(performance.now() - ref.started);
    await ref.close();

    const port = unusedPort();
    const edge = await spawnServer([
      "run",
      "--quiet",
      "--allow-net=127.0.0.1",
      "--allow-env=UP42_PROJECT_ID,UP42_PROJECT_API_KEY,UP42_API_URL,HOST,PORT",
      "--config",
      `${ROOT}/deno.json`,
      `${ROOT}/examples/edge.ts`,
    ], {
      UP42_API_URL: emulator.url,
      UP42_PROJECT_ID: emulator.projectId,
      UP42_PROJECT_API_KEY: emulator.projectApiKey,
      PORT: `${port}`,
    });
    const base = `http://127.0.0.1:${port}/jobs/${emulator.jobId}/jobtasks`;
    const url = (route: string) =>
      `${base}/${
        route === "quicklook.png" ? emulator.jobtasks.dataBlock : emulator.jobtasks.processing
      }/${route}`;
    await timed(url("results.json"));
    toResults.push(performance.now() - edge.started);
    cold["results.json"] = [...(cold["results.json"] ?? []), toResults.at(-1)!];
    for (const route of ROUTES.filter((r) => r !== "results.json")) {
      (cold[route] ??= []).push(await timed(url(route)));
    }
    for (const route of ROUTES) {
      for (let i = 0; i < WARM; i++) (warm[route] ??= []).push(await timed(url(route)));
    }
    const etag = (await fetch(url("plot.png"), { method: "HEAD" })).headers.get("etag")!;
    for (let i = 0; i < WARM; i++) {
      revalidate.push(await timed(url("plot.png"), { headers: { "if-none-match": etag } }));
    }
    await edge.close();
  }
  await Deno.remove(bare);

  const apiMs = median(api);
  const bareMs = median(reference);
  const startMs = median(toResults);
  const note = `${ROUNDS} fresh \`deno run\` processes of examples/edge.ts against the emulator; ` +
    `cold: first request (median); warm: ${WARM} requests each (p50)`;
  const figures: Figure[] = [{
    figure: "edge: process start → first results.json",
    value: startMs,
    unit: "ms",
    reference: { label: "bare Deno.serve start → first answer", value: bareMs },
    target: {
      text: `≤ reference + API (${apiMs.toFixed(1)} ms) + 150 ms`,
      met: startMs <= bareMs + apiMs + 150,
    },
    note,
  }];
  for (const route of ["plot.png", "map.html", "quicklook.png"]) {
    const warmMs = median(warm[route]);
    figures.push({
      figure: `edge: ${route} warm p50 (p90 ${percentile(warm[route], 90).toFixed(1)} ms)`,
      value: warmMs,
      unit: "ms",
      reference: { label: "cold, first request", value: median(cold[route]) },
      target: route === "plot.png" ? { text: "< 20 ms", met: warmMs < 20 } : undefined,
      note,
    });
  }
  figures.push({
    figure: "edge: plot.png revalidated (If-None-Match → 304) p50",
    value: median(revalidate),
    unit: "ms",
    note,
  });
  await reportFigures("edge", "edge function: cold and warm", figures);
}

await main();
