/**
 * A results server that cannot be trusted: whatever it answers, messages
 * stay one bounded line without secrets.
 */
import assert from "node:assert/strict";
import { createContext, downloadResults, NetworkError, Up42ApiError } from "../../mod.ts";
import { caught } from "../support/errors.ts";
import { FAST_RETRY } from "../support/emulator.ts";

async function withServer(
  handler: (req: Request, origin: string) => Response | Promise<Response>,
  fn: (apiUrl: string) => Promise<void>,
) {
  let origin = "";
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => handler(req, origin),
  );
  origin = `http://127.0.0.1:${server.addr.port}`;
  await fn(origin);
}

const ids = { projectId: "p", token: "tok-secret-value", jobId: "j", jobtaskId: "t" };

Deno.test("server: a 5 MB signed URL gives a bounded one-line error", () =>
  withServer(
    (req, origin) => {
      if (new URL(req.url).pathname.endsWith("/downloads/results/")) {
        return Response.json({ data: { url: `${origin}/${"a".repeat(5_000_000)}?sig=secret` } });
      }
      return new Response("nope", { status: 404 });
    },
    async (apiUrl) => {
      const ctx = createContext({ apiUrl, ...ids, retry: { ...FAST_RETRY, retries: 1 } });
      const dir = await Deno.makeTempDir();
      try {
        const error = await caught(
          () => downloadResults(ctx, { outputDirectory: dir }),
          Up42ApiError,
        );
        assert.match(error.apiMessage, /download URL is 50000\d\d characters long/);
        assert.ok(error.message.length < 1000, `message of ${error.message.length} characters`);
        assert.ok(!error.message.includes("\n"));
        assert.ok(!error.message.includes("secret"));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  ));

Deno.test("server: CDN gateway errors from the storage are retried", () => {
  let storageCalls = 0;
  return withServer(
    (req, origin) => {
      const path = new URL(req.url).pathname;
      if (path.endsWith("/downloads/results/")) {
        return Response.json({ data: { url: `${origin}/storage/a.tgz?sig=1` } });
      }
      storageCalls++;
      return new Response("<html>A timeout occurred</html>", { status: 524 });
    },
    async (apiUrl) => {
      const ctx = createContext({ apiUrl, ...ids, retry: { ...FAST_RETRY, retries: 2 } });
      const error = await caught(
        () => downloadResults(ctx, { outputDirectory: "/nonexistent/x" }),
        Up42ApiError,
      );
      assert.deepEqual([error.status, error.attempts], [524, 3]);
      assert.equal(storageCalls, 3);
      assert.ok(!error.message.includes("sig=1"), "no signed query in the message");
    },
  );
});

Deno.test("server: a storage that never answers is a NetworkError naming its host", () =>
  withServer(
    (req, origin) => {
      if (new URL(req.url).pathname.endsWith("/downloads/results/")) {
        return Response.json({ data: { url: `http://127.0.0.1:1/${origin.length}` } });
      }
      return new Response("", { status: 404 });
    },
    async (apiUrl) => {
      const ctx = createContext({ apiUrl, ...ids, retry: { ...FAST_RETRY, retries: 1 } });
      const dir = await Deno.makeTempDir();
      try {
        const error = await caught(
          () => downloadResults(ctx, { outputDirectory: dir }),
          NetworkError,
        );
        assert.equal(error.host, "127.0.0.1:1");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  ));
