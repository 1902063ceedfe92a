/**
 * Minimal assertions for the tests (the standard library's are on a registry
 * these machines cannot reach).
 *
 * @module
 */

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

/** Fails unless `actual` and `expected` are deeply equal (JSON-comparable values and typed arrays). */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  if (a !== e) {
    throw new Error(
      `${message ?? "values differ"}\n  actual:   ${a.slice(0, 500)}\n  expected: ${
        e.slice(0, 500)
      }`,
    );
  }
}

/** Fails unless `fn` rejects with an instance of `type` whose message includes `includes`. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  type: abstract new (...args: any[]) => E,
  includes?: string | RegExp,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof type)) {
      throw new Error(
        `expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
      );
    }
    const message = (error as Error).message;
    if (typeof includes === "string" && !message.includes(includes)) {
      throw new Error(`expected message to include ${JSON.stringify(includes)}, got: ${message}`);
    }
    if (includes instanceof RegExp && !includes.test(message)) {
      throw new Error(`expected message to match ${includes}, got: ${message}`);
    }
    return error as E;
  }
  throw new Error(`expected ${type.name} to be thrown, nothing was`);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      return Array.from(v as unknown as ArrayLike<number>);
    }
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/** A loopback port nothing listens on (it was free a moment ago). */
export function unusedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
