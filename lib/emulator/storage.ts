/**
 * The emulator's object storage: it behaves like a cloud storage signed URL.
 * It refuses requests that carry an `Authorization` header, checks the URL
 * signature, sends `Content-Length`, `x-goog-hash` and
 * `x-goog-stored-content-length`, and serves `Range` requests.
 *
 * @module
 */
import { createHash, createHmac } from "node:crypto";
import { crc32 } from "hash-wasm";
import { type Faults, faultyBody } from "./faults.ts";

/** One stored object. */
export interface StoredObject {
  /** The object's bytes. */
  bytes: Uint8Array;
  /** Its media type. */
  contentType: string;
  /** Its file name (for `Content-Disposition`). */
  filename: string;
}

/** The storage of one emulator instance. */
export interface Storage {
  /**
   * Stores an object (or a function building it on first request) under
   * `key` and returns its signed path and query.
   */
  put(key: string, object: StoredObject | (() => Promise<StoredObject>)): string;
  /** Answers a request for a `/storage/...` path. */
  handle(request: Request, url: URL): Promise<Response>;
}

interface Entry extends StoredObject {
  hash: string;
}

/**
 * Creates an empty storage that signs its URLs with `secret`.
 *
 * @example
 * ```ts
 * import { createFaults } from "./faults.ts";
 * import { createStorage } from "./storage.ts";
 * const storage = createStorage("secret", createFaults());
 * const path = storage.put("a.tgz", { bytes: new Uint8Array(3), contentType: "application/gzip", filename: "a.tgz" });
 * if (!path.startsWith("/storage/")) throw new Error();
 * ```
 */
export function createStorage(secret: string, faults: Faults): Storage {
  const objects = new Map<string, () => Promise<Entry>>();
  const sign = (key: string) => createHmac("sha256", secret).update(key).digest("hex");
  return {
    put(key, object) {
      let entry: Promise<Entry> | undefined;
      objects.set(key, () =>
        entry ??= (async () => {
          const stored = typeof object === "function" ? await object() : object;
          return { ...stored, hash: await googHash(stored.bytes) };
        })());
      const query = new URLSearchParams({
        "X-Goog-Algorithm": "GOOG4-HMAC-SHA256",
        "X-Goog-Expires": "3600",
        "X-Goog-Signature": sign(key),
      });
      return `/storage/${key.split("/").map(encodeURIComponent).join("/")}?${query}`;
    },
    async handle(request, url) {
      if (request.headers.has("authorization")) {
        return xmlError(
          400,
          "InvalidAuthorization",
          "Cannot use both a signed URL and an Authorization header.",
        );
      }
      const key = decodeURIComponent(url.pathname.slice("/storage/".length));
      const load = objects.get(key);
      if (!load || url.searchParams.get("X-Goog-Signature") !== sign(key)) {
        return xmlError(403, "SignatureDoesNotMatch", "The request signature does not match.");
      }
      const status = faults.take("storage", ["status"]);
      if (status) {
        const headers = status.retryAfter === undefined
          ? undefined
          : { "retry-after": `${status.retryAfter}` };
        return xmlError(status.status, "Fault", "Injected fault.", headers);
      }
      return serveObject(request, await load(), faults);
    },
  };
}

function serveObject(request: Request, object: Entry, faults: Faults): Response {
  const total = object.bytes.length;
  const headers = new Headers({
    "content-type": object.contentType,
    "content-disposition": `attachment; filename="${object.filename}"`,
    "accept-ranges": "bytes",
    "x-goog-hash": faults.take("storage", ["bad-hash"]) ? BAD_HASH : object.hash,
    "x-goog-stored-content-length": `${total}`,
  });
  let start = 0;
  let end = total;
  const range = faults.take("storage", ["no-range"]) ? null : request.headers.get("range");
  let status = 200;
  if (range) {
    const m = /^bytes=(\d+)-(\d*)$/.exec(range);
    if (!m || Number(m[1]) >= total) {
      headers.set("content-range", `bytes */${total}`);
      return new Response(null, { status: 416, headers });
    }
    start = Number(m[1]);
    end = m[2] ? Math.min(total, Number(m[2]) + 1) : total;
    status = 206;
    headers.set("content-range", `bytes ${start}-${end - 1}/${total}`);
  }
  let bytes = object.bytes.subarray(start, end);
  headers.set("content-length", `${bytes.length}`);
  if (faults.take("storage", ["short-body"])) bytes = bytes.subarray(0, bytes.length - 1);
  if (request.method === "HEAD") return new Response(null, { status, headers });
  const fault = faults.take("storage", ["cut", "slow"]);
  return new Response(faultyBody(bytes, fault), { status, headers });
}

const BAD_HASH = "crc32c=AAAAAA==,md5=1B2M2Y8AsgTpgAmY7PhCfg==";

/**
 * The `x-goog-hash` value of `bytes`: base64 crc32c and md5, as cloud storage sends it.
 *
 * @example
 * ```ts
 * import { googHash } from "./storage.ts";
 * if (!(await googHash(new TextEncoder().encode("hello"))).startsWith("crc32c=")) throw new Error();
 * ```
 */
export async function googHash(bytes: Uint8Array): Promise<string> {
  const crc = await crc32(bytes, 0x82f63b78);
  const crcBytes = new Uint8Array(crc.match(/../g)!.map((h) => parseInt(h, 16)));
  const md5 = createHash("md5").update(bytes).digest("base64");
  return `crc32c=${crcBytes.toBase64()},md5=${md5}`;
}

function xmlError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Response {
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code>` +
    `<Message>${message}</Message></Error>`;
  return new Response(body, { status, headers: { "content-type": "application/xml", ...headers } });
}
