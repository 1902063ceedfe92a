/**
 * What a storage response says of the object's size and the bytes it
 * carries, read the same way by the probe, the read-ahead of a byte range
 * and the resuming download, so that none of them accepts a header another
 * would refuse.
 *
 * @module
 */

/** A parsed `Content-Range`; what it gives as `*` is absent. */
export interface ContentRange {
  /** First byte carried. */
  start?: number;
  /** Last byte carried (inclusive). */
  end?: number;
  /** The object's size. */
  total?: number;
}

/**
 * The response's `Content-Range` (`bytes a-b/total`, with `*` for the
 * total when unknown, or for `a-b` when no range could be served), or
 * `undefined` when it has none or another form.
 *
 * @example
 * ```ts
 * import { contentRange } from "./lengths.ts";
 * const r = contentRange(new Response("", { headers: { "content-range": "bytes 3-4/5" } }));
 * if (r?.start !== 3 || r.end !== 4 || r.total !== 5) throw new Error();
 * if (contentRange(new Response("", { headers: { "content-range": "bytes *\/0" } }))?.total !== 0) throw new Error();
 * if (contentRange(new Response("")) !== undefined) throw new Error();
 * ```
 */
export function contentRange(response: Response): ContentRange | undefined {
  const match = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(
    response.headers.get("content-range") ?? "",
  );
  if (!match) return undefined;
  const number = (text: string | undefined) =>
    text === undefined || text === "*" ? undefined : Number(text);
  return { start: number(match[1]), end: number(match[2]), total: number(match[3]) };
}

/**
 * The length of the response's body (`Content-Length`, else cloud
 * storage's `x-goog-stored-content-length`), or `undefined`.
 *
 * @example
 * ```ts
 * import { lengthOf } from "./lengths.ts";
 * if (lengthOf(new Response("", { headers: { "content-length": "5" } })) !== 5) throw new Error();
 * ```
 */
export function lengthOf(response: Response): number | undefined {
  const header = response.headers.get("content-length") ??
    response.headers.get("x-goog-stored-content-length");
  if (header === null || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}
