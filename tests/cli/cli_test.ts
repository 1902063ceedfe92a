import assert from "node:assert/strict";
import { startEmulator } from "../../lib/emulator/mod.ts";
import { COMMANDS, usageLine } from "../../lib/cli/commands.ts";
import { fileChecksum } from "../../lib/files/checksum.ts";
import { assertOneLineError, runCli } from "../support/cli.ts";
import { denoEnv, emulatorEnv, unusedPort } from "../support/emulator.ts";

Deno.test("cli: info, jobtasks and results-json print JSON and exit 0; no secret in any output", async () => {
  await using emulator = await startEmulator();
  const env = emulatorEnv(emulator);
  const ids = ["--job", emulator.jobId, "--jobtask", emulator.jobtasks.processing];
  const info = await runCli(["info", ...ids], env);
  assert.equal(info.code, 0, info.stderr);
  assert.equal(JSON.parse(info.stdout).id, emulator.jobtasks.processing);
  const list = await runCli(["jobtasks", "--job", emulator.jobId], env);
  assert.equal(JSON.parse(list.stdout).length, 3);
  const fc = await runCli(["results-json", ...ids], env);
  assert.equal(JSON.parse(fc.stdout).type, "FeatureCollection");
  const rows = await runCli(["results-json", ...ids, "--table"], env);
  assert.equal(JSON.parse(rows.stdout).length, 2);
  for (const r of [info, list, fc, rows]) {
    assert.ok(!(r.stdout + r.stderr).includes(emulator.projectApiKey));
    assert.ok(!/emu\.[0-9a-f-]{36}/.test(r.stdout + r.stderr), "no token in output");
  }
});

Deno.test("cli: failures are one line on stderr with exit status 1, and no secrets", async () => {
  await using emulator = await startEmulator();
  const env = emulatorEnv(emulator);
  const ids = ["--job", emulator.jobId, "--jobtask", "00000000-0000-0000-0000-000000000000"];
  assert.match(assertOneLineError(await runCli(["info", ...ids], env), 1), /has no jobtask/);
  const wrongKey = await runCli(["info", ...ids], {
    ...env,
    UP42_PROJECT_API_KEY: "wrong-secret-key-42",
  });
  assert.match(assertOneLineError(wrongKey, 1), /UP42_PROJECT_API_KEY/);
  assert.ok(!wrongKey.stderr.includes("wrong-secret-key-42"), "the key is never printed");
  const noCreds = await runCli(["info", ...ids], denoEnv());
  assert.match(assertOneLineError(noCreds, 1), /UP42_PROJECT_ID/);
  const badId = await runCli(["info", "--job", "../etc", "--jobtask", "x"], env);
  assert.match(assertOneLineError(badId, 1), /is not a valid id/);
});

Deno.test("cli: every bad command line exits 2 before any work, naming the closest valid word", async () => {
  const env = denoEnv(); // no credentials: a usage error must come first
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command/],
    [["donwload", "--job", "j"], /did you mean download\?/],
    [["info", "--bogus"], /unknown flag --bogus/],
    [["download", "--job", "j", "--jobtask", "t", "--ot", "x"], /did you mean --out\?/],
    [["download", "--job", "j", "--bogus"], /unknown flag --bogus/],
    [["render", "a.tif", "--bogus"], /unknown flag --bogus/],
    [["map", "dir", "--out", "m.html", "--bogus"], /unknown flag --bogus/],
    [["render", "a.tif"], /needs --out/],
    [["render", "a.tif", "b.tif", "--out", "x.png"], /exactly one FILE/],
    [["plot", "--out", "x.png"], /needs PATH/],
    [["info", "--job", "j"], /needs --jobtask/],
    [["render", "a.tif", "--out", "x.png", "--width", "wide"], /--width "wide"/],
    [["plot", "d", "--out", "x.png", "--figsize", "a,b"], /--figsize/],
    [["map", "d", "--out", "m.html", "--bands", "1,x"], /--bands/],
    [["jobtasks", "--job", "j", "extra"], /takes no arguments/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args, env);
    assert.match(assertOneLineError(result, 2), message, args.join(" "));
  }
  const dir = await Deno.makeTempDir();
  try {
    const { writeGeoTiff } = await import("../../lib/emulator/mod.ts");
    await Deno.writeFile(
      `${dir}/a.tif`,
      await writeGeoTiff({
        width: 4,
        height: 4,
        bands: [new Uint8Array(16)],
        epsg: 4326,
        origin: [0, 0],
        pixelSize: [1, 1],
      }),
    );
    for (const flags of [["--cmap", "nosuch"], ["--stretch", "sideways"], ["--bands", "1,2"]]) {
      const result = await runCli(
        ["render", `${dir}/a.tif`, "--out", `${dir}/x.png`, ...flags],
        env,
      );
      assertOneLineError(result, 2);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: an unreachable API is one line naming the host", async () => {
  const port = unusedPort();
  const result = await runCli(["info", "--job", "j", "--jobtask", "t"], {
    ...denoEnv(),
    UP42_API_URL: `http://127.0.0.1:${port}`,
    UP42_PROJECT_ID: "p",
    UP42_PROJECT_API_KEY: "secret-key-value",
  });
  assert.match(assertOneLineError(result, 1), new RegExp(`127\\.0\\.0\\.1:${port}`));
  assert.ok(!result.stderr.includes("secret-key-value"));
});

Deno.test("cli: --verbose reports each retry on stderr", async () => {
  await using emulator = await startEmulator();
  emulator.faults.inject({ kind: "status", route: "api", status: 503, retryAfter: 0 });
  const result = await runCli(
    ["jobtasks", "--job", emulator.jobId, "--verbose"],
    emulatorEnv(emulator),
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /^retry 1: GET \/projects\/.*: HTTP 503: injected fault; waiting 0\.0 s$/m,
  );
});

Deno.test("cli: help comes from the command table, and the README lists the same usage", async () => {
  const help = await runCli(["--help"], denoEnv(), []);
  assert.equal(help.code, 0);
  for (const name of Object.keys(COMMANDS)) {
    assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
  }
  for (const [name, command] of Object.entries(COMMANDS)) {
    const one = await runCli([name, "--help"], denoEnv(), []);
    assert.equal(one.code, 0);
    assert.ok(one.stdout.startsWith(`usage: up42 ${usageLine(name, command)}\n`), one.stdout);
    for (const flag of Object.keys(command.flags)) {
      assert.ok(one.stdout.includes(`--${flag}`), `${name} --${flag}`);
    }
  }
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const block = readme.slice(
    readme.indexOf("<!-- cli-usage -->"),
    readme.indexOf("<!-- /cli-usage -->"),
  );
  const listed = [...block.matchAll(/^up42 (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(listed, Object.entries(COMMANDS).map(([n, c]) => usageLine(n, c)));
  assert.equal((await runCli([], denoEnv(), [])).code, 2, "no command is a usage error");
});

Deno.test("cli: download and quicklooks print absolute paths; render, plot and map write files", async () => {
  await using emulator = await startEmulator();
  const out = await Deno.makeTempDir({ prefix: "cli-" });
  try {
    const env = emulatorEnv(emulator);
    const job = ["--job", emulator.jobId];
    const download = await runCli(
      ["download", ...job, "--jobtask", emulator.jobtasks.processing, "--out", "r"],
      env,
      undefined,
      out,
    );
    assert.equal(download.code, 0, download.stderr);
    assert.equal(download.stderr, "", "no progress noise when stderr is not a terminal");
    const files = download.stdout.trim().split("\n");
    assert.equal(files.length, 3);
    for (const f of files) assert.ok(f.startsWith(`${out}/r/`) && Deno.statSync(f).isFile, f);
    const again = [
      "download",
      ...job,
      "--jobtask",
      emulator.jobtasks.processing,
      "--out",
      "r",
      "--no-overwrite",
    ];
    // Up to date: nothing is downloaded, so nothing is overwritten.
    const upToDate = await runCli(again, env, undefined, out);
    assert.equal(upToDate.code, 0, upToDate.stderr);
    assert.deepEqual(upToDate.stdout, download.stdout);
    assert.match(upToDate.stderr, /^up to date: /);
    const forced = await runCli([...again, "--force"], env, undefined, out);
    assert.match(assertOneLineError(forced, 1), /already exists/);
    const quicklooks = await runCli([
      "quicklooks",
      ...job,
      "--jobtask",
      emulator.jobtasks.dataBlock,
      "--out",
      `${out}/q`,
    ], env);
    assert.equal(quicklooks.code, 0, quicklooks.stderr);
    assert.deepEqual(quicklooks.stdout.trim().split("\n").map((p) => p.slice(p.lastIndexOf("."))), [
      ".png",
      ".jpg",
    ]);
    const tif = files.find((f) => f.endsWith(".tif"))!;
    for (
      const args of [
        [
          "render",
          tif,
          "--out",
          `${out}/one.png`,
          "--width",
          "200",
          "--bands",
          "2",
          "--cmap",
          "magma",
          "--stretch",
          "p2,98",
        ],
        ["plot", `${out}/r`, "--out", `${out}/plot.png`, "--titles", "A,B", "--size", "300x200"],
        ["plot-quicklooks", `${out}/q`, "--out", `${out}/ql.png`],
        ["map", `${out}/r`, "--out", `${out}/map.html`, "--bands", "3,2,1"],
      ]
    ) {
      const result = await runCli(args, env);
      assert.equal(result.code, 0, `${args[0]}: ${result.stderr}`);
      assert.equal(result.stdout.trim(), args[3]);
      assert.ok(Deno.statSync(args[3]).size > 0, `${args[3]} written`);
    }
    const unwritable = await runCli(["render", tif, "--out", `${out}/no/such/dir/x.png`], env);
    assert.match(assertOneLineError(unwritable, 1), /cannot write/);
    assert.ok(
      ![...Deno.readDirSync(out)].some((e) => e.name.endsWith(".tmp")),
      "no temporary file left",
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("cli: download and quicklooks --json list each file's path, size and CRC-32", async () => {
  await using emulator = await startEmulator();
  const out = await Deno.makeTempDir({ prefix: "cli-json-" });
  try {
    const env = emulatorEnv(emulator);
    const cases = [
      ["download", emulator.jobtasks.processing, 3],
      ["quicklooks", emulator.jobtasks.dataBlock, 2],
    ] as const;
    for (const [command, jobtask, count] of cases) {
      const args = [command, "--job", emulator.jobId, "--jobtask", jobtask, "--out", command];
      const result = await runCli([...args, "--json"], env, undefined, out);
      assert.equal(result.code, 0, result.stderr);
      const document = JSON.parse(result.stdout);
      assert.deepEqual(Object.keys(document), ["files"], "one document");
      assert.equal(document.files.length, count);
      for (const file of document.files) {
        assert.deepEqual(Object.keys(file).sort(), ["crc32", "path", "size"]);
        assert.ok(file.path.startsWith(`${out}/${command}/`), file.path);
        assert.equal(file.size, (await Deno.stat(file.path)).size, file.path);
        assert.equal(file.crc32, await fileChecksum(file.path), file.path);
      }
      const plain = await runCli(args, env, undefined, out);
      assert.deepEqual(
        plain.stdout.trim().split("\n"),
        document.files.map((f: { path: string }) => f.path),
        "the same files, in the same order, as without --json",
      );
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
