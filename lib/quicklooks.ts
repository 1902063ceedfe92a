/**
 * `downloadQuicklooks`: the jobtask's quicklook images written to disk, a
 * few at a time, each file atomically (temporary file, then rename), named
 * `quicklook_{id}` with an image extension so `plotQuicklooks` can read them.
 *
 * @module
 */
import { join } from "node:path";
import { jobtaskPath } from "./api.ts";
import type { Up42Context } from "./context.ts";
import { errorLine, IntegrityError, Up42ApiError } from "./errors.ts";
import { validateId } from "./ids.ts";
import { decodeImage, sniffFormat, toPng } from "./png.ts";
import { request, requestResponse } from "./request.ts";

/** Options of {@linkcode downloadQuicklooks}. */
export interface DownloadQuicklooksOptions {
  /**
   * The folder to write into (created when missing). Default
   * `{cwd}/project_{projectId}/job_{jobId}`, as in the Python SDK.
   */
  outputDirectory?: string;
  /** Base of the default output directory. Default `.` (the working directory). */
  cwd?: string;
  /** Quicklooks downloaded at once. Default 4. */
  concurrency?: number;
  /** Cancels the downloads. */
  signal?: AbortSignal;
}

const EXTENSIONS: Record<string, string> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/jpg": ".jpg",
  "image/webp": ".webp",
  "image/tiff": ".tif",
};

/**
 * Lists the jobtask's quicklooks and downloads them, returning the written
 * paths in the API's order. A file is named `quicklook_{id}` plus `.png` or
 * `.jpg` (from the `Content-Type`, else the image's first bytes) unless the id
 * already ends in an image extension. A failing quicklook fails the call with
 * its id named; no partial file is left (quicklooks already complete stay).
 *
 * Permissions: `--allow-net` for the API, `--allow-write` (and `--allow-read`
 * for the rename) for the output directory.
 *
 * @example
 * ```ts ignore
 * import { createContext, downloadQuicklooks, plotQuicklooks } from "../mod.ts";
 * const ctx = createContext({ jobId: "j", jobtaskId: "t" });
 * const paths = await downloadQuicklooks(ctx, { outputDirectory: "quicklooks" });
 * await plotQuicklooks({ filepaths: paths, output: "quicklooks.png" });
 * ```
 */
export async function downloadQuicklooks(
  ctx: Up42Context,
  options: DownloadQuicklooksOptions = {},
): Promise<string[]> {
  const out = options.outputDirectory ??
    join(options.cwd ?? ".", `project_${ctx.projectId}`, `job_${ctx.jobId}`);
  const ids = await listQuicklooks(ctx, { signal: options.signal });
  await Deno.mkdir(out, { recursive: true });
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const paths: string[] = new Array(ids.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < ids.length && failure === undefined) {
      const index = next++;
      try {
        paths[index] = await downloadOne(ctx, out, ids[index] as string, signal);
      } catch (error) {
        failure ??= error;
        stop.abort(error);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, ids.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure !== undefined) throw failure;
  return paths;
}

/**
 * The ids of the jobtask's quicklooks, in the API's order, each validated.
 *
 * @example
 * ```ts ignore
 * import { createContext, listQuicklooks } from "../mod.ts";
 * console.log(await listQuicklooks(createContext({ jobId: "j", jobtaskId: "t" })));
 * ```
 */
export async function listQuicklooks(
  ctx: Up42Context,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const listPath = jobtaskPath(ctx, "outputs", "quicklooks", "");
  const ids = await request<unknown>(ctx, listPath, { signal: options.signal });
  if (!Array.isArray(ids)) {
    throw new Up42ApiError({
      method: "GET",
      path: listPath,
      status: 200,
      message: "expected a list of quicklook ids",
    });
  }
  return ids.map((id) => validateId("quicklook id", id));
}

/** A quicklook in memory. */
export interface Quicklook {
  /** Its id. */
  id: string;
  /** The image bytes (PNG when `asPng` was asked for). */
  bytes: Uint8Array<ArrayBuffer>;
  /** Their media type, e.g. `image/png`. */
  contentType: string;
}

/**
 * One quicklook in memory, for processes without a file system; with
 * `asPng` a JPEG quicklook is converted to PNG.
 *
 * @example
 * ```ts ignore
 * import { createContext, listQuicklooks, readQuicklook } from "../mod.ts";
 * const ctx = createContext({ jobId: "j", jobtaskId: "t" });
 * const [first] = await listQuicklooks(ctx);
 * const png = await readQuicklook(ctx, first, { asPng: true });
 * ```
 */
export async function readQuicklook(
  ctx: Up42Context,
  id: string,
  options: { signal?: AbortSignal; asPng?: boolean } = {},
): Promise<Quicklook> {
  const signal = options.signal ?? new AbortController().signal;
  validateId("quicklook id", id);
  const path = jobtaskPath(ctx, "outputs", "quicklooks", encodeURIComponent(id));
  const response = await requestResponse(ctx, path, {
    accept: "image/png, image/jpeg, image/*",
    signal,
  });
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new Up42ApiError({
      method: "GET",
      path,
      status: response.status,
      message: `the download of quicklook ${id} broke off (${errorLine(error).slice(0, 160)})`,
      hint: "try again",
    }, { cause: error });
  }
  const announced = response.headers.get("content-length");
  if (announced !== null && Number(announced) !== bytes.length) {
    throw new IntegrityError(
      `quicklook ${id}: ${bytes.length} bytes arrived of the announced ${announced}; nothing was written for it, try again`,
    );
  }
  const contentType = response.headers.get("content-type") ?? "application/octet-stream";
  if (options.asPng && sniffFormat(bytes) !== "png") {
    const png = toPng(decodeImage(bytes, `quicklook ${id}`)) as Uint8Array<ArrayBuffer>;
    return { id, bytes: png, contentType: "image/png" };
  }
  return { id, bytes, contentType };
}

async function downloadOne(
  ctx: Up42Context,
  out: string,
  id: string,
  signal: AbortSignal,
): Promise<string> {
  const { bytes, contentType } = await readQuicklook(ctx, id, { signal });
  const name = `quicklook_${id}${extensionFor(id, contentType, bytes)}`;
  const target = join(out, name);
  const temp = join(out, `.${name}.${crypto.randomUUID().slice(0, 8)}.part`);
  try {
    await Deno.writeFile(temp, bytes, { createNew: true });
    signal.throwIfAborted();
    await Deno.rename(temp, target);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  return target;
}

/**
 * The extension a quicklook file gets: none when `id` already ends in an
 * image extension, else from the content type, else from the magic bytes.
 *
 * @example
 * ```ts
 * import { extensionFor } from "./quicklooks.ts";
 * extensionFor("S2A_123", "image/png", new Uint8Array()); // ".png"
 * extensionFor("S2B_456.jpg", "image/jpeg", new Uint8Array()); // ""
 * ```
 */
export function extensionFor(id: string, contentType: string | null, bytes: Uint8Array): string {
  if (/\.(png|jpe?g|webp|tiff?)$/i.test(id)) return "";
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (EXTENSIONS[type]) return EXTENSIONS[type];
  const sniffed = sniffFormat(bytes);
  return sniffed === "png" ? ".png" : sniffed === "jpeg" ? ".jpg" : "";
}
