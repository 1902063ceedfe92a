/**
 * Writing the manifest of a completed download (its shape and reader are in
 * `lib/files/manifest.ts`, where maps and plots may read it too).
 *
 * @module
 */
import type { JobtaskContext } from "../client/types.ts";
import type { ManifestArchive, ManifestFile, ResultsManifest } from "../files/manifest.ts";

/** What the caller knows of the manifest before the download. */
export interface ManifestDraft {
  /**
   * The jobtask's name, `null` when unknown, or how to look it up once the
   * download has succeeded (so that a failing download costs no extra call).
   */
  jobtaskName: string | null | (() => Promise<string | null>);
}

/**
 * The draft's jobtask name, looked up now if it is a function.
 *
 * @example
 * ```ts
 * import { draftName } from "./manifest.ts";
 * if (await draftName({ jobtaskName: () => Promise.resolve("a:1") }) !== "a:1") throw new Error();
 * ```
 */
export async function draftName(draft: ManifestDraft): Promise<string | null> {
  return typeof draft.jobtaskName === "function" ? await draft.jobtaskName() : draft.jobtaskName;
}

/**
 * The manifest of `ctx`'s jobtask as JSON bytes, files sorted by path.
 *
 * @example
 * ```ts
 * import { manifestBytes } from "./manifest.ts";
 * import { isManifest } from "../files/manifest.ts";
 * const ctx = { projectId: "p", jobId: "j", jobtaskId: "t" } as Parameters<typeof manifestBytes>[0];
 * const bytes = manifestBytes(ctx, {
 *   jobtaskName: "block:1", unpacked: true, files: [],
 *   archive: { size: 1, crc32c: "AAAAAA==", md5: null, etag: null },
 * });
 * if (!isManifest(JSON.parse(new TextDecoder().decode(bytes)))) throw new Error();
 * ```
 */
export function manifestBytes(
  ctx: JobtaskContext,
  fields: {
    jobtaskName: string | null;
    unpacked: boolean;
    archive: ManifestArchive;
    files: ManifestFile[];
  },
): Uint8Array {
  const manifest: ResultsManifest = {
    manifest: "up42-jobtask-results",
    version: 1,
    projectId: ctx.projectId,
    jobId: ctx.jobId,
    jobtaskId: ctx.jobtaskId,
    jobtaskName: fields.jobtaskName,
    completedAt: new Date().toISOString(),
    unpacked: fields.unpacked,
    archive: fields.archive,
    files: [...fields.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
}
