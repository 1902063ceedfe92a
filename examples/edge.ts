/**
 * An edge/serverless function serving UP42 job task results, built only on
 * the module's in-memory functions: no file system at all. Deploy it with
 * `deno serve` (its default export has `fetch`) or run it with `deno run`:
 *
 * ```sh
 * deno serve --host 0.0.0.0 --port 8000 --allow-net=api.up42.com,storage.googleapis.com \
 *   --allow-env=UP42_PROJECT_ID,UP42_PROJECT_API_KEY,UP42_API_URL examples/edge.ts
 * deno run --allow-net=api.up42.com,storage.googleapis.com,127.0.0.1 \
 *   --allow-env=UP42_PROJECT_ID,UP42_PROJECT_API_KEY,UP42_API_URL,HOST,PORT examples/edge.ts
 * ```
 *
 * Under `deno run` it listens on `HOST` (default `127.0.0.1`) and `PORT`
 * (default `8000`); Deno then also prints a hint that `deno serve` would
 * work, which it does.
 *
 * Routes (GET or HEAD), for a job and one of its jobtasks:
 * - `/jobs/{jobId}/jobtasks/{jobtaskId}/quicklook.png`: the first quicklook, as PNG
 * - `/jobs/{jobId}/jobtasks/{jobtaskId}/plot.png?bands=&stretch=&cmap=`: the results plotted
 * - `/jobs/{jobId}/jobtasks/{jobtaskId}/map.html?bands=&stretch=&cmap=`: the results on a map
 * - `/jobs/{jobId}/jobtasks/{jobtaskId}/results.json`: the results FeatureCollection
 *
 * Every answer is made once and then served from a bounded in-memory cache
 * (least recently used first out) keyed by jobtask, route and options, with
 * a strong `ETag` (a repeat with `If-None-Match` gets 304) and
 * `Cache-Control`, so that a CDN in front of it or the browser keeps it too.
 * Requests for an answer still being made wait for that one.
 *
 * @module
 */
import { LRUCache } from "lru-cache";
import {
  ConfigError,
  createContext,
  getResultsJson,
  type JobtaskContext,
  listQuicklooks,
  readQuicklook,
  readResults,
  Up42ApiError,
  type Up42Context,
  Up42Error,
  withJobtask,
} from "@up42/jobtask";

/** Options of {@linkcode createHandler}, with their defaults in {@linkcode EDGE_DEFAULTS}. */
export interface EdgeOptions {
  /** Bytes of answers kept in memory; the least recently used go first. */
  cacheBytes?: number;
  /** How long a cached answer is served before it is made again, in ms. */
  cacheTtlMs?: number;
  /** `Cache-Control: max-age` for browsers and CDNs, in seconds. */
  maxAgeSeconds?: number;
}

/** The defaults: 64 MiB of answers, each kept 10 minutes, cacheable for 5 minutes downstream. */
export const EDGE_DEFAULTS: Required<EdgeOptions> = {
  cacheBytes: 64 * 1024 * 1024,
  cacheTtlMs: 10 * 60 * 1000,
  maxAgeSeconds: 300,
};

const ROUTE =
  /^\/jobs\/([^/]+)\/jobtasks\/([^/]+)\/(quicklook\.png|plot\.png|map\.html|results\.json)$/;
const USAGE =
  "GET /jobs/{jobId}/jobtasks/{jobtaskId}/{quicklook.png|plot.png|map.html|results.json}";

/** The query parameters each route takes. */
const PARAMETERS: Record<string, string[]> = {
  "quicklook.png": [],
  "plot.png": ["bands", "stretch", "cmap"],
  "map.html": ["bands", "stretch", "cmap"],
  "results.json": [],
};

/** An answer as cached: its bytes and the headers that describe them. */
interface Answer {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** What one request asks for, parsed. */
interface Ask {
  ctx: JobtaskContext;
  file: string;
  bands?: number[];
  stretch?: string;
  cmap?: string;
}

/**
 * Answers one request. The project context (and its cached token) is shared
 * by all requests; each request points it at its own job and jobtask.
 *
 * @example
 * ```ts ignore
 * import { createContext } from "@up42/jobtask";
 * const handler = createHandler(createContext(), { cacheBytes: 16 * 1024 * 1024 });
 * const res = await handler(new Request("http://x/jobs/j/jobtasks/t/results.json"));
 * ```
 */
export function createHandler(
  project: Up42Context,
  options: EdgeOptions = {},
): (request: Request) => Promise<Response> {
  const policy = { ...EDGE_DEFAULTS, ...options };
  const cacheControl = `public, max-age=${policy.maxAgeSeconds}`;
  // lru-cache bounds the cache by bytes and lets concurrent requests for an
  // answer being made share that one making (its fetchMethod).
  const cache = new LRUCache<string, Answer, Ask>({
    maxSize: policy.cacheBytes,
    sizeCalculation: (answer) => Math.max(1, answer.body.length),
    ttl: policy.cacheTtlMs,
    fetchMethod: (_key, _stale, { context }) => make(context),
  });
  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return problem(405, `method ${request.method} not allowed: use ${USAGE}`, {
        allow: "GET, HEAD",
      });
    }
    const url = new URL(request.url);
    const match = ROUTE.exec(url.pathname);
    if (!match) return problem(404, `not found: use ${USAGE}`);
    try {
      const ask = parseAsk(project, match, url.searchParams);
      const answer = await cache.fetch(keyOf(ask), { context: ask });
      if (!answer) throw new Error("the cache returned no answer");
      const headers = { etag: answer.etag, "cache-control": cacheControl };
      if (matches(request.headers.get("if-none-match"), answer.etag)) {
        return new Response(null, { status: 304, headers });
      }
      return new Response(request.method === "HEAD" ? null : answer.body, {
        headers: {
          ...headers,
          "content-type": answer.type,
          "content-length": `${answer.body.length}`,
        },
      });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** The request's jobtask (ids validated), route and options; bad ones are a ConfigError (400). */
function parseAsk(project: Up42Context, match: RegExpExecArray, query: URLSearchParams): Ask {
  const file = match[3];
  const ctx = withJobtask(project, { jobId: decoded(match[1]), jobtaskId: decoded(match[2]) });
  for (const name of query.keys()) {
    if (!PARAMETERS[file].includes(name)) {
      throw new ConfigError({
        setting: name,
        problem: `${file} takes no parameter ${JSON.stringify(name.slice(0, 40))}`,
        fix: PARAMETERS[file].length ? `use ${PARAMETERS[file].join(", ")}` : "remove it",
      });
    }
  }
  const bands = query.get("bands");
  const stretch = query.get("stretch");
  const cmap = query.get("cmap");
  return {
    ctx,
    file,
    bands: bands === null ? undefined : parseBands(bands),
    stretch: stretch?.trim(),
    cmap: cmap ?? undefined,
  };
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ConfigError({
      setting: "path",
      problem: "the path is not valid percent-encoding",
      fix: `use ${USAGE}`,
    });
  }
}

function parseBands(text: string): number[] {
  const bands = text.split(",").map((b) => Number(b.trim()));
  if (!bands.every((b) => Number.isInteger(b) && b >= 1)) {
    throw new ConfigError({
      setting: "bands",
      problem: `bands ${JSON.stringify(text.slice(0, 40))} are not band numbers`,
      fix: "use e.g. bands=4,3,2 or bands=1",
    });
  }
  return bands;
}

/** The cache key: the same jobtask, route and options give the same key, in any order. */
function keyOf(ask: Ask): string {
  const { ctx, file, bands, stretch, cmap } = ask;
  return JSON.stringify([ctx.jobId, ctx.jobtaskId, file, bands, stretch, cmap]);
}

async function make(ask: Ask): Promise<Answer> {
  const ctx = ask.ctx;
  switch (ask.file) {
    case "results.json":
      return await answer(JSON.stringify(await getResultsJson(ctx)), "application/json");
    case "quicklook.png": {
      const [first] = await listQuicklooks(ctx);
      if (!first) throw new NotFound("this jobtask has no quicklooks");
      return await answer((await readQuicklook(ctx, first, { asPng: true })).bytes, "image/png");
    }
    case "plot.png": {
      const { plotResults } = await import("@up42/jobtask/plot");
      const render = await renderOptions(ask);
      const plot = await plotResults({ filepaths: await readResults(ctx), ...render });
      return await answer(plot.png, "image/png");
    }
    default: {
      const { mapResults } = await import("@up42/jobtask/map");
      const render = await renderOptions(ask);
      const map = await mapResults({ filepaths: await readResults(ctx), ...render });
      return await answer(map.html, "text/html; charset=utf-8");
    }
  }
}

/**
 * The rendering options of a plot or map. Rendering code is imported when
 * first needed, so that the function starts (and answers results.json) fast.
 */
async function renderOptions(ask: Ask) {
  const { parseStretch } = await import("@up42/jobtask/raster");
  return {
    bands: ask.bands,
    stretch: ask.stretch === undefined ? undefined : parseStretch(ask.stretch),
    cmap: ask.cmap,
  };
}

/** An answer with its strong ETag: a hash of exactly these bytes. */
async function answer(content: string | Uint8Array, type: string): Promise<Answer> {
  const body = typeof content === "string"
    ? new TextEncoder().encode(content)
    : new Uint8Array(content);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const etag = `"${
    btoa(String.fromCharCode(...digest.subarray(0, 18))).replace(/\+/g, "-").replace(/\//g, "_")
  }"`;
  return { body, type, etag };
}

/** Whether an `If-None-Match` header names `etag` (or `*`). */
function matches(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

class NotFound extends Error {}

/** Maps a failure to a status: our own bad input 400, UP42's 404 404, any other UP42 failure 502. */
function errorResponse(error: unknown): Response {
  if (error instanceof NotFound) return problem(404, error.message);
  if (error instanceof ConfigError) return problem(400, error.message);
  if (error instanceof Up42ApiError) {
    return problem(error.status === 404 ? 404 : 502, error.message);
  }
  if (error instanceof Up42Error) return problem(502, error.message);
  console.error(error);
  return problem(500, "internal error");
}

function problem(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: message }, {
    status,
    headers: { "cache-control": "no-store", ...headers },
  });
}

function listening(addr: Deno.Addr): void {
  const { hostname, port } = addr as Deno.NetAddr;
  console.log(`listening on http://${hostname}:${port}/`);
}

let handler: ((request: Request) => Promise<Response>) | undefined;
let serving = false;

/** Made on first use, so that importing this module reads no environment. */
function shared(): (request: Request) => Promise<Response> {
  return handler ??= createHandler(createContext());
}

/** What `deno serve` runs. */
export default {
  fetch: (request) => shared()(request),
  onListen(addr) {
    serving = true;
    listening(addr);
  },
} satisfies Deno.ServeDefaultExport;

if (import.meta.main) {
  shared(); // missing credentials fail here, at start, not at the first request
  // `deno serve` has started listening (onListen) before any timer runs; `deno run` has not.
  setTimeout(() => {
    if (serving) return;
    const hostname = Deno.env.get("HOST") ?? "127.0.0.1";
    const port = Number(Deno.env.get("PORT") ?? 8000);
    Deno.serve({
      hostname,
      port,
      onListen: listening,
    }, shared());
  }, 0);
}
