import assert from "node:assert/strict";
import {
  AuthError,
  createContext,
  listJobtasks,
  NetworkError,
  PermissionError,
  type RetryEvent,
  Up42ApiError,
} from "../../mod.ts";
import { request } from "../../lib/client/request.ts";
import { caught } from "../support/errors.ts";
import { contextFor, denoEnv, FAST_RETRY, unusedPort, withEmulator } from "../support/emulator.ts";

Deno.test("request: project credentials, a token request, the module's user agent", () =>
  withEmulator(async (emulator) => {
    const tasks = await listJobtasks(contextFor(emulator));
    assert.deepEqual(tasks.map((t) => t.id).sort(), Object.values(emulator.jobtasks).sort());
    assert.equal(emulator.requests.find((r) => r.route === "token")?.method, "POST");
    assert.match(
      emulator.requests.find((r) => r.route === "api")?.userAgent ?? "",
      /^@up42\/jobtask\//,
    );
  }));

Deno.test("request: an unknown job gives the API's envelope as fields", () =>
  withEmulator(async (emulator) => {
    const ctx = createContext({ ...emulator.credentials, jobId: "no-such-job", retry: FAST_RETRY });
    const error = await caught(() => listJobtasks(ctx), Up42ApiError);
    assert.deepEqual([error.status, error.code, error.method], [404, "NOT_FOUND", "GET"]);
    assert.ok(error.path.endsWith("/jobs/no-such-job/tasks/"), error.path);
    assert.equal(error.apiMessage, "job no-such-job not found");
  }));

Deno.test("request: an expired token is renewed once on 401", () =>
  withEmulator(async (emulator) => {
    const ctx = contextFor(emulator);
    await listJobtasks(ctx);
    emulator.faults.expireTokens();
    await listJobtasks(ctx);
    assert.equal(emulator.requests.filter((r) => r.route === "token").length, 2);
  }));

Deno.test("request: an issued token is used as it is; a refused one is an AuthError without it", () =>
  withEmulator(async (emulator) => {
    const ctx = createContext({
      apiUrl: emulator.url,
      projectId: emulator.projectId,
      token: "not-a-valid-token",
      jobId: emulator.jobId,
    });
    const error = await caught(() => listJobtasks(ctx), AuthError);
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes("not-a-valid-token"));
  }));

Deno.test("request: 429 with Retry-After, 5xx and CDN 52x are retried, each reported", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 429, retryAfter: 0 });
    emulator.faults.inject({ kind: "status", route: "api", status: 503 });
    emulator.faults.inject({ kind: "status", route: "api", status: 524 });
    emulator.faults.inject({ kind: "status", route: "token", status: 502 });
    const events: RetryEvent[] = [];
    const tasks = await listJobtasks(
      contextFor(emulator, undefined, { onRetry: (e) => events.push(e) }),
    );
    assert.equal(tasks.length, 3);
    assert.equal(emulator.requests.filter((r) => r.route === "api").length, 4);
    assert.equal(emulator.requests.filter((r) => r.route === "token").length, 2);
    assert.deepEqual(events.map((e) => e.status), [502, 429, 503, 524]);
    assert.equal(events[0].path, "/oauth/token");
    assert.equal(events[1].delayMs, 0, "Retry-After: 0 is honoured");
  }));

Deno.test("request: Retry-After is honoured up to maxDelayMs", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 429, retryAfter: 1 });
    const started = Date.now();
    await listJobtasks(
      contextFor(emulator, undefined, { retry: { ...FAST_RETRY, maxDelayMs: 5000 } }),
    );
    assert.ok(Date.now() - started >= 950, "waited for Retry-After");
  }));

Deno.test("request: a spent retry budget is an Up42ApiError with the attempts", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 503, times: 10 });
    const ctx = contextFor(emulator, undefined, { retry: { ...FAST_RETRY, retries: 2 } });
    const error = await caught(() => listJobtasks(ctx), Up42ApiError);
    assert.deepEqual([error.status, error.attempts], [503, 3]);
    assert.equal(emulator.requests.filter((r) => r.route === "api").length, 3);
  }));

Deno.test("request: an HTML error page gives its status and a tag-free excerpt", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 502, html: true, times: 10 });
    const ctx = contextFor(emulator, undefined, { retry: { ...FAST_RETRY, retries: 1 } });
    const error = await caught(() => listJobtasks(ctx), Up42ApiError);
    assert.equal(error.status, 502);
    assert.equal(error.apiMessage, "502 502 Bad Gateway upstream unavailable");
  }));

Deno.test("request: wrong credentials are an AuthError naming the env variables, without the key", () =>
  withEmulator(async (emulator) => {
    const ctx = contextFor(emulator, undefined, { projectApiKey: "wrong-key-12345" });
    const error = await caught(() => listJobtasks(ctx), AuthError);
    assert.equal(error.status, 401);
    assert.match(error.hint ?? "", /UP42_PROJECT_API_KEY/);
    assert.ok(!error.message.includes("wrong-key-12345"));
  }));

Deno.test("request: no answer is a NetworkError naming the host, after the retries", async () => {
  const port = unusedPort();
  const ctx = createContext({
    apiUrl: `http://127.0.0.1:${port}`,
    projectId: "p",
    token: "t",
    jobId: "j",
    retry: { ...FAST_RETRY, retries: 1 },
  });
  const events: RetryEvent[] = [];
  const error = await caught(
    () => listJobtasks(createContext({ ...ctxOptions(ctx), onRetry: (e) => events.push(e) })),
    NetworkError,
  );
  assert.equal(error.host, `127.0.0.1:${port}`);
  assert.equal(error.reason, "unreachable");
  assert.equal(error.attempts, 2);
  assert.equal(events.length, 1);
  assert.ok(!(error instanceof Up42ApiError), "no HTTP answer, no Up42ApiError");
});

function ctxOptions(
  ctx: { apiUrl: string; projectId: string; jobId: string; retry: typeof FAST_RETRY },
) {
  return {
    apiUrl: ctx.apiUrl,
    projectId: ctx.projectId,
    token: "t",
    jobId: ctx.jobId,
    retry: ctx.retry,
  };
}

Deno.test("request: a cancelled call stops with the abort reason", () =>
  withEmulator(async (emulator) => {
    const controller = new AbortController();
    controller.abort(new DOMException("stop", "AbortError"));
    await assert.rejects(
      () => listJobtasks(contextFor(emulator), { signal: controller.signal }),
      DOMException,
    );
  }));

Deno.test("request: a JSON body is bounded in size and in time; bodies are released", async () => {
  let slowCancelled = false;
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/huge") return new Response(new Uint8Array(2048).fill(0x20));
    if (path === "/stall") {
      return new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('{"data": ['));
          },
          cancel() {
            slowCancelled = true;
          },
        }),
      );
    }
    return Response.json({ data: [], error: null });
  });
  const ctx = createContext({
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    projectId: "p",
    token: "t",
    maxJsonBytes: 1024,
    bodyTimeoutMs: 300,
  });
  const huge = await caught(() => request(ctx, "/huge"), Up42ApiError);
  assert.match(huge.apiMessage, /larger than 1024 bytes/);
  const started = Date.now();
  const stalled = await caught(() => request(ctx, "/stall"), Up42ApiError);
  assert.match(stalled.apiMessage, /did not arrive within 300 ms/);
  assert.ok(Date.now() - started < 3000);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(slowCancelled, "the stalled body was cancelled");
});

Deno.test("request: secrets a server echoes never reach a message", async () => {
  const key = "super-secret-project-key";
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    async (req) => {
      const auth = req.headers.get("authorization") ?? "";
      if (new URL(req.url).pathname === "/oauth/token") {
        return new Response(`bad credentials: ${auth} (${atob(auth.slice(6))})`, { status: 401 });
      }
      await req.body?.cancel();
      return new Response(`{"error": "denied for ${auth}"}`, { status: 403 });
    },
  );
  const apiUrl = `http://127.0.0.1:${server.addr.port}`;
  const byKey = await caught(
    () => listJobtasks(createContext({ apiUrl, projectId: "p", projectApiKey: key, jobId: "j" })),
    AuthError,
  );
  assert.ok(!byKey.message.includes(key), byKey.message);
  assert.ok(!byKey.message.includes(btoa(`p:${key}`)), byKey.message);
  const byToken = await caught(
    () =>
      listJobtasks(createContext({ apiUrl, projectId: "p", token: "tok-very-secret", jobId: "j" })),
    AuthError,
  );
  assert.ok(!byToken.message.includes("tok-very-secret"), byToken.message);
});

Deno.test("request: a missing network permission is a PermissionError, never retried", async () => {
  const script = `import { createContext, listJobtasks } from "${new URL(
    "../../mod.ts",
    import.meta.url,
  )}";
try { await listJobtasks(createContext({ apiUrl: "http://127.0.0.1:54321", projectId: "p", token: "t", jobId: "j" })); }
catch (e) { console.log(JSON.stringify({ name: e.name, flag: e.flag })); }`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const started = Date.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      file,
    ],
    env: denoEnv(),
    clearEnv: true,
  }).output();
  await Deno.remove(file);
  const error = JSON.parse(new TextDecoder().decode(out.stdout) || "{}");
  assert.equal(error.name, "PermissionError", new TextDecoder().decode(out.stderr));
  assert.equal(error.flag, "--allow-net=127.0.0.1");
  assert.ok(Date.now() - started < 5000, "no backoff");
  assert.ok(PermissionError);
});
