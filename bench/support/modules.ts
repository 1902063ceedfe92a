/**
 * The modules a process really loads, counted at run time through V8's
 * inspector: every script V8 compiles is reported (`Debugger.scriptParsed`),
 * whether a static import, a dynamic `import()` that ran, or a file an npm
 * package `require`s; modules that were never reached are not. A static
 * graph (`deno info`) cannot say that: it follows dynamic imports too, so it
 * overstates what a lazy entry point loads. JSON modules are not scripts
 * and are not counted. The counting run is separate from the timed runs
 * (the inspector slows a process down).
 *
 * @module
 */

/** What one process loaded, by origin. */
export interface LoadedModules {
  /** The project's own files (under `root`). */
  local: string[];
  /** Files of npm packages. */
  npm: string[];
  /** Deno's built-in modules compiled on demand (`ext:`, `node:`), e.g. the Node compatibility layer. */
  builtin: string[];
  /** Other files (the script itself when it lies outside `root`). */
  other: string[];
}

/**
 * Runs `deno run FLAGS SCRIPT ARGS` (given as `args`, after `run`) paused
 * until an inspector session is attached, and returns every module it
 * compiled until it ended.
 */
export async function loadedModules(
  args: string[],
  options: { root: string; env?: Record<string, string>; cwd?: string },
): Promise<LoadedModules> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", `--inspect-wait=127.0.0.1:${port}`, ...args],
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let endpoint: RegExpExecArray | null = null;
  while (!(endpoint = /ws:\/\/\S+/.exec(text))) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`no inspector: ${text.slice(-500)}`);
    text += chunk.value;
  }
  // Deno keeps a finished program alive until the inspector detaches: watch for that.
  const finished = (async () => {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return;
      text += chunk.value;
      if (/Waiting for the debugger to disconnect/.test(text)) return;
    }
  })();
  const socket = new WebSocket(endpoint[0]);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  const urls = new Set<string>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.method === "Debugger.scriptParsed" && message.params.url) {
      urls.add(message.params.url);
    }
  };
  const closed = new Promise((resolve) => socket.onclose = resolve);
  let id = 0;
  for (const method of ["Runtime.enable", "Debugger.enable", "Runtime.runIfWaitingForDebugger"]) {
    socket.send(JSON.stringify({ id: ++id, method, params: {} }));
  }
  await Promise.race([finished, child.status]);
  socket.close();
  await closed;
  const status = await child.status;
  await finished;
  if (!status.success) throw new Error(`deno ${args.join(" ")} failed: ${text.slice(-800)}`);
  const root = new URL(options.root.endsWith("/") ? options.root : `${options.root}/`, "file:///")
    .href;
  const all = [...urls].sort();
  const npm = all.filter((u) => /\/(npm\/registry\.npmjs\.org|node_modules)\//.test(u));
  const builtin = all.filter((u) => u.startsWith("ext:") || u.startsWith("node:"));
  const local = all.filter((u) => u.startsWith(root) && !npm.includes(u));
  const other = all.filter((u) => !npm.includes(u) && !builtin.includes(u) && !local.includes(u));
  return {
    local: local.map((u) => u.slice(root.length)),
    npm: npm.map((u) => u.replace(/^.*\/(registry\.npmjs\.org|node_modules)\//, "")),
    builtin,
    other,
  };
}

/** The npm packages among `npm` files (`name@version` or `name/version` prefixes), sorted. */
export function npmPackages(npm: string[]): string[] {
  const names = npm.map((file) => {
    const parts = file.replace(/^\.deno\/[^/]+\/node_modules\//, "").split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  });
  return [...new Set(names)].sort();
}

/** Number of modules in the static graph of `script` (`deno info --json`: files plus npm packages). */
export async function staticGraphSize(script: string, config?: string): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ...(config ? ["--config", config] : []), script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const files = info.modules.filter((m: { kind?: string }) => m.kind !== "npm").length;
  return files + Object.keys(info.npmPackages ?? {}).length;
}
