/**
 * The unpacking download: archive entries streamed into a staging folder,
 * then, once the archive verified, moved into place together with the
 * manifest, which moves last. A manifest therefore only ever describes
 * files that are in place; a failed move is rolled back with the old
 * manifest restored.
 *
 * @module
 */
import type { JobtaskContext } from "../client/types.ts";
import { MANIFEST_NAME, type ManifestFile } from "../files/manifest.ts";
import { type CheckOptions, DEFAULT_LIMITS } from "./archive/mod.ts";
import { ConfigError } from "../errors.ts";
import { freeBytes } from "../files/free_space.ts";
import { draftName, manifestBytes, type ManifestDraft } from "./manifest.ts";
import type { DownloadResultsOptions } from "./options.ts";
import { type DownloadProgress, resultEntries } from "./pipeline.ts";
import { createStaging, IncompleteMoveError } from "./sink/staging.ts";
import type { ResultsSource } from "./source/mod.ts";
import { announcedArchive } from "./up_to_date.ts";

/** What a completed download put in place. */
export interface Written {
  /** Relative paths of the files written, sorted (the manifest not included). */
  files: string[];
  /** Archive bytes received. */
  bytes: number;
}

/**
 * Downloads, verifies and unpacks the jobtask's results into `out` (which
 * exists), with its manifest.
 *
 * @example
 * ```ts
 * import { unpackResults } from "./unpack.ts";
 * import { createContext } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * const dir = await Deno.makeTempDir();
 * const { files } = await unpackResults(ctx, dir, {}, { jobtaskName: "pansharpen:1" });
 * if (!files.includes("data.json")) throw new Error(files.join());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function unpackResults(
  ctx: JobtaskContext,
  out: string,
  options: DownloadResultsOptions,
  draft: ManifestDraft & { url?: string },
): Promise<Written> {
  const disk = await diskRoom(out, options.minFreeBytes);
  const staging = await createStaging(out);
  const records: ManifestFile[] = [];
  const limits = { ...DEFAULT_LIMITS, ...options };
  let source: ResultsSource | undefined;
  let last: DownloadProgress = { bytes: 0, files: 0 };
  const onProgress = (progress: DownloadProgress) => {
    last = progress;
    options.onProgress?.(progress);
  };
  try {
    const entries = resultEntries(ctx, limits, { ...options, onProgress, disk }, {
      url: draft.url,
      onOpen: (opened) => source = opened,
      progress: { state: "downloading" },
    });
    for await (const entry of entries) {
      if (entry.kind === "directory") {
        await staging.mkdir(entry.path);
      } else {
        const staged = await staging.writeFile(entry.path, entry.read, options.signal);
        records.push({ path: entry.path, ...staged });
      }
    }
    options.signal?.throwIfAborted();
    const archive = announcedArchive(
      source?.totalBytes ?? last.bytes,
      source?.googHash ?? null,
      source?.etag ?? null,
    );
    const jobtaskName = await draftName(draft);
    const manifest = manifestBytes(ctx, { jobtaskName, unpacked: true, archive, files: records });
    let sent = false;
    await staging.writeFile(
      MANIFEST_NAME,
      () => Promise.resolve(sent ? null : (sent = true, manifest)),
    );
    const files = records.map((r) => r.path);
    await staging.commit([...files, MANIFEST_NAME], {
      overwrite: options.overwrite,
      replace: [MANIFEST_NAME],
    });
    return { files: files.sort(), bytes: last.bytes };
  } catch (error) {
    if (error instanceof IncompleteMoveError) await staging.keep();
    else await staging.discard();
    throw error;
  }
}

const GIB = 1024 ** 3;

/** How many bytes the results may take on `out`'s file system, when that can be told. */
async function diskRoom(
  out: string,
  minFreeBytes: number | undefined,
): Promise<CheckOptions["disk"]> {
  const free = await freeBytes(out);
  if (free === undefined) return undefined;
  const keep = minFreeBytes ?? Math.min(GIB, Math.floor(free / 10));
  const bytes = Math.max(0, free - keep);
  const size = (n: number) => `${(n / GIB).toFixed(2)} GiB`;
  return {
    bytes,
    refuse: (needed) =>
      new ConfigError({
        setting: "outputDirectory",
        problem: `the results need more than the ${
          size(bytes)
        } the file system of ${out} can spare (${size(free)} free, ${size(keep)} kept free; ${
          size(needed)
        } needed so far); nothing was written`,
        fix:
          "free some space or choose another output directory (minFreeBytes sets what is kept free)",
      }),
  };
}
