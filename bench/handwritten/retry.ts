/**
 * The retry loop (`lib/client/fetch_retry.ts` with the policy of
 * `lib/client/retry_policy.ts`) against ky, configured as close to the
 * policy as its options go: one point of the policy per check, each run on
 * both against a local server. It prints which points ky meets.
 *
 * @module
 */
import ky, { type HTTPError } from "ky";
import { Up42ApiError } from "../../lib/errors.ts";
import { fetchWithRetry, type RetryEvent } from "../../lib/client/fetch_retry.ts";
import { DEFAULT_RETRY, type RetryPolicy } from "../../lib/client/retry_policy.ts";
import { type Figure, markdownTable } from "../support/measure.ts";

/** ky set up to follow the policy: every option needed to get there. */
const KY = {
  retry: {
    limit: DEFAULT_RETRY.retries,
    methods: ["get", "post"], // the token request is a POST
    statusCodes: [...DEFAULT_RETRY.statuses],
    afterStatusCodes: [413, 429, 503],
    maxRetryAfter: DEFAULT_RETRY.maxDelayMs,
    backoffLimit: DEFAULT_RETRY.maxDelayMs,
    delay: (n: number) => DEFAULT_RETRY.baseDelayMs * 2 ** (n - 1),
    jitter: (d: number) => d / 2 + Math.random() * d / 2, // upper half, as the policy
    retryOnTimeout: true,
  },
  timeout: 30_000,
  totalTimeout: DEFAULT_RETRY.maxElapsedMs,
};
const KY_OPTIONS = Object.keys(KY.retry).length + Object.keys(KY).length - 1;

type Handler = (request: Request, n: number) => Response | Promise<Response>;

async function serve<T>(handler: Handler, fn: (url: string) => Promise<T>): Promise<T> {
  let n = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (r) => handler(r, ++n),
  );
  return await fn(`http://127.0.0.1:${server.addr.port}`);
}

const project = (url: string, retry: Partial<RetryPolicy>, extra: object = {}) =>
  fetchWithRetry(url, { method: "GET" }, {
    retry: { ...DEFAULT_RETRY, ...retry },
    describe: { method: "GET", path: new URL(url).pathname },
    ...extra,
  });

async function outcome(call: () => Promise<unknown>): Promise<{ error?: unknown; ms: number }> {
  const start = performance.now();
  try {
    await call();
    return { ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

const name = (e: unknown) => (e as Error)?.name ?? "nothing";

/** One policy point: what each does; `met` says whether ky meets it. */
interface Check {
  point: string;
  project: string;
  ky: string;
  met: boolean;
}

async function checks(): Promise<Check[]> {
  const fast = { baseDelayMs: 5, maxDelayMs: 20 };
  const kyFast = { ...KY, retry: { ...KY.retry, delay: () => 5 } };
  const out: Check[] = [];

  // 1. The token request (a POST) is retried on 503.
  const flaky: Handler = (_r, n) =>
    n < 3 ? new Response("busy", { status: 503 }) : new Response("ok");
  const p1 = await serve(
    flaky,
    (url) =>
      outcome(() =>
        fetchWithRetry(url, { method: "POST", body: "grant_type=client_credentials" }, {
          retry: { ...DEFAULT_RETRY, ...fast },
          describe: { method: "POST", path: "/oauth/token" },
        })
      ),
  );
  const k1 = await serve(
    flaky,
    (url) => outcome(() => ky.post(url, { ...kyFast, body: "x" }).text()),
  );
  out.push({
    point: "a POST (the token request) answered 503 is retried",
    project: p1.error ? `no: ${name(p1.error)}` : "yes",
    ky: k1.error ? `no: ${name(k1.error)}` : "yes, with `retry.methods`",
    met: !k1.error,
  });

  // 2. A time budget: give up at once when the next wait would pass it, keeping the status.
  const busy: Handler = () => new Response("busy", { status: 503 });
  const budget = 1000;
  const p2 = await serve(
    busy,
    (url) =>
      outcome(() => project(url, { baseDelayMs: 5000, maxDelayMs: 5000, maxElapsedMs: budget })),
  );
  const k2 = await serve(busy, (url) =>
    outcome(() =>
      ky.get(url, {
        ...KY,
        retry: { ...KY.retry, delay: () => 5000, backoffLimit: 5000 },
        totalTimeout: budget,
      }).text()
    ));
  const kyStatus = (k2.error as HTTPError)?.response?.status;
  out.push({
    point:
      `a ${budget} ms budget: give up as soon as the next wait would pass it, with the last status`,
    project: p2.error instanceof Up42ApiError
      ? `yes: ${name(p2.error)} (status ${p2.error.status}) after ${p2.ms.toFixed(0)} ms`
      : `no: ${name(p2.error)}`,
    ky: kyStatus === 503 && k2.ms < budget / 2
      ? "yes"
      : `no: waits out the budget, ${name(k2.error)} after ${k2.ms.toFixed(0)} ms, status ${
        kyStatus ?? "lost"
      }`,
    met: kyStatus === 503 && k2.ms < budget / 2,
  });

  // 3. The retry report comes before the wait and says how long it will be.
  const later: Handler = (_r, n) =>
    n === 1
      ? new Response("", { status: 503, headers: { "retry-after": "1" } })
      : new Response("ok");
  let answered = 0;
  const timing: Handler = (r, n) => (answered = performance.now(), later(r, n));
  const projectEvents: { delayMs: number; after: number }[] = [];
  await serve(timing, (url) =>
    project(url, {}, {
      onRetry: (e: RetryEvent) =>
        projectEvents.push({ delayMs: e.delayMs, after: performance.now() - answered }),
    }));
  const kyEvents: { keys: string[]; after: number }[] = [];
  await serve(timing, (url) =>
    ky.get(url, {
      ...KY,
      hooks: {
        beforeRetry: [
          (s) => void kyEvents.push({ keys: Object.keys(s), after: performance.now() - answered }),
        ],
      },
    }).text());
  const kyBefore = kyEvents[0] && kyEvents[0].after < 500 &&
    kyEvents[0].keys.some((k) => /delay/i.test(k));
  out.push({
    point: "each retry is reported before its wait, with the wait",
    project: projectEvents[0]?.after < 500 && projectEvents[0].delayMs === 1000
      ? `yes: onRetry ${projectEvents[0].after.toFixed(0)} ms after the answer, delayMs ${
        projectEvents[0].delayMs
      }`
      : "no",
    ky: kyBefore
      ? "yes"
      : `no: beforeRetry runs ${kyEvents[0]?.after.toFixed(0)} ms after the answer ` +
        `(after the wait) with ${kyEvents[0]?.keys.join(", ")}: no wait`,
    met: Boolean(kyBefore),
  });

  // 4. No error message quotes a signed URL's query.
  const secret = "X-Goog-Signature=0123456789abcdef";
  const p4 = await serve(
    busy,
    (url) => outcome(() => project(`${url}/a.tgz?${secret}`, { ...fast, retries: 1 })),
  );
  const k4 = await serve(
    busy,
    (url) =>
      outcome(() =>
        ky.get(`${url}/a.tgz?${secret}`, { ...kyFast, retry: { ...kyFast.retry, limit: 1 } }).text()
      ),
  );
  const leaks = (e: unknown) => String((e as Error)?.message).includes(secret);
  out.push({
    point: "an error of a signed URL does not quote its signature",
    project: leaks(p4.error) ? "no" : `yes: ${name(p4.error)} names the path only`,
    ky: leaks(k4.error) ? `no: ${name(k4.error)}'s message holds the full URL` : "yes",
    met: !leaks(k4.error),
  });

  // 5. Retry-After is honoured, capped by the longest wait.
  const slow: Handler = (_r, n) =>
    n === 1
      ? new Response("", { status: 429, headers: { "retry-after": "30" } })
      : new Response("ok");
  const p5 = await serve(slow, (url) => outcome(() => project(url, { maxDelayMs: 200 })));
  const k5 = await serve(
    slow,
    (url) =>
      outcome(() => ky.get(url, { ...KY, retry: { ...KY.retry, maxRetryAfter: 200 } }).text()),
  );
  const capped = (o: { error?: unknown; ms: number }) => !o.error && o.ms >= 190 && o.ms < 1500;
  out.push({
    point: "Retry-After honoured, capped (30 s asked, 200 ms cap)",
    project: capped(p5) ? `yes: ${p5.ms.toFixed(0)} ms` : "no",
    ky: capped(k5) ? `yes, with \`maxRetryAfter\`: ${k5.ms.toFixed(0)} ms` : "no",
    met: capped(k5),
  });

  // 6. Cancelling during a backoff ends the call at once, with the reason.
  const long: Handler = () => new Response("", { status: 503, headers: { "retry-after": "10" } });
  const cancel = async (fn: (signal: AbortSignal) => Promise<unknown>) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled")), 200);
    return await outcome(() => fn(controller.signal));
  };
  const p6 = await serve(long, (url) => cancel((signal) => project(url, {}, { signal })));
  const k6 = await serve(long, (url) => cancel((signal) => ky.get(url, { ...KY, signal }).text()));
  const prompt = (o: { error?: unknown; ms: number }) =>
    (o.error as Error)?.message === "cancelled" && o.ms < 1000;
  out.push({
    point: "cancelling during a backoff ends the call at once",
    project: prompt(p6) ? `yes: ${p6.ms.toFixed(0)} ms` : "no",
    ky: prompt(k6) ? `yes: ${k6.ms.toFixed(0)} ms` : "no",
    met: prompt(k6),
  });
  return out;
}

/** Figures: policy points ky meets; prints the table of points. */
export async function retry(): Promise<Figure[]> {
  const list = await checks();
  console.log(`\n#### Retry policy: fetchWithRetry vs ky 2.1 with ${KY_OPTIONS} options set\n`);
  console.log(
    markdownTable(
      ["policy point", "fetchWithRetry", "ky"],
      list.map((c) => [c.point, c.project, c.ky]),
    ),
  );
  return [
    {
      figure: `retry policy points only the hand-written loop meets (ky meets ${
        list.filter((c) => c.met).length
      } of ${list.length})`,
      value: list.filter((c) => !c.met && c.project.startsWith("yes")).length,
      unit: "",
      target: {
        text: "> 0: keep the loop",
        met: list.some((c) => !c.met && c.project.startsWith("yes")),
      },
    },
    {
      figure: "ky options needed to come close",
      value: KY_OPTIONS,
      unit: "",
      note:
        "retry: each point run on both against a local server; ky configured as in bench/handwritten/retry.ts",
    },
  ];
}
