/**
 * A local UP42 jobs API over real HTTP on loopback: project authentication,
 * jobtasks, results JSON, signed result downloads and quicklooks, with fault
 * injection. The default the demo and the tests run against.
 *
 * @module
 */
import { PermissionError } from "../errors.ts";
import { isPermissionFailure } from "../files/permission.ts";
import { createFaults, faultyBody } from "./faults.ts";
import { type SeededJob, seedJob } from "./seed/job.ts";
import { type MixedJob, seedMixedJob } from "./seed/mixed_job.ts";
import { createStorage } from "./storage.ts";
import type { EmulatedJobtask, Emulator, EmulatorOptions, EmulatorRequest } from "./types.ts";

const PROJECT_ID = "0b9e0a3c-9a4f-4a2e-8e57-6a1d5b3f2c10";
const PROJECT_API_KEY = "emulator-project-api-key-not-secret";

/**
 * Starts an emulator on 127.0.0.1 and returns its url, credentials and ids.
 *
 * @example
 * ```ts
 * import { startEmulator } from "@up42/jobtask/emulator";
 * const emulator = await startEmulator();
 * if (!emulator.url.startsWith("http://127.0.0.1:")) throw new Error();
 * await emulator.close();
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const faults = createFaults();
  const storage = createStorage(crypto.randomUUID(), faults);
  const jobs = new Map<string, Map<string, EmulatedJobtask>>();
  const signedUrls = new Map<string, string>();
  const tokens = new Map<string, { at: number; generation: number }>();
  const requests: EmulatorRequest[] = [];
  const lifetimeMs = (options.tokenLifetimeSeconds ?? 3600) * 1000;
  let quicklooksInFlight = 0;
  let maxQuicklooks = 0;

  const addJobtask = (jobId: string, task: EmulatedJobtask): Promise<void> => {
    if (!jobs.has(jobId)) jobs.set(jobId, new Map());
    jobs.get(jobId)!.set(task.info.id, task);
    if (task.results) {
      const key = `up42-results/${jobId}/${task.info.id}/results`;
      signedUrls.set(`${jobId}/${task.info.id}`, storage.put(key, task.results));
    }
    return Promise.resolve();
  };

  const handler = async (req: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    const url = new URL(req.url);
    const record: EmulatorRequest = {
      method: req.method,
      path: url.pathname,
      route: "unknown",
      authorization: req.headers.has("authorization"),
      range: req.headers.get("range"),
      userAgent: req.headers.get("user-agent"),
    };
    requests.push(record);
    if (url.pathname.startsWith("/storage/")) {
      record.route = "storage";
      return storage.handle(req, url);
    }
    if (url.pathname === "/oauth/token") {
      record.route = "token";
      return await issueToken(req);
    }
    record.route = "api";
    const unauthorized = checkToken(req);
    if (unauthorized) return unauthorized;
    const m = /^\/projects\/([^/]+)\/jobs\/([^/]+)\/tasks\/(?:([^/]+)\/(.*))?$/.exec(url.pathname);
    if (!m) return envelopeError(404, "NOT_FOUND", `no route ${req.method} ${url.pathname}`);
    if (m[1] !== PROJECT_ID) {
      return envelopeError(403, "FORBIDDEN", "the token does not grant access to this project");
    }
    if (/^\/outputs\/quicklooks\/[^/]+$/.test(`/${m[4]}`)) record.route = "quicklook";
    const injected = faults.take(record.route as "api" | "quicklook", ["status"]);
    if (injected) {
      return injected.html
        ? new Response(
          `<html><head><title>${injected.status}</title></head><body><h1>${injected.status} Bad Gateway</h1><p>upstream unavailable</p></body></html>`,
          {
            status: injected.status,
            headers: { "content-type": "text/html" },
          },
        )
        : envelopeError(injected.status, "INJECTED", "injected fault", injected.retryAfter);
    }
    const job = jobs.get(m[2]);
    if (!job) return envelopeError(404, "NOT_FOUND", `job ${m[2]} not found`);
    if (m[3] === undefined) return ok([...job.values()].map((t) => t.info));
    const task = job.get(m[3]);
    if (!task) return envelopeError(404, "NOT_FOUND", `jobtask ${m[3]} not found`);
    if (record.route === "quicklook") {
      quicklooksInFlight++;
      maxQuicklooks = Math.max(maxQuicklooks, quicklooksInFlight);
      // In flight until the body is sent (or the client goes away).
      const response = serveQuicklook(task, decodeURIComponent(m[4].split("/")[2]));
      info.completed.finally(() => quicklooksInFlight--).catch(() => {});
      return response;
    }
    switch (m[4]) {
      case "outputs/data-json/":
        if (!task.dataJson) return envelopeError(404, "NOT_FOUND", "this jobtask has no data.json");
        return Response.json(task.dataJson);
      case "downloads/results/": {
        const signed = signedUrls.get(`${m[2]}/${m[3]}`);
        if (!signed) return envelopeError(404, "NOT_FOUND", "this jobtask has no results");
        return ok({ url: `${url.origin}${signed}` });
      }
      case "outputs/quicklooks/":
        return ok((task.quicklooks ?? []).map((q) => q.id));
    }
    return envelopeError(404, "NOT_FOUND", `no route ${req.method} ${url.pathname}`);
  };

  const issueToken = async (req: Request): Promise<Response> => {
    const injected = faults.take("token", ["status"]);
    if (injected) {
      return envelopeError(injected.status, "INJECTED", "injected fault", injected.retryAfter);
    }
    const body = await req.text();
    const auth = req.headers.get("authorization") ?? "";
    const expected = `Basic ${btoa(`${PROJECT_ID}:${PROJECT_API_KEY}`)}`;
    if (
      req.method !== "POST" || new URLSearchParams(body).get("grant_type") !== "client_credentials"
    ) {
      return envelopeError(400, "INVALID_REQUEST", "expected grant_type=client_credentials");
    }
    if (auth !== expected) return envelopeError(401, "UNAUTHORIZED", "invalid client credentials");
    const token = `emu.${crypto.randomUUID()}`;
    tokens.set(token, { at: Date.now(), generation: faults.tokenGeneration });
    return Response.json({
      data: { accessToken: token },
      error: null,
      token_type: "bearer",
      expires_in: lifetimeMs / 1000,
    });
  };

  const checkToken = (req: Request): Response | undefined => {
    const m = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "");
    const issued = m ? tokens.get(m[1]) : undefined;
    if (issued === undefined) return envelopeError(401, "UNAUTHORIZED", "missing or unknown token");
    if (issued.generation < faults.tokenGeneration || Date.now() - issued.at > lifetimeMs) {
      return envelopeError(401, "UNAUTHORIZED", "token expired");
    }
  };

  const serveQuicklook = (task: EmulatedJobtask, id: string): Response => {
    const quicklook = task.quicklooks?.find((q) => q.id === id);
    if (!quicklook) return envelopeError(404, "NOT_FOUND", `quicklook ${id} not found`);
    const fault = faults.take("quicklook", ["cut", "slow"]);
    return new Response(faultyBody(quicklook.bytes, fault), {
      headers: {
        "content-type": quicklook.contentType,
        "content-length": `${quicklook.bytes.length}`,
      },
    });
  };

  const server = listen(options.port ?? 0, handler);
  const url = `http://127.0.0.1:${server.addr.port}`;
  let seeded: SeededJob | undefined;
  let mixed: MixedJob | undefined;
  if (options.seed !== false) {
    seeded = seedJob();
    mixed = seedMixedJob(seeded);
    for (const task of seeded.jobtasks) await addJobtask(seeded.jobId, task);
    for (const task of mixed.jobtasks) await addJobtask(mixed.jobId, task);
  }
  const close = () => server.shutdown();
  return {
    url,
    projectId: PROJECT_ID,
    projectApiKey: PROJECT_API_KEY,
    credentials: { apiUrl: url, projectId: PROJECT_ID, projectApiKey: PROJECT_API_KEY },
    jobId: seeded?.jobId ?? "",
    jobtasks: seeded?.ids ?? { dataBlock: "", processing: "", zip: "" },
    mixedJob: {
      jobId: mixed?.jobId ?? "",
      jobtasks: mixed?.ids ?? { dataBlock: "", processing: "", zip: "", damaged: "" },
    },
    faults,
    requests,
    maxConcurrentQuicklooks: () => maxQuicklooks,
    addJobtask,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function ok(data: unknown): Response {
  return Response.json({ data, error: null });
}

function envelopeError(
  status: number,
  code: string,
  message: string,
  retryAfter?: number,
): Response {
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined) headers["retry-after"] = `${retryAfter}`;
  return Response.json({ data: null, error: { code, message } }, { status, headers });
}

/** Serves on 127.0.0.1; without `--allow-net=127.0.0.1` a `PermissionError` naming it. */
function listen(port: number, handler: Deno.ServeHandler): Deno.HttpServer<Deno.NetAddr> {
  try {
    return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, handler);
  } catch (error) {
    if (!isPermissionFailure(error)) throw error;
    throw new PermissionError({
      flag: "--allow-net=127.0.0.1",
      why: `serving the UP42 emulator on 127.0.0.1:${port || "any port"}`,
    }, { cause: error });
  }
}
