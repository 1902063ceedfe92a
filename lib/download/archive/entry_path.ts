/**
 * Safety of archive entry names: the one place that decides whether a name
 * from a results archive may become a file path below the output directory.
 *
 * @module
 */
import { ArchiveError } from "../../errors.ts";
import { isReservedName } from "../../files/names.ts";

/** Longest accepted relative path, in UTF-8 bytes. */
const MAX_PATH_BYTES = 1024;

/** Longest accepted path segment, in UTF-8 bytes (the usual file system limit). */
const MAX_SEGMENT_BYTES = 255;

const encoder = new TextEncoder();

/**
 * The relative path (segments joined by `/`) an archive entry named `name`
 * is written to, with UP42's leading `output/` folder removed; `""` for the
 * archive's root folder itself. Throws an `ArchiveError` (reason `unsafe`)
 * naming the entry when the name is empty, absolute, contains `..`, a NUL
 * byte, a backslash or another control character, is too long, or uses a
 * name the download keeps for itself (staging, manifest, partial archive).
 *
 * @example
 * ```ts
 * import { safeEntryPath } from "./entry_path.ts";
 * import { ArchiveError } from "@up42/jobtask";
 * if (safeEntryPath("output/a1/a1_0-0.tif") !== "a1/a1_0-0.tif") throw new Error();
 * if (safeEntryPath("./output/") !== "") throw new Error();
 * try {
 *   safeEntryPath("../etc/passwd");
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof ArchiveError) || e.reason !== "unsafe") throw e;
 * }
 * ```
 */
export function safeEntryPath(name: string): string {
  const refuse = (detail: string): never => {
    throw new ArchiveError({ reason: "unsafe", entry: name, detail });
  };
  if (name.length === 0) refuse("its name is empty");
  if (name.includes("\0")) refuse("its name contains a NUL byte");
  if (name.includes("\\")) refuse("its name contains a backslash");
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) refuse("its name contains a control character");
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) refuse("it is an absolute path");
  const segments = name.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) refuse("its path contains '..'");
  if (segments[0] === "output") segments.shift();
  for (const segment of segments) {
    if (encoder.encode(segment).length > MAX_SEGMENT_BYTES) {
      refuse(`a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
  }
  const path = segments.join("/");
  if (encoder.encode(path).length > MAX_PATH_BYTES) {
    refuse(`its path is longer than ${MAX_PATH_BYTES} bytes`);
  }
  if (segments.length && isReservedName(segments[0])) {
    refuse("it uses a name kept for the download's own files");
  }
  return path;
}

/**
 * Keeps track of the paths an archive has produced so far and refuses a
 * second entry with the same path (compared case-insensitively, as on macOS
 * and Windows), a file inside a path that is a file, and a file where a folder
 * was. Returns a function to call with each entry's safe path, kind and
 * (for messages) name in the archive.
 *
 * @example
 * ```ts
 * import { uniquePaths } from "./entry_path.ts";
 * import { ArchiveError } from "@up42/jobtask";
 * const check = uniquePaths();
 * check("a/b.tif", "file");
 * try {
 *   check("A/B.tif", "file");
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof ArchiveError) || e.reason !== "ambiguous") throw e;
 * }
 * ```
 */
export function uniquePaths(): (
  path: string,
  kind: "file" | "directory",
  name?: string,
) => void {
  const files = new Set<string>();
  const folders = new Set<string>();
  return (path, kind, name = path) => {
    const key = path.normalize("NFC").toLowerCase();
    const refuse = (detail: string): never => {
      throw new ArchiveError({ reason: "ambiguous", entry: name, detail });
    };
    if (files.has(key)) refuse("an earlier entry has the same path");
    const segments = key.split("/");
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join("/");
      if (files.has(parent)) refuse("a parent folder of it is a file");
      folders.add(parent);
    }
    if (kind === "file") {
      if (folders.has(key)) refuse("an earlier entry made it a folder");
      files.add(key);
    } else {
      folders.add(key);
    }
  };
}
