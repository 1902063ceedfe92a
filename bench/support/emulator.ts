/**
 * The emulator as the benchmarks use it: in its own process (so that it
 * takes nothing from the measured one), behind a front in the benchmark's
 * process that stamps when each request arrives. A start time taken right
 * before spawning the measured process and the arrival stamp come from the
 * same clock, which gives the time from process start to first request.
 *
 * @module
 */

/** A running emulator process and its recording front. */
export interface EmulatorProcess {
  /** The front's URL: give it as `UP42_API_URL`. */
  url: string;
  /** `UP42_API_URL`, `UP42_PROJECT_ID` and `UP42_PROJECT_API_KEY` for a measured process. */
  env: Record<string, string>;
  /** The seeded job. */
  jobId: string;
  /** The seeded jobtasks. */
  jobtasks: { dataBlock: string; processing: string; zip: string };
  /** Forgets the arrivals recorded so far. */
  reset(): void;
  /** `performance.now()` when the first request since the last reset arrived. */
  firstArrival(): number | undefined;
  /** Stops the front and the emulator. */
  stop(): Promise<void>;
}

/** Starts `lib/emulator/mod.ts` of the checkout at `root` in a child process. */
export async function startEmulatorProcess(root: string): Promise<EmulatorProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1,localhost",
      "--config",
      `${root}/deno.json`,
      `${root}/lib/emulator/mod.ts`,
      "--port",
      "0",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("Press Ctrl+C")) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`the emulator did not start: ${text}`);
    text += chunk.value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  const env: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/^export (\w+)=(\S+)$/gm)) env[name] = value;
  const target = env.UP42_API_URL;
  const jobtasks = /data block (\S+), processing (\S+), zip results (\S+)/.exec(text)!;
  let first: number | undefined;
  const front = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    first ??= performance.now();
    const url = new URL(request.url);
    return fetch(`${target}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  });
  const url = `http://127.0.0.1:${front.addr.port}`;
  return {
    url,
    env: { ...env, UP42_API_URL: url },
    jobId: /^job: (\S+)$/m.exec(text)![1],
    jobtasks: { dataBlock: jobtasks[1], processing: jobtasks[2], zip: jobtasks[3] },
    reset: () => first = undefined,
    firstArrival: () => first,
    async stop() {
      await front.shutdown();
      child.kill();
      await child.status;
    },
  };
}
