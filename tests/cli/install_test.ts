/**
 * The CLI installed as the README says, from this checkout, into a
 * temporary root: the `up42` command then works from any folder.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { startEmulator } from "../../lib/emulator/mod.ts";
import { MODULE_VERSION } from "../../lib/version.ts";
import { denoEnv, emulatorEnv } from "../support/emulator.ts";
import { textOutput } from "../support/cli.ts";
import { readmeBlocks, ROOT } from "../support/project.ts";

/** The README's install command for a checkout, as words, with the checkout's real path. */
function installCommand(): string[] {
  const command = readmeBlocks("CLI", "sh").find((b) => b.includes("lib/cli/mod.ts"));
  assert.ok(command, "the README says how to install from a checkout");
  return command.replace(/\\\n/g, " ").replaceAll("../up42-jobtask", ROOT).trim().split(/\s+/);
}

Deno.test("cli: deno install -g gives an up42 command that works from any folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "up42-install-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "up42-elsewhere-" });
  try {
    const [deno, ...args] = installCommand();
    assert.equal(deno, "deno");
    assert.deepEqual(args.slice(0, 4), ["install", "-g", "-n", "up42"]);
    const install = await new Deno.Command(Deno.execPath(), {
      args: [...args, "--root", root],
      cwd: elsewhere,
      env: denoEnv(),
      clearEnv: true,
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));

    await using emulator = await startEmulator();
    // The installed command finds `deno` on PATH, as a user's shell would.
    const path = `${root}/bin:${dirname(Deno.execPath())}:/usr/bin:/bin`;
    const run = async (...words: string[]) => {
      const output = await new Deno.Command(`${root}/bin/up42`, {
        args: words,
        cwd: elsewhere,
        env: { ...emulatorEnv(emulator), PATH: path },
        clearEnv: true,
        stdin: "null",
      }).output();
      return textOutput(output);
    };
    const info = await run(
      "info",
      "--job",
      emulator.jobId,
      "--jobtask",
      emulator.jobtasks.processing,
    );
    assert.equal(info.code, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).id, emulator.jobtasks.processing);
    const looks = await run(
      "quicklooks",
      "--job",
      emulator.jobId,
      "--jobtask",
      emulator.jobtasks.dataBlock,
      "--json",
    );
    assert.equal(looks.code, 0, looks.stderr);
    for (const file of JSON.parse(looks.stdout).files) {
      assert.ok(file.path.startsWith(`${elsewhere}/`), `written where it ran: ${file.path}`);
    }
    assert.equal((await run("--version")).stdout.trim(), MODULE_VERSION);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
