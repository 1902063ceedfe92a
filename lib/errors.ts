/**
 * Typed errors. Every message is one line that says what went wrong and what
 * to do; none ever contains a credential or a token.
 *
 * @module
 */

/**
 * Base class of every error this module throws on purpose.
 *
 * @example
 * ```ts
 * import { Up42Error } from "./errors.ts";
 * try {
 *   throw new Up42Error("something failed");
 * } catch (e) {
 *   if (e instanceof Up42Error) console.error(`error: ${e.message}`);
 * }
 * ```
 */
export class Up42Error extends Error {
  /** Creates the error; `options.cause` keeps the underlying error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Missing or invalid configuration: credentials, ids, options.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./errors.ts";
 * const e = new ConfigError("set UP42_PROJECT_ID");
 * console.log(e.name); // "ConfigError"
 * ```
 */
export class ConfigError extends Up42Error {}

/**
 * The API (or the token endpoint) answered with an error, or could not be
 * reached within the retry budget.
 *
 * @example
 * ```ts
 * import { Up42ApiError } from "./errors.ts";
 * const e = new Up42ApiError({ status: 404, method: "GET", path: "/projects/p/jobs/j/tasks/", message: "not found" });
 * console.log(e.status); // 404
 * ```
 */
export class Up42ApiError extends Up42Error {
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  /** The API's own error code, when it sent one. */
  readonly code?: string;
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Path of the failed call (no query string, never a signed URL's secret). */
  readonly path: string;
  /** The API's message (or a short excerpt of a non-JSON body). */
  readonly apiMessage: string;

  /** Builds the error; the message names method, path, status and the API's words. */
  constructor(
    init: {
      status: number;
      method: string;
      path: string;
      message: string;
      code?: string;
      hint?: string;
    },
    options?: ErrorOptions,
  ) {
    const status = init.status ? `HTTP ${init.status}` : "no response";
    const code = init.code ? ` ${init.code}` : "";
    const hint = init.hint ? ` (${init.hint})` : "";
    super(`${init.method} ${init.path} failed: ${status}${code}: ${init.message}${hint}`, options);
    this.status = init.status;
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
    this.apiMessage = init.message;
  }
}

/**
 * Authentication failed: wrong credentials or a token that cannot be renewed.
 *
 * @example
 * ```ts
 * import { AuthError, Up42ApiError } from "./errors.ts";
 * const e = new AuthError({ status: 401, method: "POST", path: "/oauth/token", message: "invalid credentials" });
 * console.log(e instanceof Up42ApiError); // true
 * ```
 */
export class AuthError extends Up42ApiError {}

/**
 * A downloaded archive is unsafe, corrupt or over a limit; names the entry.
 *
 * @example
 * ```ts
 * import { ArchiveError } from "./errors.ts";
 * const e = new ArchiveError("entry ../x escapes the output directory");
 * console.log(e.name); // "ArchiveError"
 * ```
 */
export class ArchiveError extends Up42Error {}

/**
 * Downloaded bytes do not match their announced length or hash.
 *
 * @example
 * ```ts
 * import { IntegrityError } from "./errors.ts";
 * const e = new IntegrityError("crc32c mismatch");
 * console.log(e.name); // "IntegrityError"
 * ```
 */
export class IntegrityError extends Up42Error {}

/**
 * A raster or image cannot be read or rendered; names the file.
 *
 * @example
 * ```ts
 * import { RasterError } from "./errors.ts";
 * const e = new RasterError("a.tif: band 4 does not exist (the file has 3 bands)");
 * console.log(e.name); // "RasterError"
 * ```
 */
export class RasterError extends Up42Error {}

/**
 * The map cannot be built from the given inputs.
 *
 * @example
 * ```ts
 * import { MapError } from "./errors.ts";
 * const e = new MapError("feature 3 has an invalid geometry");
 * console.log(e.name); // "MapError"
 * ```
 */
export class MapError extends Up42Error {}

/**
 * The first line of any thrown value's message, for one-line reports.
 *
 * @example
 * ```ts
 * import { errorLine } from "./errors.ts";
 * errorLine(new Error("disk full\n    at write")); // "disk full"
 * ```
 */
export function errorLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0];
}
