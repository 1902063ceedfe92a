/**
 * Removal of secrets from text that may reach a message or a log: signed
 * URLs' queries, bearer tokens, Basic credentials, and any secret the
 * caller names (the current token, the project API key). Applied wherever
 * text from a server or a runtime error enters a message, because a server
 * may echo what it was sent.
 *
 * @module
 */

const SECRET_PATTERNS: [RegExp, string][] = [
  // A signed URL's query is a credential.
  [/(https?:\/\/[^\s?#)"'<>]*)[?#][^\s)"'<>]*/g, "$1?…"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 ***"],
  [
    /("?(?:access_?token|accessToken|refresh_?token|client_secret|api_?key|password)"?\s*[:=]\s*"?)[^\s",}&]+/gi,
    "$1***",
  ],
  // JSON Web Tokens, wherever they stand.
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "***"],
];

/**
 * `text` with URL queries, bearer/Basic credentials, token-like fields and
 * each of `secrets` (also in base64, as Basic auth carries them) replaced.
 *
 * @example
 * ```ts
 * import { redact } from "./redact.ts";
 * const text = redact("GET https://s.example/a.tgz?X-Goog-Signature=abc said Bearer abc.def key s3cret-key", ["s3cret-key"]);
 * if (text !== "GET https://s.example/a.tgz?… said Bearer *** key ***") throw new Error(text);
 * ```
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.replaceAll(secret, "***");
    const encoded = btoa(unescape(encodeURIComponent(secret)));
    if (encoded.length >= 8) out = out.replaceAll(encoded.replace(/=+$/, ""), "***");
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
