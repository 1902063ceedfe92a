import assert from "node:assert/strict";
import { DEFAULT_RETRY } from "../../mod.ts";
import { retryDelay } from "../../lib/client/retry_policy.ts";
import { fetchWithRetry } from "../../lib/client/fetch_retry.ts";
import { redact } from "../../lib/client/redact.ts";
import { excerptText } from "../../lib/client/error_body.ts";

Deno.test("retry policy: delays grow, stay within the window and the cap; Retry-After wins", () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
  for (let attempt = 1; attempt <= 6; attempt++) {
    const window = Math.min(1000, 100 * 2 ** (attempt - 1));
    assert.equal(retryDelay(policy, attempt, null, () => 0), window / 2);
    assert.equal(retryDelay(policy, attempt, null, () => 1), window);
  }
  assert.equal(retryDelay(policy, 1, "0.5"), 500);
  assert.equal(retryDelay(policy, 1, "86400"), 1000, "capped");
  const date = new Date(Date.now() + 300).toUTCString();
  assert.ok(retryDelay(policy, 1, date) <= 1000);
  assert.equal(retryDelay(policy, 1, "soon", () => 0), 50, "an unreadable Retry-After is ignored");
});

Deno.test("retry policy: what is retried by default", () => {
  for (const status of [408, 429, 500, 502, 503, 504, 520, 522, 524]) {
    assert.ok(DEFAULT_RETRY.statuses.includes(status), `${status} is retried`);
  }
  for (const status of [400, 401, 403, 404, 409, 501, 505]) {
    assert.ok(!DEFAULT_RETRY.statuses.includes(status), `${status} is not retried`);
  }
});

Deno.test("fetch loop: an abort during a backoff ends the wait at once", async () => {
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("busy", { status: 503, headers: { "retry-after": "30" } }),
  );
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException("stop", "AbortError")), 100);
  const started = Date.now();
  await assert.rejects(
    () =>
      fetchWithRetry(`http://127.0.0.1:${server.addr.port}/`, {}, {
        describe: { method: "GET", path: "/" },
        retry: { ...DEFAULT_RETRY, maxDelayMs: 30_000, maxElapsedMs: 60_000 },
        signal: controller.signal,
      }),
    DOMException,
  );
  assert.ok(Date.now() - started < 2000);
});

Deno.test("redaction: signed URLs, bearer and Basic credentials, tokens and named secrets", () => {
  const text = redact(
    'GET https://s.example/a.tgz?X-Goog-Signature=abc failed; Authorization: Basic dXNlcjpwYXNz, Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig, {"access_token":"abc123"} key=k-12345 and k-12345',
    ["k-12345"],
  );
  for (const secret of ["X-Goog-Signature", "dXNlcjpwYXNz", "eyJhbGci", "abc123", "k-12345"]) {
    assert.ok(!text.includes(secret), `${secret} in ${text}`);
  }
});

Deno.test("error bodies: the envelope's message, or tag-free text, bounded", () => {
  assert.equal(
    excerptText('{"data":null,"error":{"code":"X","message":"no such job"}}'),
    "no such job",
  );
  assert.equal(excerptText("<p>upstream <b>down</b></p>"), "upstream down");
  const long = excerptText("x".repeat(10_000));
  assert.ok(long.length <= 161);
  assert.equal(excerptText("", { fallback: "Bad Gateway" }), "Bad Gateway");
});
