/**
 * `downloadResults`: the jobtask's results archive streamed, verified and
 * unpacked into a folder, atomically.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { jobtaskPath } from "../client/ids.ts";
import type { JobtaskContext } from "../client/types.ts";
import { ConfigError } from "../errors.ts";
import { ensurePermission } from "../files/permission.ts";
import { DEFAULT_LIMITS } from "./archive/mod.ts";
import { resultEntries, type StreamResultsOptions } from "./pipeline.ts";
import { createStaging, IncompleteMoveError } from "./sink/staging.ts";

/** Options of {@linkcode downloadResults}. */
export interface DownloadResultsOptions extends StreamResultsOptions {
  /**
   * The folder to unpack into (created when missing). Default
   * `{cwd}/project_{projectId}/job_{jobId}/jobtask_{jobtaskId}`, as in the Python SDK.
   */
  outputDirectory?: string;
  /** Base of the default output directory. Default `.` (the working directory). */
  cwd?: string;
  /**
   * What happens to an existing file of the same name: `true` (the default)
   * replaces it, `false` fails before anything is moved.
   */
  overwrite?: boolean;
}

/**
 * Downloads the jobtask's results and unpacks them, returning the written
 * files' absolute paths (files only, sorted; UP42's leading `output/`
 * folder removed).
 *
 * The archive (tar, tar.gz or zip, told apart by its bytes) is streamed from
 * the signed URL straight into a staging folder inside the output directory:
 * no temporary archive, memory independent of its size. A dropped connection
 * resumes with a `Range` request. Only when the whole archive has arrived and
 * its length and `x-goog-hash` match are the files moved into place.
 *
 * What it guarantees: on any failure before the move (an unsafe entry:
 * absolute, `..`, link, device; corrupt or truncated data; a hash mismatch;
 * a limit; `signal` aborted) the staging folder is removed and the output
 * directory is untouched. If a move into place fails half-way (a full disk,
 * a file locked by another program), the moves done are undone — files
 * moved back, replaced files restored, folders created removed — so the
 * output directory is again as it was. Only if that undoing fails too does
 * an error list what remains (and the staging folder, which then holds the
 * replaced files, is kept).
 *
 * Permissions: `--allow-net` for the API and the storage host,
 * `--allow-read` and `--allow-write` for the output directory.
 *
 * @example
 * ```ts
 * import { createContext, downloadResults } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * const dir = await Deno.makeTempDir();
 * const files = await downloadResults(ctx, { outputDirectory: dir });
 * if (!files.some((f) => f.endsWith("data.json"))) throw new Error(files.join());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function downloadResults(
  ctx: JobtaskContext,
  options: DownloadResultsOptions = {},
): Promise<string[]> {
  jobtaskPath(ctx); // validates the ids before anything touches the disk
  const out = resolve(
    options.outputDirectory ??
      join(
        options.cwd ?? ".",
        `project_${ctx.projectId}`,
        `job_${ctx.jobId}`,
        `jobtask_${ctx.jobtaskId}`,
      ),
  );
  await ensurePermission("write", out, `unpacking results into ${out}`);
  await ensurePermission("read", out, `unpacking results into ${out}`);
  const existed = await Deno.stat(out).then(() => true, () => false);
  await Deno.mkdir(out, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    throw new ConfigError({
      setting: "outputDirectory",
      problem: `output directory ${out} exists and is not a folder`,
      fix: "choose another output directory",
    });
  });
  const staging = await createStaging(out);
  const files: string[] = [];
  const limits = { ...DEFAULT_LIMITS, ...options };
  try {
    for await (const entry of resultEntries(ctx, limits, options)) {
      if (entry.kind === "directory") {
        await staging.mkdir(entry.path);
      } else {
        await staging.writeFile(entry.path, entry.read, options.signal);
        files.push(entry.path);
      }
    }
    options.signal?.throwIfAborted();
    await staging.commit(files, { overwrite: options.overwrite });
  } catch (error) {
    if (!(error instanceof IncompleteMoveError)) await staging.discard();
    // A folder this call created is removed again when it stayed empty.
    if (!existed) await Deno.remove(out).catch(() => {});
    throw error;
  }
  return files.sort().map((path) => join(out, path));
}
