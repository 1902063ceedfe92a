/**
 * The archive-keeping download (`unpack: false`): the verified archive
 * itself is saved, for formats whose users want the archive (a SAFE
 * product, a delivery to pass on) rather than its contents.
 *
 * The bytes go to `.up42-partial` in the output folder, described by
 * `.up42-partial.json` (the object's size, hashes and ETag). Once the
 * length and `x-goog-hash` check passed, the file is renamed to
 * `output.tgz`, `output.zip` or `output.tar` (named by its format) and
 * the manifest is written. A run that fails on the network, is cancelled
 * or is killed keeps the partial file: the next run probes the object and,
 * when it is the same one (size and hashes), continues it with a `Range`
 * request from the partial file's end, re-reading the part it has to seed
 * the hash check (local reading is far cheaper than downloading again).
 * Bytes that fail verification are deleted, never resumed. The partial
 * file is locked while a process writes it, so a second process
 * downloading into the same folder at once is refused rather than
 * interleaved.
 *
 * @module
 */
import { join } from "node:path";
import type { JobtaskContext } from "../client/types.ts";
import { ArchiveError, ConfigError, IntegrityError } from "../errors.ts";
import { writeFileAtomic } from "../files/atomic_write.ts";
import { createChecksum } from "../files/checksum.ts";
import { isManifestArchive, MANIFEST_NAME, type ManifestArchive } from "../files/manifest.ts";
import { PARTIAL_PREFIX } from "../files/names.ts";
import { sniffArchive } from "./archive/sniff.ts";
import { draftName, manifestBytes, type ManifestDraft } from "./manifest.ts";
import type { DownloadResultsOptions } from "./options.ts";
import type { DownloadProgress } from "./pipeline.ts";
import { probeObject, resultsUrl, transportOf } from "./source/mod.ts";
import { openResumable, type ResumableBody } from "./source/resumable.ts";
import { verifiedStream } from "./source/verify.ts";
import type { Written } from "./unpack.ts";
import { announcedArchive, sameArchive } from "./up_to_date.ts";

const META = `${PARTIAL_PREFIX}.json`;
const EXTENSIONS = { gzip: "tgz", zip: "zip", tar: "tar" } as const;

/**
 * Downloads the jobtask's results archive into `out` (which exists) as
 * `output.{tgz,zip,tar}`, verified, resuming a partial file a previous run
 * left.
 *
 * @example
 * ```ts
 * import { saveArchive } from "./keep_archive.ts";
 * import { createContext } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.zip });
 * const dir = await Deno.makeTempDir();
 * const { files } = await saveArchive(ctx, dir, {}, { jobtaskName: null });
 * if (files.join() !== "output.zip") throw new Error(files.join());
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveArchive(
  ctx: JobtaskContext,
  out: string,
  options: DownloadResultsOptions,
  draft: ManifestDraft & { url?: string },
): Promise<Written> {
  const partialPath = join(out, PARTIAL_PREFIX);
  const metaPath = join(out, META);
  using partial = await Deno.open(partialPath, { read: true, write: true, create: true });
  if (!await partial.tryLock(true)) {
    throw new ConfigError({
      setting: "outputDirectory",
      problem: `another process is downloading into ${out}`,
      fix: "wait for it to finish, or choose another output directory",
    });
  }
  try {
    return await download(ctx, out, partial, options, draft);
  } catch (error) {
    // Verified-bad bytes are never resumed, and an empty start is not worth keeping.
    const empty = (await partial.stat().catch(() => undefined))?.size === 0;
    if (empty || error instanceof IntegrityError || error instanceof ArchiveError) {
      await Deno.remove(partialPath).catch(() => {});
      await Deno.remove(metaPath).catch(() => {});
    }
    throw error;
  }
}

async function download(
  ctx: JobtaskContext,
  out: string,
  partial: Deno.FsFile,
  options: DownloadResultsOptions,
  draft: ManifestDraft & { url?: string },
): Promise<Written> {
  const partialPath = join(out, PARTIAL_PREFIX);
  const metaPath = join(out, META);
  const url = draft.url ?? await resultsUrl(ctx, { signal: options.signal });
  const transport = transportOf(ctx, options.signal);
  let from = (await partial.stat()).size;
  let recorded = from > 0 ? await readMeta(metaPath) : undefined;
  if (recorded) {
    const probe = await probeObject(url, transport);
    const now = probe.totalBytes === undefined
      ? undefined
      : announcedArchive(probe.totalBytes, probe.googHash, probe.etag);
    if (!now || !sameArchive(recorded, now) || from > now.size) recorded = undefined;
  }
  if (!recorded) from = 0;
  await partial.truncate(from);

  let opened: ResumableBody | undefined;
  if (!recorded || from < recorded.size) {
    opened = await openResumable(url, { ...transport, maxResumes: options.maxResumes, from });
    const announced = announcedArchive(opened.totalBytes ?? -1, opened.googHash, opened.etag);
    if (recorded && !sameArchive(recorded, announced)) {
      await opened.body.cancel();
      throw new IntegrityError({ subject: "results download", check: "changed" });
    }
    if (!recorded && announced.size >= 0) {
      await writeFileAtomic(metaPath, new TextEncoder().encode(JSON.stringify(announced)), {
        setting: "outputDirectory",
      });
    }
    recorded = announced;
  }
  const archive = recorded!;

  const progress: DownloadProgress = { bytes: 0, files: 0, state: "downloading" };
  if (archive.size >= 0) progress.totalBytes = archive.size;
  const report = () => options.onProgress?.({ ...progress });
  const checksum = await createChecksum();
  const body = await verifiedStream(concatStreams(readPrefix(partialPath, from), opened?.body), {
    length: archive.size >= 0 ? archive.size : undefined,
    hashes: { crc32c: archive.crc32c ?? undefined, md5: archive.md5 ?? undefined },
    check: options.hashes,
    onBytes: (n) => {
      progress.bytes = n;
      report();
    },
  });
  let head = new Uint8Array(0);
  let at = 0;
  await partial.seek(from, Deno.SeekMode.Start);
  for await (const chunk of body) {
    options.signal?.throwIfAborted();
    checksum.update(chunk);
    if (head.length < 512) head = concat(head, chunk.subarray(0, 512 - head.length));
    const skip = Math.max(0, Math.min(chunk.length, from - at));
    at += chunk.length;
    // The network's chunks are views of a reused buffer: written before the next read.
    for (let i = skip; i < chunk.length;) i += await partial.write(chunk.subarray(i));
  }
  const { format, stream } = await sniffArchive(new Blob([head]).stream());
  await stream.cancel();
  const name = `output.${EXTENSIONS[format]}`;
  const target = join(out, name);
  if (options.overwrite === false && await Deno.lstat(target).then(() => true, () => false)) {
    throw new ConfigError({
      setting: "outputDirectory",
      problem: `results file ${target} already exists; nothing was written`,
      fix:
        "pass overwrite (or drop --no-overwrite) to replace it, or choose another output directory",
    });
  }
  const size = at;
  await Deno.remove(join(out, MANIFEST_NAME)).catch(() => {});
  await Deno.rename(partialPath, target);
  await Deno.remove(metaPath).catch(() => {});
  const mtimeMs = (await Deno.stat(target)).mtime?.getTime() ?? 0;
  const manifest = manifestBytes(ctx, {
    jobtaskName: await draftName(draft),
    unpacked: false,
    archive: { ...archive, size },
    files: [{ path: name, size, crc32: checksum.digest(), mtimeMs }],
  });
  await writeFileAtomic(join(out, MANIFEST_NAME), manifest, { setting: "outputDirectory" });
  progress.files = 1;
  report();
  return { files: [name], bytes: size - from };
}

async function readMeta(path: string): Promise<ManifestArchive | undefined> {
  try {
    const value = JSON.parse(await Deno.readTextFile(path));
    return isManifestArchive(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The first `length` bytes of the file at `path`, as a stream (empty for 0). */
function readPrefix(path: string, length: number): ReadableStream<Uint8Array> {
  let file: Deno.FsFile | undefined;
  let left = length;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (left <= 0) {
        file?.close();
        return controller.close();
      }
      file ??= await Deno.open(path);
      const buffer = new Uint8Array(Math.min(1 << 20, left));
      const n = await file.read(buffer);
      if (n === null) {
        file.close();
        return controller.error(new Error(`${path} shrank while being resumed`));
      }
      left -= n;
      controller.enqueue(buffer.subarray(0, n));
    },
    cancel() {
      file?.close();
    },
  }, { highWaterMark: 0 });
}

function concatStreams(
  first: ReadableStream<Uint8Array>,
  second?: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  const readers = [first.getReader(), ...(second ? [second.getReader()] : [])];
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (readers.length) {
        const { done, value } = await readers[0].read();
        if (!done) return controller.enqueue(value);
        readers.shift();
      }
      controller.close();
    },
    async cancel(reason) {
      for (const reader of readers) await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
