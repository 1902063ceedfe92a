/**
 * An edge/serverless function serving UP42 job task results, built only on
 * the module's in-memory functions: no file system at all.
 *
 * ```sh
 * deno run --allow-net=api.up42.com,storage.googleapis.com \
 *   --allow-env=UP42_PROJECT_ID,UP42_PROJECT_API_KEY,UP42_API_URL,PORT examples/edge.ts
 * ```
 *
 * Routes, for a job and one of its jobtasks:
 * - `GET /jobs/{jobId}/jobtasks/{jobtaskId}/quicklook.png`: the first quicklook, as PNG
 * - `GET /jobs/{jobId}/jobtasks/{jobtaskId}/plot.png`: the results plotted
 * - `GET /jobs/{jobId}/jobtasks/{jobtaskId}/map.html`: the results on a map
 * - `GET /jobs/{jobId}/jobtasks/{jobtaskId}/results.json`: the results FeatureCollection
 *
 * @module
 */
import {
  ConfigError,
  createContext,
  getResultsJson,
  listQuicklooks,
  readQuicklook,
  readResults,
  Up42ApiError,
  type Up42Context,
  Up42Error,
  withJobtask,
} from "@up42/jobtask";
import { mapResults } from "@up42/jobtask/map";
import { plotResults } from "@up42/jobtask/plot";

const ROUTE =
  /^\/jobs\/([^/]+)\/jobtasks\/([^/]+)\/(quicklook\.png|plot\.png|map\.html|results\.json)$/;

/**
 * Answers one request. The project context (and its cached token) is shared
 * by all requests; each request points it at its own job and jobtask.
 *
 * @example
 * ```ts ignore
 * import { createContext } from "@up42/jobtask";
 * const handler = createHandler(createContext());
 * const res = await handler(new Request("http://x/jobs/j/jobtasks/t/results.json"));
 * ```
 */
export function createHandler(project: Up42Context): (request: Request) => Promise<Response> {
  return async (request) => {
    const match = ROUTE.exec(new URL(request.url).pathname);
    if (request.method !== "GET" || !match) {
      return problem(
        404,
        "not found: use GET /jobs/{jobId}/jobtasks/{jobtaskId}/{quicklook.png|plot.png|map.html|results.json}",
      );
    }
    try {
      const ctx = withJobtask(project, {
        jobId: decodeURIComponent(match[1]),
        jobtaskId: decodeURIComponent(match[2]),
      });
      const signal = request.signal;
      switch (match[3]) {
        case "results.json":
          return Response.json(await getResultsJson(ctx, { signal }));
        case "quicklook.png": {
          const [first] = await listQuicklooks(ctx, { signal });
          if (!first) return problem(404, "this jobtask has no quicklooks");
          const quicklook = await readQuicklook(ctx, first, { signal, asPng: true });
          return new Response(quicklook.bytes, { headers: { "content-type": "image/png" } });
        }
        case "plot.png": {
          const plot = await plotResults({ filepaths: await readResults(ctx, { signal }) });
          return new Response(plot.png, { headers: { "content-type": "image/png" } });
        }
        default: {
          const map = await mapResults({ filepaths: await readResults(ctx, { signal }) });
          return new Response(map.html, {
            headers: { "content-type": "text/html; charset=utf-8" },
          });
        }
      }
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** Maps a failure to a status: our own bad input 400, UP42's 404 404, any other UP42 failure 502. */
function errorResponse(error: unknown): Response {
  if (error instanceof ConfigError) return problem(400, error.message);
  if (error instanceof Up42ApiError) {
    return problem(error.status === 404 ? 404 : 502, error.message);
  }
  if (error instanceof Up42Error) return problem(502, error.message);
  console.error(error);
  return problem(500, "internal error");
}

function problem(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

if (import.meta.main) {
  const port = Number(Deno.env.get("PORT") ?? 8000);
  Deno.serve({ port, hostname: "127.0.0.1" }, createHandler(createContext()));
}
