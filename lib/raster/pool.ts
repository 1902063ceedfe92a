/**
 * Decoding on every core: a pool of worker threads (one fewer than the
 * cores, since the main thread decodes too) shared by the renders that run
 * at the same time (a plot's panels, a map's overlays) and closed when the
 * last of them ends, since a live worker keeps the process alive. A worker
 * takes 60–100 ms of processor time to start (a few hundred milliseconds of
 * wall time on a busy machine), so blocks are handed to a worker only once
 * it has said it is ready; until then the main thread decodes them.
 * The pool also enforces a render's wall-clock budget: when it is spent,
 * the workers are terminated, whatever they were doing.
 *
 * @module
 */
import type { BlockSpec, Picks, Values } from "./block.ts";
import type { Budget } from "./limits.ts";

/** Decodes blocks on worker threads. */
export interface DecodePool {
  /** Number of workers. */
  size: number;
  /** Resolves once a worker has loaded its code and can take blocks. */
  ready(): Promise<void>;
  /** Decodes and samples one block on the least busy ready worker. */
  run(bytes: Uint8Array, spec: BlockSpec, picks: Picks): Promise<Values[]>;
}

interface Pending {
  resolve(values: Values[]): void;
  reject(error: Error): void;
}

interface Shared extends DecodePool {
  terminate(): void;
}

/** A pool was terminated under a job (another render's budget ran out): run the job here. */
export class PoolStopped extends Error {}

let shared: Shared | undefined;
let holders = 0, renders = 0;

function createPool(size: number): Shared {
  let nextId = 0, closed = false, signal = () => {};
  const anyReady = new Promise<void>((resolve) => (signal = resolve));
  const workers = Array.from({ length: size }, () => ({
    worker: new Worker(new URL("./decode_worker.ts", import.meta.url), { type: "module" }),
    pending: new Map<number, Pending>(),
    ready: false,
  }));
  for (const w of workers) {
    w.worker.onmessage = (e: MessageEvent) => {
      if (e.data.ready) {
        w.ready = true;
        return signal();
      }
      const p = w.pending.get(e.data.id);
      if (!p) return;
      w.pending.delete(e.data.id);
      if (e.data.error !== undefined) p.reject(new Error(e.data.error));
      else p.resolve(e.data.values);
    };
    w.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      w.ready = false; // a worker that failed takes no more blocks
      for (const p of w.pending.values()) p.reject(new Error(e.message));
      w.pending.clear();
    };
  }
  const pool: Shared = {
    size,
    ready: () => anyReady,
    async run(bytes, spec, picks) {
      await anyReady;
      const live = workers.filter((w) => w.ready);
      if (closed || live.length === 0) throw new PoolStopped();
      const w = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      // Bytes that are a view into a larger buffer (a file in memory) are copied, never moved.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes
        : bytes.slice();
      return await new Promise((resolve, reject) => {
        w.pending.set(id, { resolve, reject });
        w.worker.postMessage({ id, bytes: own, spec, picks }, [own.buffer as ArrayBuffer]);
      });
    },
    terminate() {
      closed = true;
      signal();
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
    renders++;
    try {
      return await Promise.race([f(), deadline]);
    } finally {
      renders--;
      clearTimeout(timer);
    }
  });
}

/** Decoded bytes from which a render alone starts the pool (about 100 ms of inflating). */
const ALONE_BYTES = 32 * 2 ** 20;
/** Decoded bytes from which a render that runs beside others starts it. */
const BESIDE_BYTES = 2 * 2 ** 20;

/**
 * The shared pool, when decoding `bytes` pays for starting it (or it runs
 * already) and the machine has more than one core; it lives while a
 * {@linkcode holdPool} or {@linkcode withinBudget} call runs. A render that
 * runs beside others (a plot's panels) starts it from less work, since
 * their blocks add up.
 *
 * @example
 * ```ts
 * import { sharedPool } from "./pool.ts";
 * if (sharedPool(1 << 30, false) !== undefined) throw new Error();
 * if (sharedPool(1024) !== undefined) throw new Error();
 * ```
 */
export function sharedPool(bytes: number, allowed = true): DecodePool | undefined {
  const cores = navigator.hardwareConcurrency ?? 1;
  if (!allowed || cores < 2 || holders === 0) return undefined;
  if (shared) return shared;
  if (bytes < (renders > 1 ? BESIDE_BYTES : ALONE_BYTES)) return undefined;
  return (shared = createPool(Math.max(1, cores - 1)));
}
