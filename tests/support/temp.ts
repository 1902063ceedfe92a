/**
 * A temporary folder that is removed however the test ends, so that a
 * failing assertion leaves nothing behind in the system's temp folder.
 *
 * @module
 */

/** Runs `fn` with a fresh temporary folder named `prefix...`, then removes it with its contents. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
