/**
 * Names this module keeps for itself inside a results folder: staging
 * folders of downloads, a kept archive's partial download, the manifest of
 * a completed download, and temporary files of atomic writes. Readers of
 * result folders (plots, maps) skip work in progress, the next download
 * removes what a killed process left behind, and no archive entry may use
 * any of these names.
 *
 * @module
 */

/** Prefix of a download's staging folder: `.up42-staging-{pid}-{random}`. */
export const STAGING_PREFIX = ".up42-staging-";

/**
 * The manifest a completed download writes into the jobtask folder (see
 * `lib/download/manifest.ts` for its shape): which jobtask, which archive,
 * which files with their sizes and checksums.
 */
export const MANIFEST_NAME = ".up42-manifest.json";

/**
 * Prefix of a kept archive's partial download (`.up42-partial`) and its
 * description (`.up42-partial.json`), kept across runs so that the next run
 * resumes with a `Range` request.
 */
export const PARTIAL_PREFIX = ".up42-partial";

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
 * staging folder, a partial archive or an atomic write's temporary file).
 *
 * @example
 * ```ts
 * import { isWorkInProgress } from "./names.ts";
 * if (!isWorkInProgress(".up42-staging-4242-a1b2")) throw new Error();
 * if (!isWorkInProgress(".up42-partial")) throw new Error();
 * if (isWorkInProgress("scene.tif")) throw new Error();
 * ```
 */
export function isWorkInProgress(name: string): boolean {
  return name.startsWith(STAGING_PREFIX) || name.startsWith(PARTIAL_PREFIX) ||
    TEMP_FILE.test(name);
}

/**
 * Whether a top-level name in a results folder is one this module keeps
 * for itself (an archive entry using it is refused).
 *
 * @example
 * ```ts
 * import { isReservedName } from "./names.ts";
 * if (!isReservedName(".up42-manifest.json") || isReservedName("data.json")) throw new Error();
 * ```
 */
export function isReservedName(name: string): boolean {
  return name === MANIFEST_NAME || name.startsWith(STAGING_PREFIX) ||
    name.startsWith(PARTIAL_PREFIX);
}
