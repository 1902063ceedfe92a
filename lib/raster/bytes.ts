/**
 * Random access to a file's bytes, with its size known before any read, so
 * that every offset and length a TIFF declares can be checked against the
 * real end of the file before a read or an allocation. Paths are read by
 * ranges (one read at a time, the file handle has one position), URLs by
 * HTTP ranges, bytes in memory by views.
 *
 * @module
 */
import { clip, errorLine, PermissionError, RasterError } from "../errors.ts";
import { isPermissionFailure } from "../files/permission.ts";
import { isTiff } from "../internal/magic.ts";

/** A readable file of known size. */
export interface ByteSource {
  /** Size in bytes. */
  readonly size: number;
  /** `length` bytes at `offset`; the range must lie inside the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the file handle. */
  close(): Promise<void>;
}

/**
 * A source over bytes in memory.
 *
 * @example
 * ```ts
 * import { memorySource } from "./bytes.ts";
 * const s = memorySource(new Uint8Array([1, 2, 3]));
 * if (s.size !== 3 || (await s.read(1, 2)).join() !== "2,3") throw new Error();
 * ```
 */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
    close: () => Promise.resolve(),
  };
}

function notTiff(name: string): RasterError {
  return new RasterError({
    file: name,
    reason: "format",
    detail: "not a TIFF file",
    fix: "pass a GeoTIFF (.tif)",
  });
}

/**
 * A source over bytes in memory that hold a TIFF file (by its signature);
 * other bytes fail with a `format` {@linkcode RasterError} naming `name`.
 *
 * @example
 * ```ts
 * import { checkedMemorySource } from "./bytes.ts";
 * import { RasterError } from "../errors.ts";
 * const tiff = new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
 * if (checkedMemorySource(tiff, "a.tif").size !== 8) throw new Error();
 * try {
 *   checkedMemorySource(new Uint8Array(8), "b.tif");
 *   throw new Error("accepted");
 * } catch (e) {
 *   if (!(e instanceof RasterError) || e.reason !== "format") throw e;
 * }
 * ```
 */
export function checkedMemorySource(bytes: Uint8Array, name: string): ByteSource {
  if (bytes.length < 8 || !isTiff(bytes)) throw notTiff(name);
  return memorySource(bytes);
}

/**
 * A source over a local file, opened once; reads are serialised.
 *
 * @example
 * ```ts
 * import { fileSource } from "./bytes.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0]));
 * const s = await fileSource(path);
 * if (s.size !== 8 || (await s.read(2, 1))[0] !== 42) throw new Error();
 * await s.close();
 * await Deno.remove(path);
 * ```
 */
export async function fileSource(path: string): Promise<ByteSource> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new RasterError({ file: path, reason: "not-found", detail: "file not found" });
    }
    if (isPermissionFailure(e)) {
      throw new PermissionError({ flag: `--allow-read=${path}`, why: `reading ${path}` }, {
        cause: e,
      });
    }
    throw new RasterError({
      file: path,
      reason: "unreadable",
      detail: `cannot open the file (${errorLine(e)})`,
    }, { cause: e });
  }
  let queue: Promise<unknown> = Promise.resolve();
  const readAt = async (offset: number, length: number): Promise<Uint8Array> => {
    const out = new Uint8Array(length);
    await file.seek(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < length) {
      const n = await file.read(out.subarray(got));
      if (n === null) break;
      got += n;
    }
    return got === length ? out : out.subarray(0, got);
  };
  try {
    const size = (await file.stat()).size;
    const head = await readAt(0, Math.min(8, size));
    if (head.length < 8 || !isTiff(head)) throw notTiff(path);
    return {
      size,
      read: (offset, length) => {
        const result = queue.then(() => readAt(offset, length));
        queue = result.catch(() => {});
        return result;
      },
      close: async () => {
        await queue;
        file.close();
      },
    };
  } catch (e) {
    file.close();
    if (e instanceof RasterError) throw e;
    throw new RasterError({
      file: path,
      reason: "unreadable",
      detail: `cannot read the file (${errorLine(e)})`,
    }, { cause: e });
  }
}

/**
 * A source over an HTTP(S) URL read by `Range` requests; a server that
 * ignores ranges sends the whole file once, kept in memory up to `maxBytes`.
 *
 * @example
 * ```ts ignore
 * import { urlSource } from "./bytes.ts";
 * const s = await urlSource("https://example.com/a.tif", "https://example.com/a.tif", 1e9);
 * ```
 */
export async function urlSource(url: string, name: string, maxBytes: number): Promise<ByteSource> {
  const fail = (detail: string, cause?: unknown) =>
    new RasterError({
      file: name,
      reason: "unreadable",
      detail: `cannot read the GeoTIFF over HTTP (${clip(detail)})`,
      fix: "check the URL and the network",
    }, { cause });
  const get = async (offset: number, length: number) => {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { range: `bytes=${offset}-${offset + length - 1}` },
      });
    } catch (e) {
      throw fail(errorLine(e), e);
    }
    if (response.status !== 206 && response.status !== 200) {
      await response.body?.cancel();
      throw fail(`HTTP ${response.status}`);
    }
    return response;
  };
  const first = await get(0, 65536);
  if (first.status === 200) {
    const declared = Number(first.headers.get("content-length") ?? NaN);
    if (declared > maxBytes) {
      await first.body?.cancel();
      throw fail(`the server ignores ranges and the file has ${declared} bytes`);
    }
    return checkedMemorySource(new Uint8Array(await first.arrayBuffer()), name);
  }
  const total = /\/(\d+)\s*$/.exec(first.headers.get("content-range") ?? "");
  const head = new Uint8Array(await first.arrayBuffer());
  if (!total) throw fail("no total size in Content-Range");
  if (head.length < 8 || !isTiff(head)) throw notTiff(name);
  const size = Number(total[1]);
  return {
    size,
    read: async (offset, length) => {
      if (offset + length <= head.length) return head.subarray(offset, offset + length);
      const response = await get(offset, length);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.status === 200) return bytes.subarray(offset, offset + length);
      return bytes.subarray(0, length);
    },
    close: () => Promise.resolve(),
  };
}
