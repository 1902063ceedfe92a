/**
 * `node:zlib`, loaded on first use. Its polyfill costs a script about 50 ms
 * of start-up, which one that never unpacks an archive should not pay, so
 * the modules that may use it do not import it: the archive reader loads it
 * before it starts ({@linkcode loadZlib}), and the synchronous helpers ask
 * for what is loaded ({@linkcode loadedZlib}), falling back to their
 * portable ways without it.
 *
 * @module
 */
import type * as Zlib from "node:zlib";

let zlib: typeof Zlib | undefined;

/**
 * Loads `node:zlib` (once) and returns it.
 *
 * @example
 * ```ts
 * import { loadedZlib, loadZlib } from "./zlib.ts";
 * const zlib = await loadZlib();
 * if (loadedZlib() !== zlib || typeof zlib.createGunzip !== "function") throw new Error();
 * ```
 */
export async function loadZlib(): Promise<typeof Zlib> {
  return zlib ??= (await import("node:zlib")).default;
}

/**
 * `node:zlib` when {@linkcode loadZlib} has loaded it, else `undefined`.
 *
 * @example
 * ```ts
 * import { loadedZlib, loadZlib } from "./zlib.ts";
 * await loadZlib();
 * if (!loadedZlib()) throw new Error();
 * ```
 */
export function loadedZlib(): typeof Zlib | undefined {
  return zlib;
}
