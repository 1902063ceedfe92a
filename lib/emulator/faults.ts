/**
 * Fault injection for the emulator: each instance keeps a queue of faults
 * that the next matching requests suffer, so tests can script failures.
 *
 * @module
 */

/** Which part of the emulator a fault applies to. */
export type FaultRoute = "token" | "api" | "storage" | "quicklook";

/** A fault the next matching request(s) suffer. `times` defaults to 1. */
export type Fault =
  /** Answer with this status (429 with `Retry-After` seconds, 5xx, ...); `html` sends an HTML page. */
  | {
    kind: "status";
    route: FaultRoute;
    status: number;
    retryAfter?: number;
    html?: boolean;
    times?: number;
  }
  /** Send the first `afterBytes` bytes of the body, then drop the connection. */
  | { kind: "cut"; route: "storage" | "quicklook"; afterBytes: number; times?: number }
  /** Send a wrong `x-goog-hash` (the crc32c and md5 of other bytes). */
  | { kind: "bad-hash"; times?: number }
  /** Announce one byte more in `Content-Length`... by sending one byte less. */
  | { kind: "short-body"; times?: number }
  /** Ignore `Range` headers (answer 200 with the whole body), like a server without ranges. */
  | { kind: "no-range"; times?: number }
  /** Send the body in chunks of `chunkBytes` with `delayMs` between them. */
  | {
    kind: "slow";
    route: "storage" | "quicklook" | "api";
    delayMs: number;
    chunkBytes?: number;
    times?: number;
  };

/** The queue of pending faults of one emulator instance. */
export interface Faults {
  /** Adds a fault; it applies to the next matching request(s). */
  inject(fault: Fault): void;
  /** Makes every token issued so far invalid: the next call with one gets 401. */
  expireTokens(): void;
  /** Removes all pending faults. */
  clear(): void;
  /** Takes (and counts down) the first pending fault matching `route` and `kinds`. */
  take<K extends Fault["kind"]>(
    route: FaultRoute,
    kinds: K[],
  ): Extract<Fault, { kind: K }> | undefined;
  /** Counts `expireTokens` calls: a token issued in an earlier generation is expired. */
  readonly tokenGeneration: number;
}

/**
 * Creates an empty fault queue.
 *
 * @example
 * ```ts
 * import { createFaults } from "./faults.ts";
 * const faults = createFaults();
 * faults.inject({ kind: "status", route: "api", status: 503, times: 2 });
 * if (faults.take("api", ["status"])?.status !== 503) throw new Error();
 * ```
 */
export function createFaults(): Faults {
  let pending: { fault: Fault; left: number }[] = [];
  let tokenGeneration = 0;
  return {
    inject(fault) {
      pending.push({ fault, left: fault.times ?? 1 });
    },
    expireTokens() {
      tokenGeneration++;
    },
    clear() {
      pending = [];
    },
    take(route, kinds) {
      const i = pending.findIndex(({ fault }) =>
        (kinds as string[]).includes(fault.kind) && routeOf(fault) === route
      );
      if (i < 0) return undefined;
      const entry = pending[i];
      if (--entry.left <= 0) pending.splice(i, 1);
      return entry.fault as never;
    },
    get tokenGeneration() {
      return tokenGeneration;
    },
  };
}

function routeOf(fault: Fault): FaultRoute {
  return "route" in fault ? fault.route : "storage";
}

/**
 * Wraps `bytes` in a body stream that applies a cut or slow fault.
 *
 * @example
 * ```ts
 * import { faultyBody } from "./faults.ts";
 * const body = faultyBody(new Uint8Array(10), { kind: "slow", route: "storage", delayMs: 1, chunkBytes: 4 });
 * if ((await new Response(body).arrayBuffer()).byteLength !== 10) throw new Error();
 * ```
 */
export function faultyBody(
  bytes: Uint8Array,
  fault?: Extract<Fault, { kind: "cut" | "slow" }>,
): ReadableStream<Uint8Array> {
  const chunkBytes = fault?.kind === "slow" ? fault.chunkBytes ?? 16_384 : 256 * 1024;
  const end = fault?.kind === "cut" ? Math.min(fault.afterBytes, bytes.length) : bytes.length;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset >= end) {
        if (fault?.kind === "cut") controller.error(new Error("connection cut by fault injection"));
        else controller.close();
        return;
      }
      if (fault?.kind === "slow") await new Promise((r) => setTimeout(r, fault.delayMs));
      const next = Math.min(end, offset + chunkBytes);
      controller.enqueue(bytes.slice(offset, next));
      offset = next;
    },
  });
}
