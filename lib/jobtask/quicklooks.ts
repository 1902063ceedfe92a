/**
 * Quicklooks in memory: the jobtask's quicklook ids, and one quicklook's
 * bytes, checked to be an image (an HTML error page served with status 200
 * is refused, not returned as a picture).
 *
 * @module
 */
import { jobtaskPath, validateId } from "../client/ids.ts";
import { request, requestResponse } from "../client/request.ts";
import type { JobtaskContext } from "../client/types.ts";
import { errorLine, IntegrityError, NetworkError, Up42ApiError } from "../errors.ts";
import {
  IMAGE_EXTENSIONS,
  IMAGE_MEDIA_TYPES,
  type ImageFormat,
  imageFormat,
} from "../internal/magic.ts";

/**
 * The ids of the jobtask's quicklooks, in the API's order, each validated.
 *
 * @example
 * ```ts
 * import { createContext, listQuicklooks } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.dataBlock });
 * if ((await listQuicklooks(ctx)).length !== 2) throw new Error();
 * ```
 */
export async function listQuicklooks(
  ctx: JobtaskContext,
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

/** A quicklook in memory, in the `{ name, bytes }` shape plots and maps take. */
export interface Quicklook {
  /** Its id. */
  id: string;
  /** A file name for it: `quicklook_{id}` with the extension of its format. */
  name: string;
  /** The image bytes (PNG when `asPng` was asked for). */
  bytes: Uint8Array<ArrayBuffer>;
  /** The image format, told from the bytes. */
  format: ImageFormat;
  /** Their media type, e.g. `image/png`. */
  contentType: string;
}

/** Options of {@linkcode readQuicklook}. */
export interface ReadQuicklookOptions {
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Convert a JPEG quicklook to PNG. Default false. */
  asPng?: boolean;
}

/**
 * One quicklook in memory, for processes without a file system; with
 * `asPng` a JPEG quicklook is converted to PNG. Bytes that are not an image
 * (PNG, JPEG, WebP, GIF or TIFF by their first bytes) are an `Up42ApiError`.
 *
 * @example
 * ```ts
 * import { createContext, listQuicklooks, readQuicklook } from "@up42/jobtask";
 * import { startEmulator } from "@up42/jobtask/emulator";
 * await using emulator = await startEmulator();
 * const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: emulator.jobtasks.dataBlock });
 * const [, second] = await listQuicklooks(ctx);
 * const png = await readQuicklook(ctx, second, { asPng: true });
 * if (png.format !== "png" || !png.name.endsWith(".png")) throw new Error(png.name);
 * ```
 */
export async function readQuicklook(
  ctx: JobtaskContext,
  id: string,
  options: ReadQuicklookOptions = {},
): Promise<Quicklook> {
  validateId("quicklook id", id);
  const path = jobtaskPath(ctx, "outputs", "quicklooks", encodeURIComponent(id));
  const response = await requestResponse(ctx, path, {
    accept: "image/png, image/jpeg, image/*",
    signal: options.signal,
  });
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new NetworkError({
      reason: "dropped",
      method: "GET",
      path,
      host: new URL(ctx.apiUrl).host,
      detail: `the download of quicklook ${id} broke off (${errorLine(error)})`,
      attempts: 1,
      elapsedMs: 0,
    }, { cause: error });
  }
  const announced = response.headers.get("content-length");
  if (announced !== null && Number(announced) !== bytes.length) {
    throw new IntegrityError({
      subject: `quicklook ${id}`,
      check: "length",
      expected: Number(announced),
      actual: bytes.length,
    });
  }
  const format = imageFormat(bytes);
  if (!format) {
    throw new Up42ApiError({
      method: "GET",
      path,
      status: response.status,
      message: `quicklook ${id} is not an image (${
        response.headers.get("content-type") ?? "no content type"
      })`,
      hint: "try again later; report it to UP42 support if it persists",
    });
  }
  if (options.asPng && format !== "png") {
    const { decodeImage } = await import("../image/decode.ts");
    const { encodePng } = await import("../image/png.ts");
    const png = await encodePng(decodeImage(bytes, `quicklook ${id}`)) as Uint8Array<ArrayBuffer>;
    return {
      id,
      name: quicklookName(id, "png"),
      bytes: png,
      format: "png",
      contentType: "image/png",
    };
  }
  return {
    id,
    name: quicklookName(id, format),
    bytes,
    format,
    contentType: IMAGE_MEDIA_TYPES[format],
  };
}

/**
 * The file name of a quicklook: `quicklook_{id}` plus the extension of its
 * format, unless the id already ends in that extension.
 *
 * @example
 * ```ts
 * import { quicklookName } from "@up42/jobtask";
 * if (quicklookName("S2A_123", "png") !== "quicklook_S2A_123.png") throw new Error();
 * if (quicklookName("S2B_456.jpg", "jpeg") !== "quicklook_S2B_456.jpg") throw new Error();
 * if (quicklookName("S2B_456.png", "jpeg") !== "quicklook_S2B_456.png.jpg") throw new Error();
 * ```
 */
export function quicklookName(id: string, format: ImageFormat): string {
  const extensions: Record<ImageFormat, RegExp> = {
    png: /\.png$/i,
    jpeg: /\.jpe?g$/i,
    webp: /\.webp$/i,
    gif: /\.gif$/i,
    tiff: /\.tiff?$/i,
  };
  return `quicklook_${id}${extensions[format].test(id) ? "" : IMAGE_EXTENSIONS[format]}`;
}
