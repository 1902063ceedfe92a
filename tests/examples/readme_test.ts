/**
 * The README as a new user follows it: a fresh project outside this checkout
 * adds the package each documented way, pastes the "Use" snippet verbatim
 * and runs it with exactly the documented command (host names pointed at the
 * emulator) and `--no-prompt`; run interactively, Deno asks only for what
 * the permissions table names, never for a temporary file; and what `deno
 * publish` would ship is the module, not its tests or benchmarks.
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../lib/emulator/mod.ts";
import {
  allowFlags,
  denoRun,
  freshProject,
  readmeBlocks,
  ROOT,
  splitHosts,
  type Way,
} from "../support/project.ts";
import { denoEnv } from "../support/emulator.ts";

const [USE] = readmeBlocks("Use", "ts");
const [RUN] = readmeBlocks("Use", "sh");

for (const way of ["links", "workspace"] as Way[]) {
  Deno.test({
    name: `readme: a fresh project with the package as ${way} runs the "Use" snippet as documented`,
    sanitizeResources: false,
    async fn() {
      await using emulator = await startEmulator();
      await using hosts = splitHosts(emulator);
      const project = await freshProject(way);
      try {
        assert.match(USE, /from "@up42\/jobtask"/, "the snippet imports the package by name");
        await Deno.writeTextFile(`${project}/main.ts`, USE);
        assert.ok(RUN.trimEnd().endsWith(" main.ts"), RUN);
        const flags = allowFlags(hosts.substitute(RUN));
        assert.deepEqual(flags.map((f) => f.split("=")[0]).sort(), [
          "--allow-env",
          "--allow-net",
          "--allow-read",
          "--allow-write",
        ]);
        const run = await denoRun(project, flags, "main.ts", {
          env: {
            UP42_API_URL: hosts.apiUrl,
            UP42_PROJECT_ID: emulator.projectId,
            UP42_PROJECT_API_KEY: emulator.projectApiKey,
          },
        });
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stderr, "");
        const [plot, map] = run.stdout.trim().split("\n").at(-1)!.split(" ");
        assert.equal(plot, `${project}/results/plot.png`);
        assert.equal(map, `${project}/results/map.html`);
        assert.ok(Deno.statSync(plot).size > 0 && Deno.statSync(map).size > 0);
        const top = [...Deno.readDirSync(project)].map((e) => e.name).sort();
        const expected = ["deno.json", "deno.lock", "main.ts", "results"];
        assert.deepEqual(top, way === "links" ? expected : [...expected, "up42-jobtask"].sort());
      } finally {
        await Deno.remove(project, { recursive: true });
      }
    },
  });
}

Deno.test({
  name:
    "readme: run interactively, the snippet asks once per documented permission, never for a temporary file",
  ignore: Deno.build.os !== "linux", // `script` gives the process a terminal; its flags are util-linux's
  sanitizeResources: false,
  async fn() {
    await using emulator = await startEmulator();
    await using hosts = splitHosts(emulator);
    const project = await freshProject("links");
    try {
      await Deno.writeTextFile(`${project}/main.ts`, USE);
      const command = `'${Deno.execPath()}' run main.ts`;
      const child = new Deno.Command("script", {
        args: ["-qfec", command, "/dev/null"],
        cwd: project,
        env: {
          ...denoEnv(),
          UP42_API_URL: hosts.apiUrl,
          UP42_PROJECT_ID: emulator.projectId,
          UP42_PROJECT_API_KEY: emulator.projectApiKey,
        },
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Grant each prompt as it comes, as a user answering "y" would.
      const writer = child.stdin.getWriter();
      const answering = (async () => {
        for (let i = 0; i < 120; i++) {
          await new Promise((r) => setTimeout(r, 250));
          try {
            await writer.write(new TextEncoder().encode("y\n"));
          } catch {
            return;
          }
        }
      })();
      const output = await child.output();
      await answering;
      const escapes = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g");
      const text = new TextDecoder().decode(output.stdout).replace(escapes, "");
      assert.equal(output.code, 0, text.slice(-2000));
      const asked = [...text.matchAll(/Deno requests (\w+) access to "([^"]+)"/g)]
        .map((m) => `${m[1]} ${m[2]}`);
      const apiPort = new URL(hosts.apiUrl).port;
      const storagePort = new URL(emulator.url).port;
      assert.deepEqual(
        asked.sort(),
        [
          "env UP42_API_URL",
          "env UP42_PROJECT_API_KEY",
          "env UP42_PROJECT_ID",
          `net ${hosts.apiHost}:${apiPort}`,
          `net ${hosts.storageHost}:${storagePort}`,
          `read ${project}/results`,
          `write ${project}/results`,
        ].sort(),
        "one prompt per documented permission, each by its name",
      );
    } finally {
      await Deno.remove(project, { recursive: true });
    }
  },
});

Deno.test("readme: deno publish ships the module only: no tests, benchmarks, examples or CI", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    env: denoEnv(),
    clearEnv: true,
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, text);
  const files = [...text.matchAll(/^\s+file:\/\/(\S+) \(/gm)].map((m) =>
    m[1].slice(ROOT.length + 1)
  );
  assert.ok(files.length > 10, text);
  const unexpected = files.filter((f) =>
    !["README.md", "deno.json", "deno.lock", "mod.ts"].includes(f) &&
    !/^lib\/.+\.(ts|js)$/.test(f)
  );
  assert.deepEqual(unexpected, [], "only the module's own files");
  assert.deepEqual(files.filter((f) => /_test\.ts$|(^|\/)(tests|bench|fixtures)\//.test(f)), []);
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  for (const target of Object.values(config.exports) as string[]) {
    assert.ok(files.includes(target.replace(/^\.\//, "")), `${target} is published`);
  }
});
