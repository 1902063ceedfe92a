/**
 * What the storage says about a results archive without downloading it: a
 * one-byte `Range` request answers with the object's size (in
 * `Content-Range`), its `x-goog-hash` and its ETag, for the price of one
 * round trip. A `HEAD` request would do too, but signed URLs are signed for
 * one method, and UP42's are signed for `GET`.
 *
 * @module
 */
import { excerpt } from "../../client/error_body.ts";
import { fetchWithRetry } from "../../client/fetch_retry.ts";
import { Up42ApiError } from "../../errors.ts";
import { USER_AGENT } from "../../version.ts";
import { contentRange, lengthOf } from "./lengths.ts";
import type { ResumableOptions } from "./resumable.ts";

/** What a probe learnt about an object. */
export interface ObjectProbe {
  /** The object's size, when the answer told it. */
  totalBytes?: number;
  /** The `x-goog-hash` header, when sent. */
  googHash: string | null;
  /** The `ETag` header, when sent. */
  etag: string | null;
}

/**
 * Asks the storage for the first byte of `url` (no credentials are sent)
 * and returns the object's size, hash and ETag. A server that ignores the
 * range answers with the whole object, whose body is then cancelled unread.
 *
 * @example
 * ```ts
 * import { probeObject } from "./probe.ts";
 * await using server = Deno.serve({ port: 0, onListen() {} }, (req) =>
 *   req.headers.get("range") === "bytes=0-0"
 *     ? new Response("h", { status: 206, headers: { "content-range": "bytes 0-0/5", "x-goog-hash": "crc32c=AAAAAA==" } })
 *     : new Response("hello"));
 * const probe = await probeObject(`http://localhost:${server.addr.port}/a`);
 * if (probe.totalBytes !== 5 || probe.googHash !== "crc32c=AAAAAA==") throw new Error();
 * ```
 */
export async function probeObject(
  url: string,
  options: Omit<ResumableOptions, "maxResumes" | "from"> = {},
): Promise<ObjectProbe> {
  const parsed = new URL(url);
  const describe = { method: "GET", path: `${parsed.origin}${parsed.pathname}` };
  const response = await fetchWithRetry(url, {
    headers: { "user-agent": USER_AGENT, "accept-encoding": "identity", range: "bytes=0-0" },
  }, {
    describe,
    retry: options.retry,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
    onRetry: options.onRetry,
  });
  const headers = response.headers;
  const found = { googHash: headers.get("x-goog-hash"), etag: headers.get("etag") };
  if (response.status === 206 || response.status === 416) {
    await response.body?.cancel();
    // 416: an empty object has no first byte; its Content-Range is `bytes */0`.
    return { ...found, totalBytes: contentRange(response)?.total };
  }
  if (response.status === 200) {
    await response.body?.cancel();
    return { ...found, totalBytes: lengthOf(response) };
  }
  throw new Up42ApiError({
    ...describe,
    status: response.status,
    message: await excerpt(response),
    hint: "the signed download URL may have expired; start the download again",
  });
}
