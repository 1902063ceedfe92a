/**
 * Runs examples/edge.ts as users deploy it, under `deno serve` and under
 * `deno run`, with exactly the README's permissions (host names pointed at
 * the emulator), and checks every route, the HTTP caching headers, HEAD,
 * the in-memory cache and the error statuses.
 */
import { decode as decodePng } from "fast-png";
import assert from "node:assert/strict";
import { startEmulator } from "../../lib/emulator/mod.ts";
import type { Emulator } from "../../lib/emulator/mod.ts";
import { denoEnv, unusedPort } from "../support/emulator.ts";
import { allowFlags, readmeBlocks, ROOT, type SplitHosts, splitHosts } from "../support/project.ts";

const EDGE = `${ROOT}/examples/edge.ts`;
const COMMANDS = readmeBlocks("Examples", "sh").filter((b) => b.includes("examples/edge.ts"));

interface Edge extends AsyncDisposable {
  base: string;
  stderr: () => Promise<string>;
}

/** Starts the edge function the README's way `mode`, on a free port; resolves once it listens. */
async function startEdge(
  mode: "serve" | "run",
  emulator: Emulator,
  hosts: SplitHosts,
): Promise<Edge> {
  const command = COMMANDS.find((c) => c.startsWith(`deno ${mode} `));
  assert.ok(command, `the README shows how to ${mode} it`);
  const port = unusedPort();
  const args = mode === "serve"
    ? ["serve", "--quiet", "--no-prompt", "--host", "127.0.0.1", "--port", `${port}`]
    : ["run", "--quiet", "--no-prompt"];
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...args,
      "--config",
      `${ROOT}/deno.json`,
      ...allowFlags(hosts.substitute(command)),
      EDGE,
    ],
    env: {
      ...denoEnv(),
      UP42_API_URL: hosts.apiUrl,
      UP42_PROJECT_ID: emulator.projectId,
      UP42_PROJECT_API_KEY: emulator.projectApiKey,
      HOST: "127.0.0.1",
      PORT: `${port}`,
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = setTimeout(() => child.kill(), 30_000);
  while (!seen.includes("listening on ")) {
    const { value, done } = await lines.read();
    if (done) {
      clearTimeout(deadline);
      throw new Error(`the edge function did not start: ${await stderr}`);
    }
    seen += value;
  }
  clearTimeout(deadline);
  assert.match(seen, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}/`));
  return {
    base: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async [Symbol.asyncDispose]() {
      child.kill();
      await child.status;
      await lines.cancel();
    },
  };
}

const storageRequests = (emulator: Emulator) =>
  emulator.requests.filter((r) => r.route === "storage").length;

for (const mode of ["serve", "run"] as const) {
  Deno.test({
    name:
      `edge (deno ${mode}): every route, ETag and 304, HEAD, answers cached, errors as statuses`,
    sanitizeResources: false,
    async fn() {
      await using emulator = await startEmulator();
      await using hosts = splitHosts(emulator);
      let stderr = Promise.resolve("");
      {
        await using edge = await startEdge(mode, emulator, hosts);
        stderr = edge.stderr();
        const task = (id: string) => `${edge.base}/jobs/${emulator.jobId}/jobtasks/${id}`;
        const processing = task(emulator.jobtasks.processing);

        const json = await fetch(`${processing}/results.json`);
        assert.equal(json.headers.get("content-type"), "application/json");
        assert.equal(json.headers.get("cache-control"), "public, max-age=300");
        assert.match(json.headers.get("etag")!, /^"[A-Za-z0-9_-]{24}"$/, "a strong ETag");
        const fc = await json.json();
        assert.deepEqual([fc.type, fc.features.length], ["FeatureCollection", 2]);

        const quicklook = await fetch(`${task(emulator.jobtasks.dataBlock)}/quicklook.png`);
        assert.equal(quicklook.headers.get("content-type"), "image/png");
        const ql = decodePng(new Uint8Array(await quicklook.arrayBuffer()));
        assert.deepEqual([ql.width, ql.height], [256, 256]);

        // Three requests at once for a plot not made yet: one download, one answer.
        const before = storageRequests(emulator);
        const plots = await Promise.all([1, 2, 3].map(() => fetch(`${processing}/plot.png`)));
        const bodies = await Promise.all(
          plots.map(async (p) => new Uint8Array(await p.arrayBuffer())),
        );
        assert.deepEqual(plots.map((p) => p.status), [200, 200, 200]);
        assert.equal(
          storageRequests(emulator) - before,
          1,
          "the concurrent requests shared one making",
        );
        const png = decodePng(bodies[0]);
        assert.deepEqual([png.width, png.height], [1400, 800]);
        const etag = plots[0].headers.get("etag")!;
        assert.ok(plots.every((p) => p.headers.get("etag") === etag));

        const apiCalls = emulator.requests.length;
        const again = await fetch(`${processing}/plot.png`);
        assert.deepEqual(new Uint8Array(await again.arrayBuffer()), bodies[0]);
        assert.equal(again.headers.get("etag"), etag);
        assert.equal(emulator.requests.length, apiCalls, "a repeat is served from the cache");

        const unchanged = await fetch(`${processing}/plot.png`, {
          headers: { "if-none-match": `"other", ${etag}` },
        });
        assert.equal(unchanged.status, 304);
        assert.equal(unchanged.headers.get("etag"), etag);
        assert.equal(await unchanged.text(), "");

        const head = await fetch(`${processing}/plot.png`, { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get("content-length"), `${bodies[0].length}`);
        assert.equal(head.headers.get("etag"), etag);
        assert.equal((await head.arrayBuffer()).byteLength, 0);

        const single = await fetch(`${processing}/plot.png?cmap=viridis&bands=2`);
        assert.equal(single.status, 200);
        assert.notEqual(single.headers.get("etag"), etag, "options are part of the key");
        await single.body?.cancel();
        const reordered = await fetch(`${processing}/plot.png?bands=2&cmap=viridis`);
        assert.equal(reordered.headers.get("etag"), single.headers.get("etag"));
        await reordered.body?.cancel();

        if (mode === "run") {
          const map = await fetch(`${processing}/map.html`);
          assert.equal(map.headers.get("content-type"), "text/html; charset=utf-8");
          const html = await map.text();
          assert.ok(html.includes("up42Map") && html.includes("data:image/png;base64,"), "a map");

          for (
            const [url, status] of [
              [`${task("00000000-0000-0000-0000-000000000000")}/results.json`, 404],
              [`${edge.base}/jobs/${emulator.jobId}/jobtasks/a%20b/results.json`, 400],
              [`${processing}/plot.png?bands=x`, 400],
              [`${processing}/plot.png?cmap=nosuch`, 400],
              [`${processing}/results.json?bands=1`, 400],
              [`${edge.base}/elsewhere`, 404],
            ] as const
          ) {
            const res = await fetch(url);
            assert.equal(res.status, status, url);
            assert.equal(res.headers.get("cache-control"), "no-store", url);
            assert.ok((await res.json()).error, url);
          }
          const post = await fetch(`${processing}/results.json`, { method: "POST" });
          assert.equal(post.status, 405);
          assert.equal(post.headers.get("allow"), "GET, HEAD");
          await post.body?.cancel();

          emulator.faults.inject({ kind: "status", route: "api", status: 500, times: 20 });
          const failing = await fetch(`${task(emulator.jobtasks.zip)}/results.json`);
          assert.equal(failing.status, 502);
          const body = await failing.text();
          assert.ok(!body.includes(emulator.projectApiKey), "no API key in error bodies");
          assert.ok(!/emu\.[0-9a-f-]{36}/.test(body), "no token in error bodies");
          emulator.faults.clear();
          const recovered = await fetch(`${task(emulator.jobtasks.zip)}/results.json`);
          assert.equal(recovered.status, 200, "a failure is not cached");
          await recovered.body?.cancel();
        }
      }
      const log = await stderr;
      assert.ok(!/NotCapable|error/i.test(log), `no permission was missing: ${log}`);
    },
  });
}
