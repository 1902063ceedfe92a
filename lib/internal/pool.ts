/**
 * Bounded concurrency: run a task per item, at most `limit` at once.
 *
 * @module
 */

/**
 * Runs `task` for every item with at most `limit` running at once and
 * returns the settled results in item order. With `stopOnError`, no new
 * task starts after one fails.
 *
 * @example
 * ```ts
 * import { mapPool } from "./pool.ts";
 * const results = await mapPool([1, 2, 3], 2, async (n) => n * 2);
 * if (results.map((r) => r.status === "fulfilled" ? r.value : 0).join() !== "2,4,6") throw new Error();
 * ```
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  options: { stopOnError?: boolean } = {},
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !(failed && options.stopOnError)) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await task(items[index], index) };
      } catch (reason) {
        failed = true;
        results[index] = { status: "rejected", reason };
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
