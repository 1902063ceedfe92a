/**
 * Free space on a file system, asked without ever prompting: Deno has no
 * `statfs` of its own, so `node:fs`'s `statfs` is used where the process
 * may (`--allow-sys=statfs`), else `df` where it may run it; otherwise the
 * answer is "unknown" and callers go on without it (a full disk still fails
 * the write, and whatever was staged is removed).
 *
 * @module
 */

/**
 * Bytes an unprivileged process may still write on the file system holding
 * `path` (an existing folder), or `undefined` when it cannot be told.
 *
 * @example
 * ```ts
 * import { freeBytes } from "./free_space.ts";
 * const free = await freeBytes(Deno.cwd());
 * if (free !== undefined && !(free >= 0)) throw new Error(String(free));
 * ```
 */
export async function freeBytes(path: string): Promise<number | undefined> {
  const may = (descriptor: Deno.PermissionDescriptor) =>
    Deno.permissions.querySync?.(descriptor).state === "granted";
  try {
    if (may({ name: "sys", kind: "statfs" } as Deno.PermissionDescriptor)) {
      const { statfs } = await import("node:fs/promises");
      const stats = await statfs(path);
      return Number(stats.bavail) * Number(stats.bsize);
    }
    if (may({ name: "run", command: "df" })) {
      // POSIX output: a header line, then "filesystem 1024-blocks used available ...".
      const out = await new Deno.Command("df", { args: ["-Pk", path], stderr: "null" }).output();
      const fields = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)?.split(/\s+/);
      const available = Number(fields?.[3]);
      if (out.success && Number.isFinite(available)) return available * 1024;
    }
  } catch {
    // Unknown: the caller goes on without it.
  }
  return undefined;
}
