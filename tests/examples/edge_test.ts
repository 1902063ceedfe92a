/**
 * Runs examples/edge.ts as a subprocess with exactly the documented
 * permissions (network to loopback, four env variables, nothing else) against
 * the emulator, and checks every route.
 */
import { decode as decodePng } from "fast-png";
import { startEmulator } from "../../lib/emulator/mod.ts";
import assert from "node:assert/strict";
import { denoEnv, unusedPort } from "../support/emulator.ts";

const EDGE = new URL("../../examples/edge.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

async function waitForServer(url: string, child: Deno.ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await (await fetch(url)).body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error("the edge function did not start");
}

Deno.test({
  name: "edge: every route under least privilege, errors mapped to statuses without secrets",
  sanitizeResources: false,
  async fn() {
    const emulator = await startEmulator();
    const port = unusedPort();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--config",
        CONFIG,
        "--allow-net=127.0.0.1,localhost",
        "--allow-env=UP42_PROJECT_ID,UP42_PROJECT_API_KEY,UP42_API_URL,PORT",
        EDGE,
      ],
      env: {
        UP42_API_URL: emulator.url,
        UP42_PROJECT_ID: emulator.projectId,
        UP42_PROJECT_API_KEY: emulator.projectApiKey,
        PORT: String(port),
        ...denoEnv(),
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const base = `http://127.0.0.1:${port}`;
    const task = (id: string) => `${base}/jobs/${emulator.jobId}/jobtasks/${id}`;
    try {
      await waitForServer(`${base}/`, child);

      const json = await fetch(`${task(emulator.jobtasks.processing)}/results.json`);
      assert.deepEqual(json.headers.get("content-type"), "application/json");
      const fc = await json.json();
      assert.deepEqual([fc.type, fc.features.length], ["FeatureCollection", 2]);

      const quicklook = await fetch(`${task(emulator.jobtasks.dataBlock)}/quicklook.png`);
      assert.deepEqual(quicklook.headers.get("content-type"), "image/png");
      const ql = decodePng(new Uint8Array(await quicklook.arrayBuffer()));
      assert.deepEqual([ql.width, ql.height], [256, 256]);

      const plot = await fetch(`${task(emulator.jobtasks.processing)}/plot.png`);
      assert.deepEqual(plot.status, 200, "plot.png");
      assert.deepEqual(plot.headers.get("content-type"), "image/png");
      const png = decodePng(new Uint8Array(await plot.arrayBuffer()));
      assert.deepEqual([png.width, png.height], [1400, 800]);

      const map = await fetch(`${task(emulator.jobtasks.processing)}/map.html`);
      assert.deepEqual(map.headers.get("content-type"), "text/html; charset=utf-8");
      const html = await map.text();
      assert.ok(
        html.includes("up42Map") && html.includes("data:image/png;base64,"),
        "a map with images",
      );

      const unknown = await fetch(`${task("00000000-0000-0000-0000-000000000000")}/results.json`);
      assert.deepEqual(unknown.status, 404);
      await unknown.body?.cancel();

      const badId = await fetch(`${base}/jobs/${emulator.jobId}/jobtasks/a%20b/results.json`);
      assert.deepEqual(badId.status, 400);
      await badId.body?.cancel();

      emulator.faults.inject({ kind: "status", route: "api", status: 500, times: 20 });
      const failing = await fetch(`${task(emulator.jobtasks.processing)}/results.json`);
      assert.deepEqual(failing.status, 502);
      const body = await failing.text();
      assert.ok(!body.includes(emulator.projectApiKey), "no API key in error bodies");
      assert.ok(!/emu\.[0-9a-f-]{36}/.test(body), "no token in error bodies");
      emulator.faults.clear();
    } finally {
      child.kill();
      const output = await child.output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.ok(!stderr.includes("NotCapable"), `no permission was missing: ${stderr}`);
      await emulator.close();
    }
  },
});
