/**
 * Where a jobtask's results archive is: the API hands out a signed URL to
 * the storage, which is its own credential (it is never logged or quoted).
 *
 * @module
 */
import { jobtaskPath } from "../../client/ids.ts";
import { request } from "../../client/request.ts";
import type { JobtaskContext } from "../../client/types.ts";
import { Up42ApiError } from "../../errors.ts";

/** Longest signed URL accepted: real ones are a few hundred characters to a few KB. */
const MAX_URL_LENGTH = 16 * 1024;

/**
 * The signed URL of the jobtask's results archive
 * (GET `.../tasks/{t}/downloads/results/`); an answer without one, or with
 * an implausibly long one, is an `Up42ApiError`.
 *
 * @example
 * ```ts
 * import { resultsUrl } from "./signed_url.ts";
 * import { createContext } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * if (!(await resultsUrl(ctx)).startsWith("http")) throw new Error();
 * ```
 */
export async function resultsUrl(
  ctx: JobtaskContext,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const path = jobtaskPath(ctx, "downloads", "results", "");
  const answer = await request<unknown>(ctx, path, { signal: options.signal });
  const url = typeof answer === "string" ? answer : (answer as { url?: unknown } | null)?.url;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
    throw new Up42ApiError({ method: "GET", path, status: 200, message: "no download URL" });
  }
  if (url.length > MAX_URL_LENGTH) {
    throw new Up42ApiError({
      method: "GET",
      path,
      status: 200,
      message: `the download URL is ${url.length} characters long, more than ${MAX_URL_LENGTH}`,
      hint: "report it to UP42 support",
    });
  }
  return url;
}
