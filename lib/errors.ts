/**
 * Typed errors. Each class keeps what went wrong as fields and builds its
 * one-line message from them here, in its constructor: a message says what
 * went wrong and what to do, and never contains a credential or a token.
 * Programs branch on the fields; people read the message.
 *
 * @example
 * ```ts
 * import { ArchiveError, Up42Error } from "@up42/jobtask";
 *
 * const error = new ArchiveError({ reason: "unsafe", entry: "../etc/passwd", detail: "its path contains '..'" });
 * if (!(error instanceof Up42Error) || error.entry !== "../etc/passwd") throw new Error("unexpected");
 * ```
 *
 * @module
 */

/** Longest quoted value in a message: a hostile server must not make a message huge. */
const MAX_QUOTED = 200;

/**
 * `text` cut to `max` characters with an ellipsis, on one line.
 *
 * @example
 * ```ts
 * import { clip } from "./errors.ts";
 * if (clip("a\nb") !== "a b") throw new Error("newline kept");
 * ```
 */
export function clip(text: string, max: number = MAX_QUOTED): string {
  const line = text.replace(/[\r\n]+/g, " ");
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * The first line of any thrown value's message, for one-line reports.
 *
 * @example
 * ```ts
 * import { errorLine } from "./errors.ts";
 * if (errorLine(new Error("disk full\n    at write")) !== "disk full") throw new Error();
 * ```
 */
export function errorLine(error: unknown): string {
  return clip(String(error instanceof Error ? error.message : error).split("\n")[0], 300);
}

/**
 * Base class of every error this module throws on purpose.
 *
 * @example
 * ```ts
 * import { Up42Error } from "@up42/jobtask";
 * try {
 *   throw new Up42Error("something failed");
 * } catch (e) {
 *   if (!(e instanceof Up42Error)) throw e;
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

/** Fields of a {@linkcode ConfigError}. */
export interface ConfigProblem {
  /** The option, flag or environment variable at fault, e.g. `bands` or `UP42_PROJECT_ID`. */
  setting: string;
  /** What is wrong with it. */
  problem: string;
  /** What to do. */
  fix: string;
}

/**
 * Missing or invalid configuration: credentials, ids, options, flags.
 *
 * @example
 * ```ts
 * import { ConfigError } from "@up42/jobtask";
 * const e = new ConfigError({ setting: "UP42_PROJECT_ID", problem: "missing UP42 credentials", fix: "set UP42_PROJECT_ID" });
 * if (e.message !== "missing UP42 credentials: set UP42_PROJECT_ID") throw new Error(e.message);
 * ```
 */
export class ConfigError extends Up42Error implements ConfigProblem {
  /** The option, flag or environment variable at fault. */
  readonly setting: string;
  /** What is wrong with it. */
  readonly problem: string;
  /** What to do. */
  readonly fix: string;

  /** Builds the message `problem: fix`. */
  constructor(init: ConfigProblem, options?: ErrorOptions) {
    super(`${init.problem}: ${init.fix}`, options);
    this.setting = init.setting;
    this.problem = init.problem;
    this.fix = init.fix;
  }
}

/**
 * The process lacks a Deno permission a call needs; names the flag to add.
 * It is a {@linkcode ConfigError} whose `setting` is that flag.
 *
 * @example
 * ```ts
 * import { ConfigError, PermissionError } from "@up42/jobtask";
 * const e = new PermissionError({ flag: "--allow-env=UP42_API_URL", why: "reading UP42_API_URL" });
 * if (!(e instanceof ConfigError) || e.setting !== "--allow-env=UP42_API_URL") throw new Error();
 * ```
 */
export class PermissionError extends ConfigError {
  /** The flag that grants it, e.g. `--allow-write=/data/out`. */
  readonly flag: string;
  /** What needed it, e.g. `writing the plot /data/out/plot.png`. */
  readonly why: string;

  /** Builds the message `why is not permitted: run with flag ...`. */
  constructor(init: { flag: string; why: string }, options?: ErrorOptions) {
    super({
      setting: init.flag,
      problem: `${init.why} is not permitted`,
      fix: `run with ${init.flag} (see the README's permissions table)`,
    }, options);
    this.flag = init.flag;
    this.why = init.why;
  }
}

/** Fields of an {@linkcode Up42ApiError}. */
export interface ApiFailure {
  /** HTTP status of the answer. */
  status: number;
  /** HTTP method of the failed call. */
  method: string;
  /** Path of the failed call (no query string, never a signed URL's secret). */
  path: string;
  /** The API's message, or a short excerpt of a non-JSON body. */
  message: string;
  /** The API's own error code, when it sent one. */
  code?: string;
  /** What to do, when something can be said. */
  hint?: string;
  /** Attempts made, when the call was retried. */
  attempts?: number;
}

/**
 * The API, the token endpoint or the storage answered with an HTTP error
 * (after retries, for retryable statuses). Only for HTTP answers: a call
 * that got no answer is a {@linkcode NetworkError}.
 *
 * @example
 * ```ts
 * import { Up42ApiError } from "@up42/jobtask";
 * const e = new Up42ApiError({ status: 404, method: "GET", path: "/projects/p/jobs/j/tasks/", message: "not found" });
 * if (e.status !== 404) throw new Error();
 * ```
 */
export class Up42ApiError extends Up42Error {
  /** HTTP status. */
  readonly status: number;
  /** The API's own error code, when it sent one. */
  readonly code?: string;
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Path of the failed call (no query string). */
  readonly path: string;
  /** The API's message (or a short excerpt of a non-JSON body). */
  readonly apiMessage: string;
  /** What to do, when something can be said. */
  readonly hint?: string;
  /** Attempts made. */
  readonly attempts: number;

  /** Builds the message from method, path, status, code, the API's words and the hint. */
  constructor(init: ApiFailure, options?: ErrorOptions) {
    const code = init.code ? ` ${clip(init.code, 60)}` : "";
    const hint = init.hint ? ` (${init.hint})` : "";
    super(
      `${init.method} ${clip(init.path)} failed: HTTP ${init.status}${code}: ${
        clip(init.message)
      }${hint}`,
      options,
    );
    this.status = init.status;
    this.code = init.code;
    this.method = init.method;
    this.path = init.path;
    this.apiMessage = init.message;
    this.hint = init.hint;
    this.attempts = init.attempts ?? 1;
  }
}

/**
 * Authentication failed: wrong credentials or a token that cannot be renewed.
 *
 * @example
 * ```ts
 * import { AuthError, Up42ApiError } from "@up42/jobtask";
 * const e = new AuthError({ status: 401, method: "POST", path: "/oauth/token", message: "invalid credentials" });
 * if (!(e instanceof Up42ApiError)) throw new Error();
 * ```
 */
export class AuthError extends Up42ApiError {}

/** Why a call got no answer. */
export type NetworkProblem = "timeout" | "unreachable" | "dropped" | "stalled";

/**
 * A call got no HTTP answer within its retry budget: the host could not be
 * reached, the answer did not come in time, or the connection dropped.
 *
 * @example
 * ```ts
 * import { NetworkError } from "@up42/jobtask";
 * const e = new NetworkError({ reason: "unreachable", method: "GET", path: "/x", host: "api.up42.com", detail: "connection refused", attempts: 5, elapsedMs: 3000 });
 * if (!e.message.includes("api.up42.com")) throw new Error(e.message);
 * ```
 */
export class NetworkError extends Up42Error {
  /** Why no answer came. */
  readonly reason: NetworkProblem;
  /** HTTP method of the call. */
  readonly method: string;
  /** Path of the call (no query string). */
  readonly path: string;
  /** The host that was not reached. */
  readonly host: string;
  /** The underlying failure, one line. */
  readonly detail: string;
  /** Attempts made. */
  readonly attempts: number;
  /** Time spent on all attempts, in ms. */
  readonly elapsedMs: number;

  /** Builds the message from the fields. */
  constructor(
    init: {
      reason: NetworkProblem;
      method: string;
      path: string;
      host: string;
      detail: string;
      attempts: number;
      elapsedMs: number;
    },
    options?: ErrorOptions,
  ) {
    const what = {
      timeout: `no answer from ${init.host} in time`,
      unreachable: `cannot reach ${init.host}`,
      dropped: `the connection to ${init.host} kept dropping`,
      stalled: `the connection to ${init.host} stalled`,
    }[init.reason];
    const seconds = Math.round(init.elapsedMs / 100) / 10;
    super(
      `${init.method} ${clip(init.path)} failed: ${what} (${
        clip(init.detail)
      }) after ${init.attempts} attempt${
        init.attempts === 1 ? "" : "s"
      } in ${seconds} s: check the network and try again later, or raise the retry policy`,
      options,
    );
    this.reason = init.reason;
    this.method = init.method;
    this.path = init.path;
    this.host = init.host;
    this.detail = init.detail;
    this.attempts = init.attempts;
    this.elapsedMs = init.elapsedMs;
  }
}

/** Why an archive was refused. */
export type ArchiveProblem =
  | "unsafe"
  | "ambiguous"
  | "corrupt"
  | "truncated"
  | "unsupported"
  | "limit"
  | "format";

/** Fields of an {@linkcode ArchiveError}. */
export interface ArchiveFailure {
  /** Why the archive was refused. */
  reason: ArchiveProblem;
  /** What exactly, e.g. `its path contains '..'` or `a header checksum mismatch at byte 1024`. */
  detail: string;
  /** The entry's name as stored in the archive, when one entry is at fault. */
  entry?: string;
  /** For `limit`: the option that sets the limit, e.g. `maxBytes`. */
  limit?: string;
}

/**
 * A downloaded archive is unsafe, corrupt, unsupported or over a limit.
 * Nothing from it was written when this is thrown.
 *
 * @example
 * ```ts
 * import { ArchiveError } from "@up42/jobtask";
 * const e = new ArchiveError({ reason: "limit", detail: "more than 10 entries", limit: "maxEntries" });
 * if (!e.message.includes("maxEntries")) throw new Error(e.message);
 * ```
 */
export class ArchiveError extends Up42Error {
  /** Why the archive was refused. */
  readonly reason: ArchiveProblem;
  /** What exactly. */
  readonly detail: string;
  /** The entry's name as stored, when one entry is at fault. */
  readonly entry?: string;
  /** For `limit`: the option that sets the limit. */
  readonly limit?: string;

  /** Builds the message from reason, entry and detail. */
  constructor(init: ArchiveFailure, options?: ErrorOptions) {
    super(archiveMessage(init), options);
    this.reason = init.reason;
    this.detail = init.detail;
    this.entry = init.entry;
    this.limit = init.limit;
  }
}

function archiveMessage({ reason, detail, entry, limit }: ArchiveFailure): string {
  const name = entry === undefined ? "" : quoteName(entry);
  switch (reason) {
    case "unsafe":
    case "ambiguous":
      return `refused results archive entry ${name}: ${detail}; nothing was written (the archive is ${reason}, ask UP42 support for a clean one)`;
    case "corrupt":
    case "truncated":
      return `results archive is ${reason}: ${
        entry === undefined ? "" : `entry ${name}: `
      }${detail}; nothing was written, download again`;
    case "unsupported":
      return `results archive entry ${name} cannot be unpacked: ${detail}; nothing was written, unpack it with another tool`;
    case "limit":
      return `results archive stopped: ${detail} (a decompression bomb or unusually large results); nothing was written, raise the ${limit} option if the results are genuine`;
    case "format":
      return `results are not a tar, tar.gz or zip archive (${detail}); nothing was written`;
  }
}

/**
 * An entry name quoted for a one-line message: JSON escapes (so a NUL or a
 * newline shows as `\u0000` / `\n`), cut to 120 characters.
 *
 * @example
 * ```ts
 * import { quoteName } from "./errors.ts";
 * if (quoteName("a\nb") !== '"a\\nb"') throw new Error();
 * ```
 */
export function quoteName(name: string): string {
  const cut = name.length > 120 ? `${name.slice(0, 60)}…${name.slice(-40)}` : name;
  return JSON.stringify(cut);
}

/** Which check a download failed. */
export type IntegrityCheck = "length" | "crc32c" | "md5" | "range" | "changed";

/**
 * Downloaded bytes do not match their announced length or hash, or the
 * object changed on the storage while it was being downloaded.
 *
 * @example
 * ```ts
 * import { IntegrityError } from "@up42/jobtask";
 * const e = new IntegrityError({ subject: "results download", check: "crc32c", expected: "AAAAAA==", actual: "n03x6A==" });
 * if (e.check !== "crc32c") throw new Error();
 * ```
 */
export class IntegrityError extends Up42Error {
  /** What was downloaded, e.g. `results download` or `quicklook S2A_1`. */
  readonly subject: string;
  /** The check that failed. */
  readonly check: IntegrityCheck;
  /** What was announced. */
  readonly expected?: string | number;
  /** What arrived. */
  readonly actual?: string | number;

  /** Builds the message from the check and the two values. */
  constructor(
    init: {
      subject: string;
      check: IntegrityCheck;
      expected?: string | number;
      actual?: string | number;
    },
    options?: ErrorOptions,
  ) {
    const { check, expected, actual } = init;
    const what = check === "length"
      ? `${actual} bytes arrived of the announced ${expected}`
      : check === "range"
      ? `the storage answered a resume from byte ${expected} with the range ${clip(`${actual}`)}`
      : check === "changed"
      ? "it changed on the storage during the download"
      : `${check} is ${clip(`${actual}`)}, the storage announced ${clip(`${expected}`)}`;
    super(
      `${init.subject} failed verification: ${what}; nothing was written, download again`,
      options,
    );
    this.subject = init.subject;
    this.check = check;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Why a raster or image could not be read or rendered. */
export type RasterProblem =
  | "not-found"
  | "unreadable"
  | "format"
  | "unsupported"
  | "corrupt"
  | "limit"
  | "bands"
  | "georeference";

const RASTER_FIXES: Record<RasterProblem, string> = {
  "not-found": "check the path",
  unreadable: "check that the file exists and may be read",
  format: "pass a GeoTIFF (.tif) for results, a PNG or JPEG for quicklooks",
  unsupported: "convert it, e.g. with gdal_translate -co COMPRESS=DEFLATE",
  corrupt: "the file is damaged; download it again",
  limit: "raise the limit if the file is genuine",
  bands: "pass bands the file has",
  georeference: "pass georeferenced GeoTIFFs",
};

/**
 * A raster or image cannot be read or rendered; names the file.
 *
 * @example
 * ```ts
 * import { RasterError } from "@up42/jobtask";
 * const e = new RasterError({ file: "a.tif", reason: "bands", detail: "band 4 does not exist (the file has 3 bands)" });
 * if (e.file !== "a.tif") throw new Error();
 * ```
 */
export class RasterError extends Up42Error {
  /** The file (path, URL without its query, or in-memory name). */
  readonly file: string;
  /** Why. */
  readonly reason: RasterProblem;
  /** What exactly. */
  readonly detail: string;
  /** For `limit`: the name of the limit that was hit, e.g. `maxPixels`. */
  readonly limit?: string;

  /** Builds the message `file: detail: fix`. */
  constructor(
    init: { file: string; reason: RasterProblem; detail: string; limit?: string; fix?: string },
    options?: ErrorOptions,
  ) {
    const fix = init.fix ??
      (init.limit
        ? `raise limits.${init.limit} if the file is genuine`
        : RASTER_FIXES[init.reason]);
    super(`${clip(init.file)}: ${init.detail}: ${fix}`, options);
    this.file = init.file;
    this.reason = init.reason;
    this.detail = init.detail;
    this.limit = init.limit;
  }
}

/**
 * The map cannot be built from the given inputs.
 *
 * @example
 * ```ts
 * import { MapError } from "@up42/jobtask";
 * const e = new MapError({ subject: "feature 3", problem: "has an invalid geometry", fix: "fix or remove it" });
 * if (e.subject !== "feature 3") throw new Error();
 * ```
 */
export class MapError extends Up42Error {
  /** What is at fault, e.g. `feature 3`, a file name or an option. */
  readonly subject: string;
  /** What is wrong with it. */
  readonly problem: string;
  /** What to do. */
  readonly fix: string;

  /** Builds the message `subject problem: fix`. */
  constructor(init: { subject: string; problem: string; fix: string }, options?: ErrorOptions) {
    super(`${clip(init.subject)} ${init.problem}: ${init.fix}`, options);
    this.subject = init.subject;
    this.problem = init.problem;
    this.fix = init.fix;
  }
}

/** One jobtask of a job call that failed, as a {@linkcode JobError} lists it. */
export interface JobtaskFailure {
  /** The jobtask's id. */
  jobtaskId: string;
  /** The jobtask's name (block name and version), when known. */
  jobtaskName?: string;
  /** Why it failed (an `Up42Error` subclass for expected failures). */
  error: Error;
}

/** Fields of a {@linkcode JobError}. */
export interface JobFailure<T = unknown> {
  /** The job. */
  jobId: string;
  /** What the call did, e.g. `download` or `results JSON`. */
  action: string;
  /** Every jobtask that failed, in the job's order. */
  failures: JobtaskFailure[];
  /** How many jobtasks the call worked on (failed ones included). */
  total: number;
  /** What the call produced for the jobtasks that did not fail. */
  result: T;
}

/**
 * Some jobtasks of a job call failed. The others were completed (a
 * download's files are in place); `failures` says why each failed one
 * failed, `result` holds what the call produced for the rest. Running the
 * call again retries only what is not complete.
 *
 * @example
 * ```ts
 * import { JobError, Up42ApiError } from "@up42/jobtask";
 * const cause = new Up42ApiError({ status: 404, method: "GET", path: "/storage/x", message: "NoSuchKey" });
 * const e = new JobError({ jobId: "j", action: "download", total: 3, result: null, failures: [{ jobtaskId: "t", jobtaskName: "block:1", error: cause }] });
 * if (e.failures[0].jobtaskId !== "t" || !e.message.startsWith("2 of 3 jobtasks of job j")) throw new Error(e.message);
 * ```
 */
export class JobError<T = unknown> extends Up42Error implements JobFailure<T> {
  /** The job. */
  readonly jobId: string;
  /** What the call did. */
  readonly action: string;
  /** Every jobtask that failed. */
  readonly failures: JobtaskFailure[];
  /** How many jobtasks the call worked on. */
  readonly total: number;
  /** What the call produced for the jobtasks that did not fail. */
  readonly result: T;

  /** Builds the message from the counts and the first failures. */
  constructor(init: JobFailure<T>, options?: ErrorOptions) {
    const { failures, total } = init;
    const listed = failures.slice(0, 2).map((f) =>
      `${clip(f.jobtaskName ? `${f.jobtaskId} (${f.jobtaskName})` : f.jobtaskId, 100)}: ${
        clip(errorLine(f.error), 160)
      }`
    );
    const more = failures.length > 2 ? `; and ${failures.length - 2} more` : "";
    super(
      `${total - failures.length} of ${total} jobtasks of job ${
        clip(init.jobId, 60)
      } done, ${failures.length} failed (${init.action}): ${
        listed.join("; ")
      }${more}; run it again to retry the failed ones (completed ones are kept)`,
      { cause: failures[0]?.error, ...options },
    );
    this.jobId = init.jobId;
    this.action = init.action;
    this.failures = failures;
    this.total = total;
    this.result = init.result;
  }
}
