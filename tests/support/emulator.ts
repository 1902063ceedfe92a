/**
 * The emulator as the tests use it: one per test, contexts with fast
 * retries, results served from given bytes, and the env of a CLI process.
 *
 * @module
 */
import {
  createContext,
  DEFAULT_RETRY,
  type JobContext,
  type JobtaskContext,
  type RetryPolicy,
} from "../../mod.ts";
import { type Emulator, startEmulator } from "../../lib/emulator/mod.ts";
import { bytesOf, gzip, rawTar } from "./archives.ts";

/** Retries without long waits. */
export const FAST_RETRY: RetryPolicy = { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 50 };

/** Runs `fn` with a fresh emulator and a fresh temporary folder, both cleaned up after. */
export async function withEmulator(
  fn: (emulator: Emulator, dir: string) => Promise<void>,
): Promise<void> {
  const emulator = await startEmulator();
  const dir = await Deno.makeTempDir({ prefix: "up42-test-" });
  try {
    await fn(emulator, dir);
  } finally {
    await emulator.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A context for `jobtaskId` (default: the seeded processing jobtask), with fast retries. */
export function contextFor(
  emulator: Emulator,
  jobtaskId: string = emulator.jobtasks.processing,
  options: Parameters<typeof createContext>[0] = {},
): JobtaskContext {
  return createContext(
    {
      ...emulator.credentials,
      jobId: emulator.jobId,
      jobtaskId,
      retry: FAST_RETRY,
      timeoutMs: 5_000,
      ...options,
    } as Parameters<typeof createContext>[0] & { jobId: string; jobtaskId: string },
  );
}

/** Serves `bytes` as the results of a new jobtask and returns its context. */
export async function serveResults(
  emulator: Emulator,
  bytes: Uint8Array,
  filename = "output.tgz",
): Promise<JobtaskContext> {
  const id = `task-${crypto.randomUUID().slice(0, 8)}`;
  await emulator.addJobtask(emulator.jobId, {
    info: { id, name: "test:1", status: "SUCCEEDED" },
    results: { bytes, contentType: "application/octet-stream", filename },
  });
  return contextFor(emulator, id);
}

/** The environment of a process that talks to `emulator` (plus what Deno needs to run). */
export function emulatorEnv(emulator: Emulator): Record<string, string> {
  return {
    UP42_API_URL: emulator.url,
    UP42_PROJECT_ID: emulator.projectId,
    UP42_PROJECT_API_KEY: emulator.projectApiKey,
    ...denoEnv(),
  };
}

/**
 * What reaching the npm registry may need: a fresh project resolves its
 * packages there (certificates and proxies of this machine).
 */
const NETWORK_ENV = [
  "DENO_CERT",
  "DENO_TLS_CA_STORE",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
  "NPM_CONFIG_REGISTRY",
];

/** What a child Deno process needs from this one's environment (home, cache, registry access). */
export function denoEnv(): Record<string, string> {
  const home = Deno.env.get("HOME") ?? "/tmp";
  const network = NETWORK_ENV.flatMap((name) => {
    const value = Deno.env.get(name);
    return value === undefined ? [] : [[name, value]];
  });
  return {
    ...Object.fromEntries(network),
    HOME: home,
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    NO_COLOR: "1",
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export function unusedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A job context for `jobId` (default: the seeded job), with fast retries. */
export function jobContextFor(
  emulator: Emulator,
  jobId: string = emulator.jobId,
  options: Parameters<typeof createContext>[0] = {},
): JobContext {
  return createContext(
    {
      ...emulator.credentials,
      jobId,
      retry: FAST_RETRY,
      timeoutMs: 5_000,
      ...options,
    } as Parameters<typeof createContext>[0] & { jobId: string },
  );
}

/**
 * Adds a job of `count` jobtasks, each with a small `.tgz` of its own
 * (a `data.json` and a file naming the jobtask), and returns its id and
 * the jobtask ids in the API's order.
 */
export async function serveJob(
  emulator: Emulator,
  count: number,
): Promise<{ jobId: string; jobtaskIds: string[] }> {
  const jobId = `job-${crypto.randomUUID().slice(0, 8)}`;
  const jobtaskIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `task-${i}-${crypto.randomUUID().slice(0, 8)}`;
    const tar = rawTar([
      { name: "output/data.json", body: bytesOf('{"type":"FeatureCollection","features":[]}') },
      { name: "output/which.txt", body: bytesOf(id) },
    ]);
    await emulator.addJobtask(jobId, {
      info: { id, name: `block-${i}:1`, status: "SUCCEEDED" },
      dataJson: { type: "FeatureCollection", features: [] },
      results: { bytes: await gzip(tar), contentType: "application/gzip", filename: "output.tgz" },
    });
    jobtaskIds.push(id);
  }
  return { jobId, jobtaskIds };
}
