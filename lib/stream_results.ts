/**
 * The results pipeline without a file system: signed URL → resumable body →
 * length and hash check → (gzip) → tar or zip entries, each name checked,
 * links and devices refused, limits enforced. {@linkcode streamResults} hands
 * the entries to the caller; `downloadResults` writes them to disk.
 *
 * @module
 */
import { type ArchiveLimits, DEFAULT_LIMITS, type RawEntry } from "./archive_entry.ts";
import { jobtaskPath } from "./api.ts";
import { byteReader } from "./byte_reader.ts";
import type { Up42Context } from "./context.ts";
import { quoteName, safeEntryPath, uniquePaths } from "./entry_path.ts";
import { ArchiveError, Up42ApiError } from "./errors.ts";
import { gunzip } from "./inflate.ts";
import { sniffArchive } from "./archive_format.ts";
import { request } from "./request.ts";
import { openResumable } from "./resume.ts";
import { readTar } from "./unpack_tar.ts";
import { readZip } from "./unpack_zip.ts";
import { type HashCheck, parseGoogHash, verifiedStream } from "./verify.ts";

/** Progress of a results download. */
export interface DownloadProgress {
  /** Archive bytes received so far. */
  bytes: number;
  /** The archive's size, when the storage announced it. */
  totalBytes?: number;
  /** Files completely unpacked so far. */
  files: number;
}

/** Options of {@linkcode streamResults}. */
export interface StreamResultsOptions extends Partial<ArchiveLimits> {
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Called as bytes arrive and files complete. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Which announced hashes are checked. Default `auto` (crc32c, else md5). */
  hashes?: HashCheck;
  /** Reconnections after a dropped connection. Default 5. */
  maxResumes?: number;
}

/** One file of the results, as {@linkcode streamResults} yields it. */
export interface ResultEntry {
  /** Path relative to the results folder (`output/` removed), `/`-separated. */
  path: string;
  /** Size in bytes; -1 when the archive does not say before the content (a streamed zip). */
  size: number;
  /** The content. Read it (or cancel it) before asking for the next entry. */
  stream: ReadableStream<Uint8Array>;
}

/** A checked entry of the results: a file or a folder, with a safe relative path. */
export interface CheckedEntry {
  /** Safe relative path. */
  path: string;
  /** Only files and folders get this far. */
  kind: "file" | "directory";
  /** Size in bytes (0 for folders, -1 when unknown until the content has been read). */
  size: number;
  /** Next piece of content; `null` after the last. */
  read(): Promise<Uint8Array | null>;
}

/**
 * Streams the jobtask's results archive and yields each file as
 * `{ path, size, stream }`, with the same safety checks as `downloadResults`
 * (unsafe names, links and devices end the iteration with an
 * {@linkcode ArchiveError} naming the entry). Folders are not yielded.
 *
 * The archive's length and hash can only be checked once its last byte has
 * arrived: the iterator throws an `IntegrityError` after the last
 * entry when they differ. Consume the iterator to its end before trusting
 * (or publishing) what it yielded.
 *
 * @example
 * ```ts ignore
 * import { createContext, streamResults } from "../mod.ts";
 * const ctx = createContext({ jobId: "j", jobtaskId: "t" });
 * for await (const entry of streamResults(ctx)) {
 *   await fetch(`https://upload.example/${entry.path}`, { method: "PUT", body: entry.stream });
 * }
 * ```
 */
export async function* streamResults(
  ctx: Up42Context,
  options: StreamResultsOptions = {},
): AsyncGenerator<ResultEntry> {
  for await (const entry of checkedEntries(ctx, options)) {
    if (entry.kind !== "file") continue;
    let current = true;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!current) {
          return controller.error(
            new ArchiveError(
              `results entry ${
                quoteName(entry.path)
              } was read after the next entry was requested; read each entry's stream first`,
            ),
          );
        }
        const piece = await entry.read();
        if (piece) controller.enqueue(piece.slice());
        else controller.close();
      },
    }, { highWaterMark: 0 });
    yield { path: entry.path, size: entry.size, stream };
    current = false;
  }
}

/**
 * The whole results in memory as `{ path, bytes }`, in archive order: for
 * edge functions that plot or forward results without a file system. Memory
 * grows with the results' size; prefer `streamResults` for large ones.
 *
 * @example
 * ```ts ignore
 * import { createContext, readResults } from "../mod.ts";
 * const files = await readResults(createContext({ jobId: "j", jobtaskId: "t" }));
 * console.log(files.map((f) => `${f.path} ${f.bytes.length}`));
 * ```
 */
export async function readResults(
  ctx: Up42Context,
  options: StreamResultsOptions = {},
): Promise<{ path: string; bytes: Uint8Array }[]> {
  const out: { path: string; bytes: Uint8Array }[] = [];
  for await (const entry of checkedEntries(ctx, options)) {
    if (entry.kind !== "file") continue;
    out.push({ path: entry.path, bytes: await readAll(entry) });
  }
  return out;
}

/** An entry's content in one array: copied once when its size is known. */
async function readAll(entry: CheckedEntry): Promise<Uint8Array> {
  if (entry.size >= 0) {
    const bytes = new Uint8Array(entry.size);
    let at = 0;
    for (let piece = await entry.read(); piece; piece = await entry.read()) {
      bytes.set(piece, at);
      at += piece.length;
    }
    return at === entry.size ? bytes : bytes.subarray(0, at);
  }
  const pieces: Uint8Array[] = [];
  let length = 0;
  for (let piece = await entry.read(); piece; piece = await entry.read()) {
    pieces.push(piece.slice()); // views are only valid until the next read
    length += piece.length;
  }
  const bytes = new Uint8Array(length);
  pieces.reduce((at, piece) => (bytes.set(piece, at), at + piece.length), 0);
  return bytes;
}

/**
 * The checked entries (files and folders) of the results archive; the
 * engine of {@linkcode streamResults} and `downloadResults`. Throws after the
 * last entry when the archive fails its length or hash check.
 *
 * @example
 * ```ts ignore
 * import { checkedEntries } from "./stream_results.ts";
 * for await (const entry of checkedEntries(ctx)) console.log(entry.kind, entry.path);
 * ```
 */
export async function* checkedEntries(
  ctx: Up42Context,
  options: StreamResultsOptions = {},
): AsyncGenerator<CheckedEntry> {
  const limits = { ...DEFAULT_LIMITS, ...options };
  const path = jobtaskPath(ctx, "downloads", "results", "");
  const answer = await request<unknown>(ctx, path, { signal: options.signal });
  const url = typeof answer === "string" ? answer : (answer as { url?: unknown } | null)?.url;
  if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
    throw new Up42ApiError({ method: "GET", path, status: 200, message: "no download URL" });
  }
  const opened = await openResumable(url, { ...ctx, ...options });
  let files = 0;
  let bytes = 0;
  const report = () => options.onProgress?.({ bytes, totalBytes: opened.totalBytes, files: files });
  const raw = await verifiedStream(opened.body, {
    length: opened.totalBytes,
    hashes: parseGoogHash(opened.googHash),
    check: options.hashes,
    onBytes: (n) => {
      bytes = n;
      report();
    },
  });
  const { format, stream } = await sniffArchive(raw);
  const archive = byteReader(format === "gzip" ? gunzip(stream) : stream);
  const entries = format === "zip" ? readZip(archive) : readTar(archive);
  const checkPath = uniquePaths();
  let count = 0;
  let total = 0;
  const addBytes = (n: number) => {
    if ((total += n) > limits.maxBytes) {
      throw overLimit(`more than ${limits.maxBytes} bytes unpacked`, "maxBytes");
    }
  };
  try {
    for await (const entry of entries) {
      options.signal?.throwIfAborted();
      if (++count > limits.maxEntries) {
        throw overLimit(`more than ${limits.maxEntries} entries`, "maxEntries");
      }
      if (entry.kind !== "file" && entry.kind !== "directory") refuseKind(entry);
      const safe = safeEntryPath(entry.name);
      if (safe === "") {
        if (entry.kind === "directory") continue;
        throw new ArchiveError(
          `refused results archive entry ${
            quoteName(entry.name)
          }: a file where the results folder should be; nothing was written (the archive is unsafe, ask UP42 support for a clean one)`,
        );
      }
      checkPath(safe, entry.kind as "file" | "directory", entry.name);
      // Announced sizes fail early; an unknown size (-1) is counted as the bytes come.
      if (entry.size > 0) addBytes(entry.size);
      const read = entry.size >= 0 ? entry.read : async () => {
        const piece = await entry.read();
        if (piece) addBytes(piece.length);
        return piece;
      };
      yield { path: safe, kind: entry.kind as "file" | "directory", size: entry.size, read };
      if (entry.kind === "file") {
        files++;
        report();
      }
    }
    // Everything after the archive's end marker is read too: the hash covers it.
    for (let piece = await archive.read(1 << 20); piece; piece = await archive.read(1 << 20)) {
      if ((total += piece.length) > limits.maxBytes) {
        throw overLimit(`more than ${limits.maxBytes} bytes`, "maxBytes");
      }
    }
  } finally {
    await archive.cancel();
  }
}

function refuseKind(entry: RawEntry): never {
  const what = entry.kind === "symlink"
    ? "a symbolic link"
    : entry.kind === "hardlink"
    ? "a hard link"
    : entry.kind === "fifo"
    ? "a FIFO"
    : entry.kind === "other"
    ? "of an unsupported kind"
    : "a device";
  throw new ArchiveError(
    `refused results archive entry ${
      quoteName(entry.name)
    }: it is ${what}, which is never created; nothing was written (the archive is unsafe, ask UP42 support for a clean one)`,
  );
}

function overLimit(what: string, option: string): ArchiveError {
  return new ArchiveError(
    `results archive stopped: ${what} (a decompression bomb or unusually large results); nothing was written, raise the ${option} option if the results are genuine`,
  );
}
