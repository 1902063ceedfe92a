import {
  AuthError,
  ConfigError,
  createContext,
  DEFAULT_RETRY,
  getResultsJson,
  jobtaskInfo,
  listJobtasks,
  startEmulator,
  Up42ApiError,
  type Up42Context,
} from "../mod.ts";
import type { Emulator } from "../emulator.ts";
import { assert, assertEquals, assertRejects, unusedPort } from "./assert.ts";

const FAST_RETRY = { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 50 };

function contextFor(emulator: Emulator, overrides: Record<string, unknown> = {}): Up42Context {
  return createContext({
    apiUrl: emulator.url,
    projectId: emulator.projectId,
    projectApiKey: emulator.projectApiKey,
    jobId: emulator.jobId,
    jobtaskId: emulator.jobtasks.processing,
    retry: FAST_RETRY,
    ...overrides,
  });
}

async function withEmulator(fn: (emulator: Emulator) => Promise<void>) {
  const emulator = await startEmulator();
  try {
    await fn(emulator);
  } finally {
    await emulator.close();
  }
}

Deno.test("authenticates with project credentials and lists jobtasks", () =>
  withEmulator(async (emulator) => {
    const tasks = await listJobtasks(contextFor(emulator));
    assertEquals(tasks.map((t) => t.id).sort(), Object.values(emulator.jobtasks).sort());
    const token = emulator.requests.find((r) => r.route === "token");
    assert(token?.method === "POST", "token requested with POST");
    const api = emulator.requests.find((r) => r.route === "api");
    assert(
      api?.userAgent?.startsWith("@up42/jobtask/"),
      `user agent names the module: ${api?.userAgent}`,
    );
  }));

Deno.test("jobtaskInfo returns the matching entry, and 404s an unknown jobtask", () =>
  withEmulator(async (emulator) => {
    const info = await jobtaskInfo(contextFor(emulator));
    assertEquals(info.id, emulator.jobtasks.processing);
    assertEquals(info.status, "SUCCEEDED");
    const error = await assertRejects(
      () =>
        jobtaskInfo(contextFor(emulator, { jobtaskId: "00000000-0000-0000-0000-000000000000" })),
      Up42ApiError,
      "has no jobtask 00000000-0000-0000-0000-000000000000",
    );
    assertEquals(error.status, 404);
  }));

Deno.test("unknown job gives the API's error envelope as a typed error", () =>
  withEmulator(async (emulator) => {
    const error = await assertRejects(
      () => listJobtasks(contextFor(emulator, { jobId: "no-such-job" })),
      Up42ApiError,
      "job no-such-job not found",
    );
    assertEquals([error.status, error.code, error.method], [404, "NOT_FOUND", "GET"]);
    assert(error.path.endsWith("/jobs/no-such-job/tasks/"), error.path);
  }));

Deno.test("results JSON as a FeatureCollection and as a table", () =>
  withEmulator(async (emulator) => {
    const ctx = contextFor(emulator);
    const fc = await getResultsJson(ctx);
    assertEquals(fc.type, "FeatureCollection");
    assertEquals(fc.features.length, 2);
    const table = await getResultsJson(ctx, { asTable: true });
    assertEquals(table.rows.length, 2);
    assertEquals(table.columns[0], "geometry");
    assert(table.columns.includes("acquisition.missionCode"), "nested properties are flattened");
    assertEquals(table.rows[1]["up42.data_path"], fc.features[1].properties!["up42.data_path"]);
    assertEquals(table.rows[0].geometry, fc.features[0].geometry);
    const display = (table as any)[Symbol.for("Jupyter.display")]();
    assert(display["text/html"].startsWith("<table>"), "displays as an HTML table");
  }));

Deno.test("a token that expires is renewed once on 401", () =>
  withEmulator(async (emulator) => {
    const ctx = contextFor(emulator);
    await listJobtasks(ctx);
    emulator.faults.expireTokens();
    await listJobtasks(ctx);
    assertEquals(emulator.requests.filter((r) => r.route === "token").length, 2);
  }));

Deno.test("an issued token is used as it is; a refused one is an AuthError", () =>
  withEmulator(async (emulator) => {
    const good = await listJobtasks(contextFor(emulator)); // issues a token we cannot see
    assert(good.length > 0);
    const ctx = contextFor(emulator, { token: "not-a-valid-token", projectApiKey: undefined });
    const error = await assertRejects(() => listJobtasks(ctx), AuthError, "cannot be renewed");
    assert(!error.message.includes("not-a-valid-token"), "the token is not in the message");
  }));

Deno.test("429 with Retry-After and 5xx are retried", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 429, retryAfter: 0, times: 1 });
    emulator.faults.inject({ kind: "status", route: "api", status: 503, times: 1 });
    emulator.faults.inject({ kind: "status", route: "token", status: 502, times: 1 });
    const tasks = await listJobtasks(contextFor(emulator));
    assertEquals(tasks.length, 3);
    assertEquals(emulator.requests.filter((r) => r.route === "api").length, 3);
    assertEquals(emulator.requests.filter((r) => r.route === "token").length, 2);
  }));

Deno.test("Retry-After is honoured", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 429, retryAfter: 1, times: 1 });
    const started = Date.now();
    await listJobtasks(contextFor(emulator, { retry: { ...FAST_RETRY, maxDelayMs: 5000 } }));
    assert(Date.now() - started >= 950, "waited for Retry-After");
  }));

Deno.test("an exhausted retry budget is a clear error", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 503, times: 10 });
    const error = await assertRejects(
      () => listJobtasks(contextFor(emulator, { retry: { ...FAST_RETRY, retries: 2 } })),
      Up42ApiError,
      "gave up after 3 attempts",
    );
    assertEquals(error.status, 503);
    assertEquals(emulator.requests.filter((r) => r.route === "api").length, 3);
  }));

Deno.test("a non-JSON error page gives its status and a short excerpt", () =>
  withEmulator(async (emulator) => {
    emulator.faults.inject({ kind: "status", route: "api", status: 502, html: true, times: 10 });
    const error = await assertRejects(
      () => listJobtasks(contextFor(emulator, { retry: { ...FAST_RETRY, retries: 1 } })),
      Up42ApiError,
      "HTTP 502",
    );
    assert(error.message.includes("502 Bad Gateway upstream unavailable"), error.message);
    assert(!error.message.includes("<"), "tags are stripped");
  }));

Deno.test("wrong credentials are an AuthError naming the env variables, without the key", () =>
  withEmulator(async (emulator) => {
    const error = await assertRejects(
      () => listJobtasks(contextFor(emulator, { projectApiKey: "wrong-key-12345" })),
      AuthError,
      "UP42_PROJECT_API_KEY",
    );
    assertEquals(error.status, 401);
    assert(!error.message.includes("wrong-key-12345"));
  }));

Deno.test("missing credentials name the env variables", () => {
  const saved = ["UP42_PROJECT_ID", "UP42_PROJECT_API_KEY"].map((k) =>
    [k, Deno.env.get(k)] as const
  );
  for (const [k] of saved) Deno.env.delete(k);
  try {
    let message = "";
    try {
      createContext({ apiUrl: "http://127.0.0.1:1" });
    } catch (error) {
      assert(error instanceof ConfigError);
      message = error.message;
    }
    assert(
      message.includes("UP42_PROJECT_ID") && message.includes("UP42_PROJECT_API_KEY"),
      message,
    );
  } finally {
    for (const [k, v] of saved) if (v !== undefined) Deno.env.set(k, v);
  }
});

Deno.test("invalid ids are refused before any request", async () => {
  const emulator = await startEmulator({ seed: false });
  try {
    for (
      const bad of ["../x", "a/b", "a?b", "a#b", "a b", "a\nb", "a\u0000b", "..", "%2e%2e", ""]
    ) {
      await assertRejects(
        async () =>
          await jobtaskInfo(createContext({
            apiUrl: emulator.url,
            projectId: emulator.projectId,
            projectApiKey: emulator.projectApiKey,
            jobId: "job",
            jobtaskId: bad === "" ? undefined : bad,
          })),
        ConfigError,
        bad === "" ? "jobtask id is missing" : "is not a valid id",
      );
    }
    assertEquals(emulator.requests.length, 0);
  } finally {
    await emulator.close();
  }
});

Deno.test("a network failure is retried then reported without the URL's query", async () => {
  const port = unusedPort();
  const ctx = createContext({
    apiUrl: `http://127.0.0.1:${port}`,
    projectId: "p",
    projectApiKey: "k",
    jobId: "j",
    retry: { ...FAST_RETRY, retries: 1 },
  });
  const error = await assertRejects(() => listJobtasks(ctx), Up42ApiError, "network error");
  assertEquals(error.status, 0);
});

Deno.test("a cancelled call stops with the abort reason", () =>
  withEmulator(async (emulator) => {
    const controller = new AbortController();
    controller.abort(new DOMException("stop", "AbortError"));
    await assertRejects(
      () => listJobtasks(contextFor(emulator), { signal: controller.signal }),
      DOMException,
    );
  }));
