import { startEmulator } from "../mod.ts";
import type { Emulator } from "../emulator.ts";
import { assert, assertEquals, unusedPort } from "./assert.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** Runs the CLI as a user would, with the given env and args. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  permissions = ["--allow-net", "--allow-env", "--allow-read", "--allow-write"],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--config", CONFIG, ...permissions, CLI, ...args],
    env: { NO_COLOR: "1", ...env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function envFor(emulator: Emulator): Record<string, string> {
  return {
    UP42_API_URL: emulator.url,
    UP42_PROJECT_ID: emulator.projectId,
    UP42_PROJECT_API_KEY: emulator.projectApiKey,
    HOME: Deno.env.get("HOME") ?? "/tmp",
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
  };
}

function assertOneLineError(
  result: { code: number; stdout: string; stderr: string },
  includes: string,
) {
  assert(result.code !== 0, "non-zero exit");
  const lines = result.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, `one line on stderr: ${result.stderr}`);
  assert(lines[0].startsWith("error: "), lines[0]);
  assert(lines[0].includes(includes), `${lines[0]} should include ${includes}`);
  assert(!result.stderr.includes("    at "), "no stack trace");
}

Deno.test("cli: info, jobtasks and results-json print JSON and exit 0", async () => {
  const emulator = await startEmulator();
  try {
    const env = envFor(emulator);
    const ids = ["--job", emulator.jobId, "--jobtask", emulator.jobtasks.processing];
    const info = await runCli(["info", ...ids], env);
    assertEquals(info.code, 0, info.stderr);
    assertEquals(JSON.parse(info.stdout).id, emulator.jobtasks.processing);
    const list = await runCli(["jobtasks", "--job", emulator.jobId], env);
    assertEquals(JSON.parse(list.stdout).length, 3);
    const fc = await runCli(["results-json", ...ids], env);
    assertEquals(JSON.parse(fc.stdout).type, "FeatureCollection");
    const rows = await runCli(["results-json", ...ids, "--table"], env);
    assertEquals(JSON.parse(rows.stdout).length, 2);
    for (const r of [info, list, fc, rows]) {
      assert(
        !r.stdout.includes(emulator.projectApiKey) && !r.stderr.includes(emulator.projectApiKey),
      );
      assert(!/emu\.[0-9a-f-]{36}/.test(r.stdout + r.stderr), "no token in output");
    }
  } finally {
    await emulator.close();
  }
});

Deno.test("cli: failures are one line on stderr, with exit codes, and no secrets", async () => {
  const emulator = await startEmulator();
  try {
    const env = envFor(emulator);
    const ids = ["--job", emulator.jobId, "--jobtask", "00000000-0000-0000-0000-000000000000"];
    const missing = await runCli(["info", ...ids], env);
    assertOneLineError(missing, "has no jobtask");
    assertEquals(missing.code, 1);

    const wrongKey = await runCli(["info", ...ids], {
      ...env,
      UP42_PROJECT_API_KEY: "wrong-secret-key-42",
    });
    assertOneLineError(wrongKey, "UP42_PROJECT_API_KEY");
    assert(!wrongKey.stderr.includes("wrong-secret-key-42"), "the key is never printed");

    const noCreds = await runCli(["info", ...ids], { HOME: env.HOME, DENO_DIR: env.DENO_DIR });
    assertOneLineError(noCreds, "UP42_PROJECT_ID");

    const badId = await runCli(["info", "--job", "../etc", "--jobtask", "x"], env);
    assertOneLineError(badId, "is not a valid id");

    const usage = await runCli(["info", "--bogus"], env);
    assertOneLineError(usage, "--bogus");
    assertEquals(usage.code, 2);

    const unknown = await runCli(["frobnicate"], env);
    assertOneLineError(unknown, "unknown command");
    assertEquals(unknown.code, 2);
  } finally {
    await emulator.close();
  }
});

Deno.test("cli: unreachable API after retries is one line", async () => {
  const port = unusedPort();
  const result = await runCli(["info", "--job", "j", "--jobtask", "t"], {
    UP42_API_URL: `http://127.0.0.1:${port}`,
    UP42_PROJECT_ID: "p",
    UP42_PROJECT_API_KEY: "secret-key-value",
    HOME: Deno.env.get("HOME") ?? "/tmp",
  });
  assertOneLineError(result, "network error");
  assert(!result.stderr.includes("secret-key-value"));
});

Deno.test("cli: download and quicklooks print absolute paths; render, plot and map write files", async () => {
  const emulator = await startEmulator();
  const out = await Deno.makeTempDir({ prefix: "cli-" });
  try {
    const env = envFor(emulator);
    const job = ["--job", emulator.jobId];
    const download = await runCli([
      "download",
      ...job,
      "--jobtask",
      emulator.jobtasks.processing,
      "--out",
      `${out}/r`,
    ], env);
    assertEquals(download.code, 0, download.stderr);
    const files = download.stdout.trim().split("\n");
    assertEquals(files.length, 3);
    for (const f of files) assert(f.startsWith("/") && Deno.statSync(f).isFile, f);
    const quicklooks = await runCli([
      "quicklooks",
      ...job,
      "--jobtask",
      emulator.jobtasks.dataBlock,
      "--out",
      `${out}/q`,
    ], env);
    assertEquals(quicklooks.code, 0, quicklooks.stderr);
    assertEquals(quicklooks.stdout.trim().split("\n").map((p) => p.slice(p.lastIndexOf("."))), [
      ".png",
      ".jpg",
    ]);
    const tif = files.find((f) => f.endsWith(".tif"))!;
    for (
      const args of [
        ["render", tif, "--out", `${out}/one.png`, "--width", "200"],
        ["plot", `${out}/r`, "--out", `${out}/plot.png`],
        ["plot-quicklooks", `${out}/q`, "--out", `${out}/ql.png`],
        ["map", `${out}/r`, "--out", `${out}/map.html`],
      ]
    ) {
      const result = await runCli(args, env);
      assertEquals(result.code, 0, `${args[0]}: ${result.stderr}`);
      assertEquals(result.stdout.trim(), args[3]);
      assert(Deno.statSync(args[3]).size > 0, `${args[3]} written`);
    }
  } finally {
    await emulator.close();
    await Deno.remove(out, { recursive: true });
  }
});
