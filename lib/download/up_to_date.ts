/**
 * Whether a folder already holds a jobtask's current results, decided
 * without downloading them: the storage's answer to a one-byte probe (size,
 * `x-goog-hash`, ETag) must match the archive the manifest records, and the
 * files the manifest lists must be intact.
 *
 * What "intact" costs is a choice. By default (`verify: "quick"`) each
 * file's size must match, and its modification time too; a file whose time
 * changed (copied without `-p`, touched, edited in place by a tool such as
 * `gdal_edit.py`) is read once and its CRC-32 compared, so a re-run reads
 * only what may have changed — one `stat` per file when nothing did, which
 * keeps re-running over a large job instant. `verify: "full"` reads every
 * file and compares every checksum (at the speed of the disk: the checksum
 * itself runs at several GB/s), for folders that may have rotted. Either
 * way, a file that is missing, has another size, or is a link fails the
 * check and the jobtask is downloaded again.
 *
 * @module
 */
import { join } from "node:path";
import { fileChecksum } from "../files/checksum.ts";
import type { ManifestArchive, ManifestFile } from "../files/manifest.ts";
import { parseGoogHash } from "./source/verify.ts";

/** How thoroughly the files of an up-to-date folder are checked; see the module comment. */
export type VerifyFiles = "quick" | "full";

/**
 * The archive as the storage announced it, in the manifest's shape.
 *
 * @example
 * ```ts
 * import { announcedArchive } from "./up_to_date.ts";
 * const a = announcedArchive(5, "crc32c=n03x6A==,md5=XUFAKrxLKna5cZ2REBfFkg==", null);
 * if (a.crc32c !== "n03x6A==" || a.size !== 5) throw new Error();
 * ```
 */
export function announcedArchive(
  size: number,
  googHash: string | null,
  etag: string | null,
): ManifestArchive {
  const hashes = parseGoogHash(googHash);
  return { size, crc32c: hashes.crc32c ?? null, md5: hashes.md5 ?? null, etag };
}

/**
 * Whether the storage's object is the one the manifest records: same size,
 * and every identity both sides have (crc32c, md5, ETag) equal, with at
 * least one of them present. An object that announces none of them cannot
 * be told apart from a changed one, so it is downloaded again.
 *
 * @example
 * ```ts
 * import { sameArchive } from "./up_to_date.ts";
 * const recorded = { size: 5, crc32c: "n03x6A==", md5: null, etag: null };
 * if (!sameArchive(recorded, { ...recorded })) throw new Error();
 * if (sameArchive(recorded, { ...recorded, crc32c: "AAAAAA==" })) throw new Error();
 * if (sameArchive(recorded, { size: 5, crc32c: null, md5: null, etag: null })) throw new Error();
 * ```
 */
export function sameArchive(recorded: ManifestArchive, announced: ManifestArchive): boolean {
  if (recorded.size !== announced.size) return false;
  let compared = 0;
  for (const key of ["crc32c", "md5", "etag"] as const) {
    if (recorded[key] === null || announced[key] === null) continue;
    if (recorded[key] !== announced[key]) return false;
    compared++;
  }
  return compared > 0;
}

/**
 * Why the manifest's files in `dir` are not intact, or `undefined` when
 * they are (see the module comment for what `verify` checks).
 *
 * @example
 * ```ts
 * import { damagedFile } from "./up_to_date.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "hello world");
 * const files = [{ path: "a.txt", size: 11, crc32: "0d4a1185", mtimeMs: 0 }];
 * if (await damagedFile(dir, files, "quick") !== undefined) throw new Error(); // time differs, checksum matches
 * await Deno.writeTextFile(`${dir}/a.txt`, "hello_world");
 * if (await damagedFile(dir, files, "quick") === undefined) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function damagedFile(
  dir: string,
  files: ManifestFile[],
  verify: VerifyFiles,
): Promise<string | undefined> {
  for (const file of files) {
    const path = join(dir, file.path);
    const info = await Deno.lstat(path).catch(() => undefined);
    if (!info?.isFile) return `${file.path} is missing`;
    if (info.size !== file.size) return `${file.path} has another size`;
    if (verify === "quick" && info.mtime?.getTime() === file.mtimeMs) continue;
    if (await fileChecksum(path) !== file.crc32) return `${file.path} has another checksum`;
  }
  return undefined;
}
