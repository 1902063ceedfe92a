/**
 * Names of work in progress: staging folders of downloads and temporary
 * files of atomic writes. Readers of result folders (plots, maps) skip them,
 * and the next download removes those a killed process left behind.
 *
 * @module
 */

/** Prefix of a download's staging folder; no archive entry may use it. */
export const STAGING_PREFIX = ".up42-staging-";

const TEMP_FILE = /^\..+\.[0-9a-f]{8}\.(tmp|part)$/;

/**
 * The temporary name an atomic write of `base` uses beside it.
 *
 * @example
 * ```ts
 * import { isWorkInProgress, tempNameFor } from "./names.ts";
 * if (!isWorkInProgress(tempNameFor("plot.png"))) throw new Error();
 * ```
 */
export function tempNameFor(base: string): string {
  return `.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
}

/**
 * Whether a file or folder name is work in progress of this module (a
 * staging folder or an atomic write's temporary file).
 *
 * @example
 * ```ts
 * import { isWorkInProgress } from "./names.ts";
 * if (!isWorkInProgress(".up42-staging-a1b2")) throw new Error();
 * if (isWorkInProgress("scene.tif")) throw new Error();
 * ```
 */
export function isWorkInProgress(name: string): boolean {
  return name.startsWith(STAGING_PREFIX) || TEMP_FILE.test(name);
}
