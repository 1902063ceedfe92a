/**
 * One byte range of the archive behind a signed URL, read before the
 * download itself: a zip's central directory sits at its end, and reading
 * it first tells what the archive declares it unpacks to (the way `unzip`
 * seeks to it). A server that ignores ranges answers with the whole object,
 * whose body is then cancelled unread.
 *
 * @module
 */
import { fetchWithRetry } from "../../client/fetch_retry.ts";
import { USER_AGENT } from "../../version.ts";
import { contentRange } from "./lengths.ts";
import type { ResumableOptions } from "./resumable.ts";

/**
 * The bytes `start` to `end` (inclusive) of `url` (no credentials are
 * sent), or `undefined` when the server does not answer with exactly that
 * range. Errors of the request are thrown as the download's would be.
 *
 * @example
 * ```ts
 * import { fetchRange } from "./range.ts";
 * await using server = Deno.serve({ port: 0, onListen() {} }, (req) =>
 *   req.headers.get("range") === "bytes=3-4"
 *     ? new Response("lo", { status: 206, headers: { "content-range": "bytes 3-4/5" } })
 *     : new Response("hello"));
 * const url = `http://localhost:${server.addr.port}/a`;
 * const bytes = await fetchRange(url, 3, 4);
 * if (new TextDecoder().decode(bytes) !== "lo") throw new Error();
 * if (await fetchRange(url, 0, 1) !== undefined) throw new Error();
 * ```
 */
export async function fetchRange(
  url: string,
  start: number,
  end: number,
  options: Omit<ResumableOptions, "maxResumes" | "from"> = {},
): Promise<Uint8Array | undefined> {
  const parsed = new URL(url);
  const response = await fetchWithRetry(url, {
    headers: {
      "user-agent": USER_AGENT,
      "accept-encoding": "identity",
      range: `bytes=${start}-${end}`,
    },
  }, {
    describe: { method: "GET", path: `${parsed.origin}${parsed.pathname}` },
    retry: options.retry,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
    onRetry: options.onRetry,
  });
  const range = contentRange(response);
  if (response.status !== 206 || range?.start !== start || range.end !== end) {
    await response.body?.cancel();
    return undefined;
  }
  // Read no more than the range asked for, whatever the body holds.
  const out = new Uint8Array(end - start + 1);
  let at = 0;
  const reader = response.body!.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (at + r.value.length > out.length) return undefined;
      out.set(r.value, at);
      at += r.value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return at === out.length ? out : undefined;
}
