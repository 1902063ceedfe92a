/**
 * Error bodies turned into one short line: the API's own message when the
 * body is UP42's `{ data, error }` envelope, else the text with HTML tags
 * removed, secrets redacted and the length bounded.
 *
 * @module
 */
import { redact } from "./redact.ts";

/** Most of an error body that is read: an error page is short; a hostile one is cut here. */
const MAX_ERROR_BODY = 64 * 1024;

/** Longest wait for an error body; a stalling error page must not hang the call. */
const ERROR_BODY_TIMEOUT_MS = 10_000;

/**
 * A short one-line excerpt of an error response's body; the body is read
 * (at most 64 KiB of it, for at most 10 s) and then cancelled. `secrets`
 * are redacted.
 *
 * @example
 * ```ts
 * import { excerpt } from "./error_body.ts";
 * const text = await excerpt(new Response("<html><h1>502 Bad Gateway</h1></html>"));
 * if (text !== "502 Bad Gateway") throw new Error(text);
 * ```
 */
export async function excerpt(
  response: Response,
  secrets: readonly (string | undefined)[] = [],
): Promise<string> {
  return excerptText(await readErrorBody(response), { fallback: response.statusText, secrets });
}

/**
 * The start of an error response's body as text (at most 64 KiB, read for
 * at most 10 s; "" when it cannot be read); the rest is cancelled.
 *
 * @example
 * ```ts
 * import { readErrorBody } from "./error_body.ts";
 * if (await readErrorBody(new Response("oops")) !== "oops") throw new Error();
 * ```
 */
export async function readErrorBody(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const pieces: Uint8Array[] = [];
  let length = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ERROR_BODY_TIMEOUT_MS);
  });
  try {
    while (length < MAX_ERROR_BODY) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === "late" || next.done) break;
      pieces.push(next.value);
      length += next.value.length;
    }
  } catch {
    // A body that breaks off still gives what arrived.
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(length);
  pieces.reduce((at, piece) => (bytes.set(piece, at), at + piece.length), 0);
  return new TextDecoder().decode(bytes.subarray(0, MAX_ERROR_BODY));
}

/**
 * {@linkcode excerpt} of a body already read as `text`; `fallback` (e.g. the
 * status text) stands for an empty body.
 *
 * @example
 * ```ts
 * import { excerptText } from "./error_body.ts";
 * if (excerptText("<p>upstream   down</p>") !== "upstream down") throw new Error();
 * ```
 */
export function excerptText(
  text: string,
  options: { fallback?: string; max?: number; secrets?: readonly (string | undefined)[] } = {},
): string {
  const max = options.max ?? 160;
  const api = apiErrorOf(text);
  const plain = api?.message ??
    text.slice(0, MAX_ERROR_BODY).replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
      .replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  if (!plain) return options.fallback || "empty body";
  const clean = redact(plain, options.secrets);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * The `{ code, message }` of an UP42 error envelope in `text`, if it is one.
 *
 * @example
 * ```ts
 * import { apiErrorOf } from "./error_body.ts";
 * const e = apiErrorOf('{"data":null,"error":{"code":"NOT_FOUND","message":"no such job"}}');
 * if (e?.code !== "NOT_FOUND" || e.message !== "no such job") throw new Error();
 * ```
 */
export function apiErrorOf(text: string): { code?: string; message: string } | undefined {
  if (text.length > MAX_ERROR_BODY) return undefined;
  try {
    return apiErrorOfBody(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * {@linkcode apiErrorOf} of a body already parsed from JSON.
 *
 * @example
 * ```ts
 * import { apiErrorOfBody } from "./error_body.ts";
 * if (apiErrorOfBody({ data: null, error: "quota exceeded" })?.message !== "quota exceeded") throw new Error();
 * ```
 */
export function apiErrorOfBody(body: unknown): { code?: string; message: string } | undefined {
  if (!body || typeof body !== "object" || !("error" in body)) return undefined;
  const error = (body as { error: unknown }).error;
  if (!error) return undefined;
  if (typeof error === "string") return { message: error.split("\n")[0].slice(0, 300) };
  if (typeof error === "object") {
    const e = error as { code?: unknown; message?: unknown; details?: unknown };
    const message = typeof e.message === "string"
      ? e.message
      : typeof e.details === "string"
      ? e.details
      : JSON.stringify(error);
    return {
      code: typeof e.code === "string" || typeof e.code === "number"
        ? String(e.code).slice(0, 60)
        : undefined,
      message: message.split("\n")[0].slice(0, 300),
    };
  }
  return { message: String(error).slice(0, 300) };
}
