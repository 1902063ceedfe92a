/**
 * The module as a user's own project gets it: a fresh project folder
 * outside this checkout that adds the package the README's ways, the README's
 * own code and commands, and an emulator whose API and storage answer on two
 * host names, as `api.up42.com` and `storage.googleapis.com` do, so that a
 * permission for one of them can be left out.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import type { Emulator } from "../../lib/emulator/mod.ts";
import { type CliResult, textOutput } from "./cli.ts";
import { denoEnv } from "./emulator.ts";

/** This checkout. */
export const ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The README's text. */
export const README: string = Deno.readTextFileSync(`${ROOT}/README.md`);

/**
 * The fenced blocks of `lang` in the README section headed `heading`, in
 * order, verbatim.
 */
export function readmeBlocks(heading: string, lang: string): string[] {
  const start = README.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `README has a section "${heading}"`);
  const next = README.indexOf("\n## ", start + 1);
  const section = README.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(new RegExp("^ *```" + lang + "\\n([\\s\\S]*?)^ *```$", "gm"))]
    .map((m) => m[1].replace(/^ {2}/gm, ""));
}

/** The `--allow-*` flags of a README command (continuation lines joined). */
export function allowFlags(command: string): string[] {
  return command.replace(/\\\n/g, " ").split(/\s+/).filter((w) => w.startsWith("--allow-"));
}

/** How a project gets the package, as the README's "Add it to your project" says. */
export type Way = "links" | "workspace";

/**
 * A fresh project folder outside the checkout that adds the package `way`,
 * with the README's `deno.json` verbatim but for where the checkout is.
 */
export async function freshProject(way: Way): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `up42-project-${way}-` });
  assert.ok(!dir.startsWith(`${ROOT}/`), "the project is outside the checkout");
  const [links, workspace] = readmeBlocks("Add it to your project", "json");
  if (way === "links") {
    assert.match(links, /"links": \["\.\.\/up42-jobtask"\]/);
    await Deno.writeTextFile(`${dir}/deno.json`, links.replace("../up42-jobtask", ROOT));
  } else {
    // A copy of the checkout's module files, as a submodule would hold them. (Not a symlink:
    // Deno 2.9.6 then resolves the member's text imports by their real path and asks to read them.)
    assert.match(workspace, /"workspace": \["\.\/up42-jobtask"\]/);
    for (const name of ["README.md", "deno.json", "deno.lock", "mod.ts", "lib"]) {
      await copyTree(`${ROOT}/${name}`, `${dir}/up42-jobtask/${name}`);
    }
    await Deno.writeTextFile(`${dir}/deno.json`, workspace);
  }
  return dir;
}

async function copyTree(from: string, to: string): Promise<void> {
  if (!(await Deno.stat(from)).isDirectory) {
    await Deno.mkdir(dirname(to), { recursive: true });
    return await Deno.copyFile(from, to);
  }
  for await (const entry of Deno.readDir(from)) {
    await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/** An API in front of an emulator, reached by another host name than its storage. */
export interface SplitHosts extends AsyncDisposable {
  /** The API's url (`http://localhost:PORT`): use it as `UP42_API_URL`. */
  apiUrl: string;
  /** The API's host name, standing for `api.up42.com`. */
  apiHost: string;
  /** The signed URLs' host name, standing for `storage.googleapis.com`. */
  storageHost: string;
  /** Replaces the README's host names in `text` by these. */
  substitute(text: string): string;
}

/**
 * Serves `emulator`'s API at `localhost` by forwarding each request over
 * real HTTP; the signed URLs it hands out still point at the emulator on
 * `127.0.0.1`.
 */
export function splitHosts(emulator: Emulator): SplitHosts {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete("host");
    const res = await fetch(`${emulator.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  });
  const apiHost = "localhost";
  const storageHost = new URL(emulator.url).hostname;
  return {
    apiUrl: `http://${apiHost}:${server.addr.port}`,
    apiHost,
    storageHost,
    substitute: (text) =>
      text.replaceAll("api.up42.com", apiHost).replaceAll("storage.googleapis.com", storageHost),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** What a Deno run printed and its exit status. */
/** A finished `deno run`. */
export type Run = CliResult;

/**
 * Runs `deno run --quiet --no-prompt FLAGS FILE ARGS` in `cwd` with `env`
 * and nothing else from this process's environment.
 */
export async function denoRun(
  cwd: string,
  flags: string[],
  file: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", ...flags, file, ...(options.args ?? [])],
    cwd,
    env: { ...denoEnv(), ...options.env },
    clearEnv: true,
    stdin: "null",
  }).output();
  return textOutput(output);
}
