/**
 * One jobtask's results to disk, incrementally: the folder is prepared
 * (created, dead staging folders removed), an up-to-date folder is left as
 * it is, anything else is downloaded (unpacked, or the archive kept) and
 * described by a manifest. `downloadResults` and `downloadJobResults` both
 * run this.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { jobtaskPath } from "../client/ids.ts";
import type { JobtaskContext } from "../client/types.ts";
import { readManifest } from "../files/manifest.ts";
import { makeOutputFolder, refuseBroadOutput } from "../files/output_folder.ts";
import { ensurePermission } from "../files/permission.ts";
import { jobtaskInfo } from "../jobtask/info.ts";
import { saveArchive } from "./keep_archive.ts";
import type { DownloadResultsOptions } from "./options.ts";
import { removeStaleStaging } from "./sink/stale.ts";
import { probeObject, resultsUrl, transportOf } from "./source/mod.ts";
import { unpackResults } from "./unpack.ts";
import { announcedArchive, damagedFile, sameArchive } from "./up_to_date.ts";

/** What one jobtask's download did. */
export interface JobtaskOutcome {
  /** The folder of its results (absolute). */
  directory: string;
  /** `written`: downloaded now; `up-to-date`: the folder already held these results. */
  state: "written" | "up-to-date";
  /** Absolute paths of its files, sorted (the manifest not included). */
  files: string[];
  /** Archive bytes downloaded now (0 when up to date). */
  bytes: number;
}

/** Internal options: what the job-level call already knows. */
export interface JobtaskHints {
  /** The jobtask's name, when known (else looked up, best effort). */
  jobtaskName?: string | null;
}

/**
 * Downloads `ctx`'s jobtask results into its folder unless that folder is
 * up to date (see `downloadResults` for what the options do).
 *
 * @example
 * ```ts
 * import { downloadJobtask } from "./jobtask.ts";
 * import { createContext } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.zip });
 * const dir = await Deno.makeTempDir();
 * const first = await downloadJobtask(ctx, { outputDirectory: dir });
 * const again = await downloadJobtask(ctx, { outputDirectory: dir });
 * if (first.state !== "written" || again.state !== "up-to-date" || again.bytes !== 0) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function downloadJobtask(
  ctx: JobtaskContext,
  options: DownloadResultsOptions = {},
  hints: JobtaskHints = {},
): Promise<JobtaskOutcome> {
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
  refuseBroadOutput(out, options.allowRootOrHomeOutput);
  await ensurePermission("write", out, `unpacking results into ${out}`);
  await ensurePermission("read", out, `unpacking results into ${out}`);
  const existed = await Deno.stat(out).then(() => true, () => false);
  await makeOutputFolder(out);
  const unpack = options.unpack ?? true;
  const absolute = (files: string[]) => files.map((path) => join(out, path));
  try {
    if (existed) await removeStaleStaging(out);
    let url: string | undefined;
    const manifest = options.force ? undefined : await readManifest(out);
    if (manifest && manifest.unpacked === unpack && manifest.jobtaskId === ctx.jobtaskId) {
      options.onProgress?.({ bytes: 0, files: 0, state: "checking" });
      url = await resultsUrl(ctx, { signal: options.signal });
      const probe = await probeObject(url, transportOf(ctx, options.signal));
      const now = probe.totalBytes === undefined
        ? undefined
        : announcedArchive(probe.totalBytes, probe.googHash, probe.etag);
      if (
        now && sameArchive(manifest.archive, now) &&
        await damagedFile(out, manifest.files, options.verify ?? "quick") === undefined
      ) {
        const files = manifest.files.map((f) => f.path);
        options.onProgress?.({ bytes: 0, files: files.length, state: "up-to-date" });
        return { directory: out, state: "up-to-date", files: absolute(files), bytes: 0 };
      }
    }
    const jobtaskName = hints.jobtaskName !== undefined
      ? hints.jobtaskName
      : () => nameOf(ctx, options.signal);
    const draft = { jobtaskName, url };
    const written = unpack
      ? await unpackResults(ctx, out, options, draft)
      : await saveArchive(ctx, out, options, draft);
    options.onProgress?.({
      bytes: written.bytes,
      totalBytes: written.bytes,
      files: written.files.length,
      state: "written",
    });
    return {
      directory: out,
      state: "written",
      files: absolute(written.files),
      bytes: written.bytes,
    };
  } catch (error) {
    // A folder this call created is removed again when it stayed empty.
    if (!existed) await Deno.remove(out).catch(() => {});
    throw error;
  }
}

/**
 * The jobtask's name for its manifest, asked once the download succeeded,
 * in one attempt: `null` when the API does not say at once (it never fails
 * or delays the download).
 */
async function nameOf(ctx: JobtaskContext, signal?: AbortSignal): Promise<string | null> {
  try {
    const info = await jobtaskInfo({ ...ctx, retry: { ...ctx.retry, retries: 0 } }, { signal });
    return typeof info.name === "string" ? info.name : null;
  } catch (error) {
    if (signal?.aborted) throw error;
    return null;
  }
}
