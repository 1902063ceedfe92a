/**
 * The one shape every stage of the download pipeline uses to wrap the stage
 * before it: a stream pulled on demand (no read-ahead, so memory stays
 * bounded by what the consumer holds), whose upstream is cancelled both when
 * a step fails and when the consumer cancels, so that no socket or inflater
 * outlives an error.
 *
 * @module
 */

/**
 * A stream with no read-ahead whose pulls run `step`. When `step` throws,
 * `release(error)` runs (its own failure ignored) before the stream errors;
 * when the consumer cancels, `release(reason)` runs and is awaited.
 *
 * @example
 * ```ts
 * import { pullStream } from "./pull_stream.ts";
 * let released: unknown;
 * const failing = pullStream<Uint8Array>(
 *   () => Promise.reject(new Error("bad block")),
 *   (reason) => void (released = reason),
 * );
 * const failed = await failing.getReader().read().then(() => false, () => true);
 * if (!failed || !(released instanceof Error)) throw new Error();
 * ```
 */
export function pullStream<T>(
  step: (controller: ReadableStreamDefaultController<T>) => Promise<void>,
  release: (reason: unknown) => Promise<void> | void,
): ReadableStream<T> {
  return new ReadableStream<T>({
    async pull(controller) {
      try {
        await step(controller);
      } catch (error) {
        try {
          Promise.resolve(release(error)).catch(() => {});
        } catch {
          // Releasing is best effort: the step's error is what the consumer sees.
        }
        throw error;
      }
    },
    cancel(reason) {
      return release(reason);
    },
  }, { highWaterMark: 0 });
}
