/**
 * `downloadResults`: the jobtask's results archive streamed, verified and
 * unpacked into a folder, atomically, and only when the folder does not
 * hold them already.
 *
 * @module
 */
import type { JobtaskContext } from "../client/types.ts";
import { downloadJobtask } from "./jobtask.ts";
import type { DownloadResultsOptions } from "./options.ts";

export type { DownloadResultsOptions } from "./options.ts";

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
 * Incremental: a completed download writes `.up42-manifest.json` (the
 * archive's size, hashes and ETag; every file with its size and checksum)
 * into the folder, moved into place last. Run again into the same folder,
 * it first probes the signed URL with a one-byte `Range` request; when the
 * object is the one the manifest records and the files are intact
 * (`verify`), nothing is downloaded and the same paths are returned
 * (`onProgress` reports `state: "up-to-date"`). `force` downloads anyway.
 * A staging folder a killed process left behind (`.up42-staging-{pid}-*`,
 * whose lock died with its owner) is removed by the next download into the
 * folder. With `unpack: false` the verified archive itself is saved
 * (`output.tgz`, `output.zip` or `output.tar`), and a partial one a failed
 * or killed run left is resumed with a `Range` request.
 *
 * Cancelling (`signal`) removes the staging folder before the call
 * rejects; to cancel on Ctrl-C or `SIGTERM`, pass the signal of
 * `cancelOnSignals()`.
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
  return (await downloadJobtask(ctx, options)).files;
}
