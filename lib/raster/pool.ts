/**
 * Decoding on every core: a pool of worker threads, one fewer than the
 * cores since the main thread decodes too (a second worker on two cores
 * measured no faster and 70 MB larger), shared by the renders that run at
 * the same time (a plot's panels, a map's overlays)
 * and closed when the last of them ends, since a live worker keeps the
 * process alive. A worker takes about 100 ms of processor time to start
 * (half of it in `new Worker` on the calling thread; a few hundred
 * milliseconds of wall time on a busy machine), so jobs are handed to a
 * worker only once it has said it is ready; until then, and beside the
 * workers, the main thread decodes too.
 * The pool also enforces a render's wall-clock budget: when it is spent,
 * the workers are terminated, whatever they were doing.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import * as errors from "../errors.ts";
import type { BlockSpec, Picks, Values } from "./block.ts";
import type { Budget } from "./limits.ts";
import type { RenderedRaster, RenderOptions } from "./render.ts";
import type { RasterSource } from "./source.ts";

/** Decodes blocks on worker threads. */
export interface DecodePool {
  /** Number of workers. */
  size: number;
  /** Resolves once a worker has loaded its code and can take blocks. */
  ready(): Promise<void>;
  /** Decodes and samples one block on the least busy ready worker. */
  run(bytes: Uint8Array, spec: BlockSpec, picks: Picks): Promise<Values[]>;
  /**
   * Renders a whole raster on the least busy ready worker (which reads it
   * itself): a figure's panels, one per thread, with one message each way.
   */
  render(source: RasterSource, options: RenderOptions): Promise<RenderedRaster>;
}

interface Pending {
  resolve(answer: any): void;
  reject(error: Error): void;
}

/** An error as it crosses threads: its class name, message and plain fields. */
export interface ThreadError {
  /** Class name, e.g. `RasterError`. */
  name: string;
  /** The message. */
  message: string;
  /** Own fields with plain values (`file`, `reason`, ...). */
  fields: Record<string, unknown>;
}

/**
 * An error as plain data, for `postMessage`.
 *
 * @example
 * ```ts
 * import { RasterError } from "@up42/jobtask";
 * import { fromThread, toThread } from "./pool.ts";
 * const e = fromThread(toThread(new RasterError({ file: "a.tif", reason: "corrupt", detail: "bad" })));
 * if (!(e instanceof RasterError) || e.reason !== "corrupt" || !e.message.startsWith("a.tif: bad")) throw new Error();
 * ```
 */
export function toThread(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) {
    if (v === undefined || v === null || ["string", "number", "boolean"].includes(typeof v)) {
      fields[k] = v;
    }
  }
  return { name: error.name, message: error.message, fields };
}

/** The error a {@linkcode ThreadError} describes: the module's own classes keep their class and fields. */
export function fromThread(d: ThreadError): Error {
  const Class = (errors as Record<string, unknown>)[d.name];
  if (typeof Class !== "function" || !(Class.prototype instanceof Error)) {
    return new Error(d.message);
  }
  const e = Object.assign(Object.create(Class.prototype), d.fields) as Error;
  Object.defineProperty(e, "message", { value: d.message, writable: true, configurable: true });
  e.stack = `${d.name}: ${d.message}`;
  return e;
}

interface Shared extends DecodePool {
  terminate(): void;
}

/** A pool was terminated under a job (another render's budget ran out): run the job here. */
export class PoolStopped extends Error {}

let shared: Shared | undefined;
let holders = 0, waiting = 0;

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
  let nextId = 0, closed = false, signal = () => {};
  const anyReady = new Promise<void>((resolve) => (signal = resolve));
  const workers = Array.from({ length: size }, () => ({
    worker: new Worker(WORKER, { type: "module" }),
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
      if (e.data.error !== undefined) p.reject(fromThread(e.data.error));
      else p.resolve(e.data.answer);
    };
    w.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      w.ready = false; // a worker that failed takes no more blocks
      for (const p of w.pending.values()) p.reject(new Error(e.message));
      w.pending.clear();
    };
  }
  /** Sends a job to the least busy ready worker. */
  const post = async (job: Record<string, unknown>, transfer: ArrayBuffer[] = []) => {
    await anyReady;
    const live = workers.filter((w) => w.ready);
    if (closed || live.length === 0) throw new PoolStopped();
    const w = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    return await new Promise<any>((resolve, reject) => {
      w.pending.set(id, { resolve, reject });
      w.worker.postMessage({ ...job, id }, transfer);
    });
  };
  const pool: Shared = {
    size,
    ready: () => anyReady,
    async run(bytes, spec, picks) {
      // Bytes that are a view into a larger buffer (a file in memory) are copied, never moved.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? bytes
        : bytes.slice();
      try {
        return await post({ kind: "block", bytes: own, spec, picks }, [own.buffer as ArrayBuffer]);
      } catch (e) {
        // A decoding failure comes back as a plain error; read.ts says which block it was.
        throw e instanceof PoolStopped ? e : new Error((e as Error).message);
      }
    },
    async render(source, options) {
      return await post({ kind: "render", source, options });
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
    try {
      return await Promise.race([f(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  });
}

/** Jobs taken in order by several lanes: on this thread and on a pool's workers. */
export interface WorkQueue {
  /** The next job's index, or undefined once every job is taken or the queue stopped. */
  take(): number | undefined;
  /** Stops the queue (a lane failed): no lane takes another job. */
  stop(): void;
  /** Resolves once `pool` can take jobs, or sooner when nothing is left to take. */
  ready(pool: DecodePool): Promise<void>;
}

/**
 * A queue of `count` jobs shared by lanes: each lane takes the next index
 * until none is left, and a lane for a pool's workers joins once they are
 * ready, or gives up waiting when the other lanes have taken every job.
 *
 * @example
 * ```ts
 * import { workQueue } from "./pool.ts";
 * const queue = workQueue(3), seen: number[] = [];
 * seen.push(queue.take()!, queue.take()!);
 * queue.stop();
 * if (seen.join() !== "0,1" || queue.take() !== undefined) throw new Error();
 * // A lane for workers that are never ready stops waiting once nothing is left to take.
 * await queue.ready({ ready: () => new Promise<void>(() => {}) } as never);
 * ```
 */
export function workQueue(count: number): WorkQueue {
  let next = 0, taken = () => {};
  const allTaken = new Promise<void>((resolve) => (taken = resolve));
  if (count === 0) taken();
  return {
    take() {
      if (next >= count) return undefined;
      const i = next++;
      if (next >= count) taken();
      return i;
    },
    stop() {
      next = count;
      taken();
    },
    ready: (pool) => Promise.race([pool.ready(), allTaken]),
  };
}

/**
 * Starts the shared pool ahead of the renders that will use it (a figure of
 * several rasters), so that its threads load while the caller does other
 * work; only inside {@linkcode holdPool}, on a machine with several cores,
 * where the workers' script may be read.
 *
 * @example
 * ```ts
 * import { holdPool, sharedPool, startPool } from "./pool.ts";
 * await holdPool(async () => {
 *   const pool = startPool();
 *   if (navigator.hardwareConcurrency > 1 && (!pool || sharedPool(0).pool !== pool)) throw new Error();
 * });
 * ```
 */
export function startPool(): DecodePool | undefined {
  return poolAllowed() ? ensurePool() : undefined;
}

/** Whether workers may run: several cores, a {@linkcode holdPool} call open, the script readable. */
function poolAllowed(): boolean {
  return (navigator.hardwareConcurrency ?? 1) >= 2 && holders > 0 && mayStartWorkers();
}

/** The shared pool, started with a worker per core but one (the main thread decodes too). */
function ensurePool(): Shared {
  return (shared ??= createPool(Math.max(1, (navigator.hardwareConcurrency ?? 1) - 1)));
}

/**
 * Decoded bytes waiting in this process (all renders together) from which
 * the pool starts. A worker costs about 0.3 s of processor time before it
 * decodes at full speed (starting, loading its code, its compiler warming
 * up on the first blocks), and on two cores it competes with the runtime's
 * own compiler and collector threads: rendering the 10980² raster without
 * overviews to 1400 px (726 MB decoded, `bench/render.ts`) took 3.3 s on the
 * main thread alone and 4.1 s with a worker beside it; at 5490 px they came
 * out even.
 */
const POOL_BYTES = 2 ** 30;

/**
 * Accounts for `bytes` about to be decoded and returns the shared pool when
 * the decoding waiting in this process pays for starting it (or it runs
 * already), the machine has more than one core and the workers' script may
 * be read; it lives while a
 * {@linkcode holdPool} or {@linkcode withinBudget} call runs. Call the
 * returned `done` when those bytes are decoded.
 *
 * @example
 * ```ts
 * import { sharedPool } from "./pool.ts";
 * const { pool, done } = sharedPool(1 << 30, false);
 * done();
 * if (pool !== undefined || sharedPool(1024).pool !== undefined) throw new Error();
 * ```
 */
export function sharedPool(
  bytes: number,
  allowed = true,
): { pool: DecodePool | undefined; done(): void } {
  waiting += bytes;
  let counted = true;
  const done = () => {
    if (counted) waiting -= bytes;
    counted = false;
  };
  if (!allowed || !poolAllowed()) return { pool: undefined, done };
  return { pool: waiting >= POOL_BYTES ? ensurePool() : shared, done };
}
