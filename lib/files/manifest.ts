/**
 * The manifest of a completed results download, `.up42-manifest.json` in
 * the jobtask's folder. A job downloaded with `downloadJobResults` is laid
 * out as
 *
 * ```
 * project_{projectId}/job_{jobId}/
 *   jobtask_{jobtaskId}/
 *     .up42-manifest.json        this manifest
 *     data.json                  the results' features
 *     {scene}/{scene}_0-0.tif    rasters (or output.tgz / output.zip with keepArchive)
 * ```
 *
 * so whatever reads a job folder (maps, plots, people) finds each
 * jobtask's id and name here instead of guessing from folder names. The
 * download writes it last, after every file is in place: a folder without
 * one is incomplete or was not written by this module. Its shape
 * (version 1; fields are only ever added):
 *
 * ```json
 * {
 *   "manifest": "up42-jobtask-results", "version": 1,
 *   "projectId": "…", "jobId": "…", "jobtaskId": "…", "jobtaskName": "pansharpen:1",
 *   "completedAt": "2024-05-01T10:00:00.000Z",
 *   "unpacked": true,
 *   "archive": { "size": 1234, "crc32c": "n03x6A==", "md5": "XUFAKrxLKna5cZ2REBfFkg==", "etag": null },
 *   "files": [{ "path": "data.json", "size": 812, "crc32": "0d4a1185", "mtimeMs": 1714557600000 }]
 * }
 * ```
 *
 * `archive` is the downloaded object as the storage announced it (its
 * `x-goog-hash` crc32c and md5 in base64, its ETag); `files` are the files
 * written (relative `/`-separated paths, sorted), each with its size, the
 * CRC-32 of its bytes computed while writing (8 hex digits) and its
 * modification time. With `unpacked: false` the one file is the archive.
 *
 * @module
 */
import { join } from "node:path";
import { MANIFEST_NAME } from "./names.ts";

export { MANIFEST_NAME } from "./names.ts";

/** One file a download wrote, as its manifest records it. */
export interface ManifestFile {
  /** Path relative to the jobtask folder, `/`-separated. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** CRC-32 of the bytes (8 lowercase hex digits). */
  crc32: string;
  /** Modification time when written, in ms since the epoch. */
  mtimeMs: number;
}

/** The results archive a download came from, as the storage announced it. */
export interface ManifestArchive {
  /** Its size in bytes. */
  size: number;
  /** Base64 CRC-32C from `x-goog-hash`, when announced. */
  crc32c: string | null;
  /** Base64 MD5 from `x-goog-hash`, when announced. */
  md5: string | null;
  /** The `ETag` header, when sent. */
  etag: string | null;
}

/** The manifest of a completed results download (version 1). */
export interface ResultsManifest {
  /** Always `up42-jobtask-results`. */
  manifest: "up42-jobtask-results";
  /** The shape's version: 1. */
  version: 1;
  /** The project. */
  projectId: string;
  /** The job. */
  jobId: string;
  /** The jobtask. */
  jobtaskId: string;
  /** The jobtask's name (block name and version), when it was known. */
  jobtaskName: string | null;
  /** When the download completed (ISO 8601). */
  completedAt: string;
  /** Whether the archive was unpacked (`false`: the one file is the archive itself). */
  unpacked: boolean;
  /** The archive the files came from. */
  archive: ManifestArchive;
  /** The files written, sorted by path. */
  files: ManifestFile[];
}

/**
 * The manifest in the folder `dir`, or `undefined` when there is none or
 * it is not a version 1 manifest (a damaged manifest only means the folder
 * is downloaded again).
 *
 * @example
 * ```ts
 * import { readManifest } from "@up42/jobtask";
 * const dir = await Deno.makeTempDir();
 * if (await readManifest(dir) !== undefined) throw new Error();
 * await Deno.remove(dir);
 * ```
 */
export async function readManifest(dir: string): Promise<ResultsManifest | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(join(dir, MANIFEST_NAME)));
  } catch {
    return undefined;
  }
  return isManifest(value) ? value : undefined;
}

/**
 * Whether `value` has the shape of a version 1 manifest.
 *
 * @example
 * ```ts
 * import { isManifest } from "./manifest.ts";
 * if (isManifest({ manifest: "up42-jobtask-results", version: 2 })) throw new Error();
 * ```
 */
export function isManifest(value: unknown): value is ResultsManifest {
  const m = value as Partial<ResultsManifest> | null;
  const text = (v: unknown) => typeof v === "string";
  const textOrNull = (v: unknown) => v === null || typeof v === "string";
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  return !!m && m.manifest === "up42-jobtask-results" && m.version === 1 &&
    text(m.projectId) && text(m.jobId) && text(m.jobtaskId) && textOrNull(m.jobtaskName) &&
    text(m.completedAt) && typeof m.unpacked === "boolean" && isManifestArchive(m.archive) &&
    Array.isArray(m.files) &&
    m.files.every((f) =>
      !!f && text(f.path) && isInside(f.path) && count(f.size) && /^[0-9a-f]{8}$/.test(f.crc32) &&
      Number.isFinite(f.mtimeMs)
    );
}

/**
 * Whether `value` has the shape of a manifest's `archive`.
 *
 * @example
 * ```ts
 * import { isManifestArchive } from "./manifest.ts";
 * if (!isManifestArchive({ size: 1, crc32c: null, md5: null, etag: "e" })) throw new Error();
 * ```
 */
export function isManifestArchive(value: unknown): value is ManifestArchive {
  const a = value as Partial<ManifestArchive> | null;
  const textOrNull = (v: unknown) => v === null || typeof v === "string";
  return !!a && Number.isSafeInteger(a.size) && (a.size as number) >= 0 &&
    textOrNull(a.crc32c) && textOrNull(a.md5) && textOrNull(a.etag);
}

/** A relative `/`-separated path that stays inside its folder. */
function isInside(path: string): boolean {
  return path !== "" && !path.startsWith("/") && !/[\\\0]/.test(path) &&
    path.split("/").every((s) => s !== "" && s !== "." && s !== "..");
}
