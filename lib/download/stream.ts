/**
 * Results without a disk: `streamResults` hands each file to the caller as
 * a stream; `readResults` gathers them in memory as `{ name, bytes }`, the
 * shape plots, maps and renders take.
 *
 * @module
 */
import type { JobtaskContext } from "../client/types.ts";
import { ArchiveError } from "../errors.ts";
import type { NamedBytes } from "../files/named_bytes.ts";
import { DEFAULT_LIMITS, DEFAULT_MEMORY_LIMITS } from "./archive/mod.ts";
import { resultEntries, type StreamResultsOptions } from "./pipeline.ts";
import { readAll } from "./sink/memory.ts";

/** One file of the results, as {@linkcode streamResults} yields it. */
export interface ResultEntry {
  /** Path relative to the results folder (`output/` removed), `/`-separated. */
  name: string;
  /** Size in bytes; -1 when the archive does not say before the content (a streamed zip). */
  size: number;
  /** The content. Read it (or cancel it) before asking for the next entry. */
  stream: ReadableStream<Uint8Array>;
}

/**
 * Streams the jobtask's results archive and yields each file as
 * `{ name, size, stream }`, with the same safety checks as
 * `downloadResults` (unsafe names, links and devices end the iteration with
 * an `ArchiveError` naming the entry). Folders are not yielded.
 *
 * The archive's length and hash can only be checked once its last byte has
 * arrived: the iterator throws an `IntegrityError` after the last entry
 * when they differ. Consume the iterator to its end before trusting (or
 * publishing) what it yielded.
 *
 * @example
 * ```ts
 * import { createContext, streamResults } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * let bytes = 0;
 * for await (const entry of streamResults(ctx)) bytes += (await new Response(entry.stream).arrayBuffer()).byteLength;
 * if (bytes === 0) throw new Error();
 * ```
 */
export async function* streamResults(
  ctx: JobtaskContext,
  options: StreamResultsOptions = {},
): AsyncGenerator<ResultEntry> {
  const limits = { ...DEFAULT_LIMITS, ...options };
  for await (const entry of resultEntries(ctx, limits, options)) {
    if (entry.kind !== "file") continue;
    let current = true;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!current) {
          return controller.error(
            new ArchiveError({
              reason: "unsupported",
              entry: entry.path,
              detail:
                "it was read after the next entry was requested; read each entry's stream first",
            }),
          );
        }
        const piece = await entry.read();
        if (piece) controller.enqueue(piece.slice());
        else controller.close();
      },
    }, { highWaterMark: 0 });
    yield { name: entry.path, size: entry.size, stream };
    current = false;
  }
}

/**
 * The whole results in memory as `{ name, bytes }`, in archive order: for
 * edge functions that plot or forward results without a file system. At
 * most `maxBytes` in all (default 512 MiB, {@linkcode DEFAULT_MEMORY_LIMITS}):
 * a bomb stops with an `ArchiveError` long before memory runs out; prefer
 * `streamResults` for large results.
 *
 * @example
 * ```ts
 * import { createContext, readResults } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.processing });
 * const files = await readResults(ctx);
 * if (!files.some((f) => f.name === "data.json")) throw new Error();
 * ```
 */
export async function readResults(
  ctx: JobtaskContext,
  options: StreamResultsOptions = {},
): Promise<NamedBytes[]> {
  const limits = { ...DEFAULT_MEMORY_LIMITS, ...options };
  const out: NamedBytes[] = [];
  for await (const entry of resultEntries(ctx, limits, options)) {
    if (entry.kind !== "file") continue;
    out.push({ name: entry.path, bytes: await readAll(entry.size, entry.read) });
  }
  return out;
}
