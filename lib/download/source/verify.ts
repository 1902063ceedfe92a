/**
 * Integrity of a download as it streams: byte count against the announced
 * length, and the crc32c and/or md5 cloud storage announces in `x-goog-hash`.
 * A mismatch errors the stream at its end, so nothing that consumed it can
 * mistake corrupt bytes for a finished download.
 *
 * @module
 */
import { IntegrityError } from "../../errors.ts";
import { pullStream } from "../../internal/pull_stream.ts";

/** The hashes announced for an object, base64 as in `x-goog-hash`. */
export interface AnnouncedHashes {
  /** Base64 of the big-endian CRC-32C. */
  crc32c?: string;
  /** Base64 of the MD5 digest. */
  md5?: string;
}

/**
 * Which announced hashes are checked. `auto` (the default) checks crc32c when
 * announced, else md5: crc32c costs about a quarter of what md5 does on
 * this kind of machine and catches every transport corruption, and objects
 * composed in parts only announce crc32c anyway. `all` checks both, `none`
 * only the length.
 */
export type HashCheck = "auto" | "all" | "none";

/** Options of {@linkcode verifiedStream}. */
export interface VerifyOptions {
  /** The announced length in bytes; unchecked when absent. */
  length?: number;
  /** The announced hashes. */
  hashes?: AnnouncedHashes;
  /** Which hashes to check. Default `auto`. */
  check?: HashCheck;
  /** Called with the running byte count after each chunk. */
  onBytes?: (bytes: number) => void;
  /** What is downloaded, for messages. Default `results download`. */
  subject?: string;
}

/**
 * Parses an `x-goog-hash` header (`crc32c=...,md5=...`, possibly repeated).
 *
 * @example
 * ```ts
 * import { parseGoogHash } from "./verify.ts";
 * const h = parseGoogHash("crc32c=n03x6A==,md5=XrY7u+Ae7tCTyyK7j1rNww==");
 * if (h.crc32c !== "n03x6A==" || h.md5 !== "XrY7u+Ae7tCTyyK7j1rNww==") throw new Error();
 * ```
 */
export function parseGoogHash(header: string | null | undefined): AnnouncedHashes {
  const out: AnnouncedHashes = {};
  for (const part of (header ?? "").split(",")) {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (eq > 0 && (key === "crc32c" || key === "md5") && value) out[key] = value;
  }
  return out;
}

/**
 * Whether {@linkcode verifiedStream} with `options` checks the stream's end:
 * an announced length, or a hash it checks. Only then does a clean end of
 * the stream prove that nothing is missing.
 *
 * @example
 * ```ts
 * import { checksEnd } from "./verify.ts";
 * if (checksEnd({}) || !checksEnd({ length: 5 })) throw new Error();
 * if (checksEnd({ hashes: { md5: "x" }, check: "none" })) throw new Error();
 * ```
 */
export function checksEnd(options: VerifyOptions): boolean {
  const { useCrc, useMd5 } = hashesChecked(options);
  return options.length !== undefined || useCrc || useMd5;
}

function hashesChecked(options: VerifyOptions): { useCrc: boolean; useMd5: boolean } {
  const check = options.check ?? "auto";
  const announced = options.hashes ?? {};
  const useCrc = check !== "none" && announced.crc32c !== undefined;
  const useMd5 = announced.md5 !== undefined &&
    (check === "all" || (check === "auto" && !useCrc));
  return { useCrc, useMd5 };
}

/**
 * Passes `source` through unchanged while counting and hashing it; errors
 * with an `IntegrityError` as soon as more bytes than announced arrive, and
 * at the end when the count or a checked hash differs. When it errors, the
 * source is cancelled.
 *
 * @example
 * ```ts
 * import { verifiedStream } from "./verify.ts";
 * const body = new Blob(["hello"]).stream();
 * const checked = await verifiedStream(body, { length: 5, hashes: { md5: "XUFAKrxLKna5cZ2REBfFkg==" } });
 * if (await new Response(checked).text() !== "hello") throw new Error();
 * ```
 */
export async function verifiedStream(
  source: ReadableStream<Uint8Array>,
  options: VerifyOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  const announced = options.hashes ?? {};
  const subject = options.subject ?? "results download";
  const { useCrc, useMd5 } = hashesChecked(options);
  // Loaded on first use: together they cost a script about 100 ms of start-up.
  const crc = useCrc ? await (await import("hash-wasm")).createCRC32(0x82f63b78) : undefined;
  crc?.init();
  const md5 = useMd5 ? (await import("node:crypto")).createHash("md5") : undefined;
  const reader = source.getReader();
  let bytes = 0;
  const step = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const { done, value } = await reader.read();
    if (!done) {
      bytes += value.length;
      if (options.length !== undefined && bytes > options.length) {
        throw new IntegrityError({
          subject,
          check: "length",
          expected: options.length,
          actual: `more than ${options.length}`,
        });
      }
      crc?.update(value);
      md5?.update(value);
      options.onBytes?.(bytes);
      controller.enqueue(value);
      return;
    }
    if (options.length !== undefined && bytes !== options.length) {
      throw new IntegrityError({
        subject,
        check: "length",
        expected: options.length,
        actual: bytes,
      });
    }
    if (crc) {
      const got = crc.digest("binary").toBase64();
      if (got !== announced.crc32c) {
        throw new IntegrityError({
          subject,
          check: "crc32c",
          expected: announced.crc32c,
          actual: got,
        });
      }
    }
    if (md5) {
      const got = md5.digest("base64");
      if (got !== announced.md5) {
        throw new IntegrityError({ subject, check: "md5", expected: announced.md5, actual: got });
      }
    }
    controller.close();
  };
  return pullStream<Uint8Array>(step, (reason) => reader.cancel(reason));
}
