/**
 * Catching an expected error so that a test can assert its fields.
 *
 * @module
 */
import assert from "node:assert/strict";

/**
 * The error `fn` throws, checked to be a `type`; fails when nothing is thrown.
 *
 * @example
 * ```ts ignore
 * const error = await caught(() => listJobtasks(ctx), Up42ApiError);
 * assert.equal(error.status, 404);
 * ```
 */
export async function caught<E>(
  fn: () => unknown,
  type: abstract new (...args: any[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    assert.ok(
      error instanceof type,
      `expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
    );
    return error;
  }
  assert.fail(`expected ${type.name} to be thrown, nothing was`);
}
