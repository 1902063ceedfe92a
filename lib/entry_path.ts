/**
 * Safety of archive entry names: the one place that decides whether a name
 * from a results archive may become a file path below the output directory.
 *
 * @module
 */
import { ArchiveError } from "./errors.ts";

/** Prefix of the staging folder; no archive entry may use it. */
export const STAGING_PREFIX = ".up42-staging-";

/** Longest accepted relative path, in UTF-8 bytes. */
const MAX_PATH_BYTES = 1024;

/** Longest accepted path segment, in UTF-8 bytes (the usual file system limit). */
const MAX_SEGMENT_BYTES = 255;

const encoder = new TextEncoder();

/**
 * The relative path (segments joined by `/`) an archive entry named `name`
 * is written to, with UP42's leading `output/` folder removed; `""` for the
 * archive's root folder itself. Throws an {@linkcode ArchiveError} naming the
 * entry when the name is empty, absolute, contains `..`, a NUL byte, a
 * backslash or another control character, is too long, or uses the staging
 * folder's name.
 *
 * @example
 * ```ts
 * import { safeEntryPath } from "./entry_path.ts";
 * safeEntryPath("output/a1/a1_0-0.tif"); // "a1/a1_0-0.tif"
 * safeEntryPath("./output/"); // ""
 * try { safeEntryPath("../etc/passwd"); } catch (e) { console.log((e as Error).message); }
 * ```
 */
export function safeEntryPath(name: string): string {
  const refuse = (reason: string): never => {
    throw new ArchiveError(
      `refused results archive entry ${quoteName(name)}: ${reason}; nothing was written ` +
        "(the archive is unsafe, ask UP42 support for a clean one)",
    );
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
  if (segments[0]?.startsWith(STAGING_PREFIX)) refuse("it uses the staging folder's name");
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
 * const check = uniquePaths();
 * check("a/b.tif", "file");
 * try { check("A/B.tif", "file"); } catch (e) { console.log((e as Error).message); }
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
    const refuse = (reason: string): never => {
      throw new ArchiveError(
        `refused results archive entry ${
          quoteName(name)
        }: ${reason}; nothing was written (the archive is ambiguous, ask UP42 support for a clean one)`,
      );
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

/**
 * An entry name quoted for a one-line message: JSON escapes (so a NUL or a
 * newline shows as `\u0000` / `\n`), cut to 120 characters.
 *
 * @example
 * ```ts
 * import { quoteName } from "./entry_path.ts";
 * quoteName("a\nb"); // "\"a\\nb\""
 * ```
 */
export function quoteName(name: string): string {
  const cut = name.length > 120 ? `${name.slice(0, 60)}…${name.slice(-40)}` : name;
  return JSON.stringify(cut);
}
