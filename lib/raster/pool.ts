/**
 * Decoding on every core: a pool of worker threads shared by the renders
 * that run at the same time (a plot's panels, a map's overlays) and closed
 * when the last of them ends, since a live worker keeps the process alive.
 * The pool also enforces a render's wall-clock budget: when it is spent,
 * the workers are terminated, whatever they were doing.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { BlockSpec, Picks } from "./block.ts";
import type { Budget } from "./limits.ts";

/** Decodes blocks on worker threads. */
export interface DecodePool {
  /** Number of workers. */
  size: number;
  /** Decodes and samples one block on the least busy worker. */
  run(bytes: Uint8Array, spec: BlockSpec, picks: Picks): Promise<Float64Array[]>;
}

interface Pending {
  resolve(values: Float64Array[]): void;
  reject(error: Error): void;
}

interface Shared extends DecodePool {
  terminate(): void;
}

/** A pool was terminated under a job (another render's budget ran out): run the job here. */
export class PoolStopped extends Error {}

let shared: Shared | undefined;
let holders = 0;

const WORKER = new URL("./decode_worker.ts", import.meta.url);

/**
 * Whether a worker can load its script without a permission the process
 * lacks: Deno asks to read a local worker script even when the caller may
 * read nothing (renders of bytes in memory need no permission), so without
 * it decoding stays on this thread, and nothing prompts.
 */
function mayStartWorkers(): boolean {
  if (WORKER.protocol !== "file:") return true;
  return Deno.permissions.querySync({ name: "read", path: fileURLToPath(WORKER) }).state ===
    "granted";
}

function createPool(size: number): Shared {
  const workers = Array.from({ length: size }, () => ({
    worker: new Worker(WORKER, { type: "module" }),
    pending: new Map<number, Pending>(),
  }));
  let nextId = 0, closed = false;
  for (const w of workers) {
    w.worker.onmessage = (e: MessageEvent) => {
      const p = w.pending.get(e.data.id);
      if (!p) return;
      w.pending.delete(e.data.id);
      if (e.data.error !== undefined) p.reject(new Error(e.data.error));
      else p.resolve(e.data.values);
    };
    w.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      for (const p of w.pending.values()) p.reject(new Error(e.message));
      w.pending.clear();
    };
  }
  const pool: Shared = {
    size,
    run(bytes, spec, picks) {
      if (closed) return Promise.reject(new PoolStopped());
      const w = workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      // Bytes that are a view into a larger buffer (a file in memory) are copied, never moved.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes
        : bytes.slice();
      return new Promise((resolve, reject) => {
        w.pending.set(id, { resolve, reject });
        w.worker.postMessage({ id, bytes: own, spec, picks }, [own.buffer as ArrayBuffer]);
      });
    },
    terminate() {
      closed = true;
      for (const w of workers) {
        w.worker.terminate();
        for (const p of w.pending.values()) p.reject(new PoolStopped());
        w.pending.clear();
      }
    },
  };
  return pool;
}

function closeShared(): void {
  shared?.terminate();
  shared = undefined;
}

/**
 * Keeps the shared pool, once a render creates it, until `f` ends: renders
 * that run at the same time or one after another inside `f` share one.
 *
 * @example
 * ```ts
 * import { holdPool } from "./pool.ts";
 * if ((await holdPool(() => Promise.resolve(7))) !== 7) throw new Error();
 * ```
 */
export async function holdPool<T>(f: () => Promise<T>): Promise<T> {
  holders++;
  try {
    return await f();
  } finally {
    if (--holders === 0) closeShared();
  }
}

/**
 * Runs `f` within the budget's deadline, keeping the shared pool (once a
 * render creates it) until `f` ends, so that renders running at the same
 * time share one. When the deadline passes the pool is terminated, so no
 * decoder keeps running, and the budget's timeout error is thrown.
 *
 * @example
 * ```ts
 * import { withinBudget } from "./pool.ts";
 * import { Budget, DEFAULT_RASTER_LIMITS } from "./limits.ts";
 * const budget = new Budget("a.tif", DEFAULT_RASTER_LIMITS);
 * if ((await withinBudget(budget, () => Promise.resolve(7))) !== 7) throw new Error();
 * ```
 */
export async function withinBudget<T>(budget: Budget, f: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      closeShared();
      reject(budget.timeout());
    }, Math.max(0, budget.deadline - performance.now()));
  });
  return await holdPool(async () => {
    try {
      return await Promise.race([f(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  });
}

/**
 * The shared pool when `parallel`, the machine has more than one core and
 * the workers' script may be read; it lives while a {@linkcode holdPool} or
 * {@linkcode withinBudget} call runs.
 *
 * @example
 * ```ts
 * import { sharedPool } from "./pool.ts";
 * if (sharedPool(false) !== undefined) throw new Error();
 * ```
 */
export function sharedPool(parallel: boolean): DecodePool | undefined {
  const cores = navigator.hardwareConcurrency ?? 1;
  if (!parallel || cores < 2 || holders === 0 || !mayStartWorkers()) return undefined;
  return (shared ??= createPool(cores));
}
