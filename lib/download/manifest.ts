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
  /** The jobtask's name, when known. */
  jobtaskName: string | null;
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
  fields: ManifestDraft & { unpacked: boolean; archive: ManifestArchive; files: ManifestFile[] },
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
