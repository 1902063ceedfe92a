/**
 * A jobtask's results straight into an S3-compatible bucket (AWS S3,
 * MinIO, Cloudflare R2, Ceph, ...), for serverless functions with no disk
 * worth the name: each file of the results archive, as `streamResults`
 * yields it, becomes the object `{prefix}{path}`, sent in parts of
 * `partSize` bytes (one part in memory at a time, whatever the size of the
 * results), with nothing written to a local disk.
 *
 * Nothing is visible in the bucket before the whole archive has arrived
 * and passed its length and `x-goog-hash` check: every file goes up as a
 * multipart upload (a small file as one part), and the uploads are only
 * completed once the iteration has ended without an error. On any failure
 * (a broken archive, a wrong hash, the network, `signal`) every open upload
 * is aborted and any object already completed in this call is deleted
 * again. An abort is best effort: a process that is killed leaves its
 * uploads' parts in the bucket, invisible but stored, so give the bucket a
 * lifecycle rule `AbortIncompleteMultipartUpload` (e.g. after one day).
 *
 * The S3 client is aws4fetch (SigV4 signing over `fetch`, with retries of
 * 5xx answers): it runs wherever `fetch` does, edge runtimes included,
 * whereas `@aws-sdk/lib-storage` brings the whole AWS SDK along. Objects
 * are addressed path-style (`{endpoint}/{bucket}/{key}`), which every
 * S3-compatible store understands.
 *
 * Run it (copy it into your project, or from a checkout):
 *
 * ```sh
 * S3_ENDPOINT=https://s3.eu-central-1.amazonaws.com S3_BUCKET=my-bucket AWS_REGION=eu-central-1 \
 * AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... UP42_PROJECT_ID=... UP42_PROJECT_API_KEY=... \
 * deno run --allow-env --allow-net examples/to_s3.ts JOB_ID JOBTASK_ID [PREFIX]
 * ```
 *
 * It prints each object's key and size.
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import {
  createContext,
  type JobtaskContext,
  streamResults,
  type StreamResultsOptions,
  Up42ApiError,
} from "@up42/jobtask";

/** Where the objects go. */
export interface S3Target {
  /** The service's URL, e.g. `https://s3.eu-central-1.amazonaws.com` or `http://127.0.0.1:9000`. */
  endpoint: string;
  /** The bucket. */
  bucket: string;
  /** Prepended to each file's path to make its key, e.g. `up42/{jobId}/{jobtaskId}/`. Default none. */
  prefix?: string;
  /** The signing region. Default `us-east-1` (`auto` for R2). */
  region?: string;
  /** Access key id. */
  accessKeyId: string;
  /** Secret access key. */
  secretAccessKey: string;
  /** Session token of temporary credentials. */
  sessionToken?: string;
}

/** Options of {@linkcode resultsToS3}. */
export interface ResultsToS3Options extends StreamResultsOptions {
  /** Bytes per part, at least 5 MiB (S3's minimum); the memory one upload holds. Default 8 MiB. */
  partSize?: number;
}

/** One object written. */
export interface UploadedObject {
  /** Its key. */
  key: string;
  /** Its size in bytes. */
  size: number;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

interface Upload {
  key: string;
  url: string;
  uploadId: string;
  parts: { number: number; etag: string }[];
  size: number;
}

/**
 * Streams the jobtask's results into the bucket, one object per file, and
 * returns the objects written (in archive order) once all are visible; see
 * the module comment for what happens on failure.
 */
export async function resultsToS3(
  ctx: JobtaskContext,
  target: S3Target,
  options: ResultsToS3Options = {},
): Promise<UploadedObject[]> {
  const partSize = Math.max(MIN_PART, options.partSize ?? 8 * 1024 * 1024);
  const s3 = new AwsClient({
    accessKeyId: target.accessKeyId,
    secretAccessKey: target.secretAccessKey,
    sessionToken: target.sessionToken,
    service: "s3",
    region: target.region ?? "us-east-1",
    retries: 3,
  });
  const call = async (method: string, url: string, body?: BodyInit, key = "") => {
    const response = await s3.fetch(url, { method, body, signal: options.signal });
    const text = await response.text();
    // S3 may answer 200 and still report an error in the body (CompleteMultipartUpload).
    if (!response.ok || /^\s*(<\?xml[^>]*>\s*)?<Error>/.test(text)) {
      throw new Up42ApiError({
        method,
        path: `/${target.bucket}/${key}`,
        status: response.status,
        message: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? text.slice(0, 120),
        hint: "check the bucket, its endpoint and the credentials",
      });
    }
    return { response, text };
  };
  const open: Upload[] = [];
  const completed: Upload[] = [];
  const buffer = new Uint8Array(partSize);
  try {
    for await (const entry of streamResults(ctx, options)) {
      const key = `${target.prefix ?? ""}${entry.name}`;
      const url = objectUrl(target, key);
      const { text } = await call("POST", `${url}?uploads`, undefined, key);
      const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
      if (!uploadId) {
        throw new Up42ApiError({
          method: "POST",
          path: `/${target.bucket}/${key}`,
          status: 200,
          message: "no UploadId in the answer",
        });
      }
      const upload: Upload = { key, url, uploadId, parts: [], size: 0 };
      open.push(upload);
      // Parts large enough that a file of known size fits in S3's 10 000 parts.
      const perPart = Math.max(partSize, Math.ceil(entry.size / MAX_PARTS));
      const part = perPart === buffer.length ? buffer : new Uint8Array(perPart);
      let used = 0;
      const send = async () => {
        const number = upload.parts.length + 1;
        const { response } = await call(
          "PUT",
          `${url}?partNumber=${number}&uploadId=${encodeURIComponent(uploadId)}`,
          part.subarray(0, used),
          key,
        );
        upload.parts.push({ number, etag: response.headers.get("etag") ?? "" });
        upload.size += used;
        used = 0;
      };
      for await (const chunk of entry.stream) {
        for (let at = 0; at < chunk.length;) {
          const n = Math.min(chunk.length - at, part.length - used);
          part.set(chunk.subarray(at, at + n), used);
          used += n;
          at += n;
          if (used === part.length) await send();
        }
      }
      if (used > 0 || upload.parts.length === 0) await send();
    }
    // The archive verified: only now do the objects become visible.
    for (const upload of [...open]) {
      const parts = upload.parts.map((p) =>
        `<Part><PartNumber>${p.number}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`
      ).join("");
      await call(
        "POST",
        `${upload.url}?uploadId=${encodeURIComponent(upload.uploadId)}`,
        `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`,
        upload.key,
      );
      open.splice(open.indexOf(upload), 1);
      completed.push(upload);
    }
    return completed.map(({ key, size }) => ({ key, size }));
  } catch (error) {
    // Best effort, and not cancelled by `signal`: what was started is taken back.
    const quiet = (url: string) =>
      s3.fetch(url, { method: "DELETE" }).then((r) => r.body?.cancel(), () => {});
    await Promise.all([
      ...open.map((u) => quiet(`${u.url}?uploadId=${encodeURIComponent(u.uploadId)}`)),
      ...completed.map((u) => quiet(u.url)),
    ]);
    throw error;
  }
}

function objectUrl(target: S3Target, key: string): string {
  const path = key.split("/").map((s) =>
    encodeURIComponent(s).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    )
  ).join("/");
  return `${target.endpoint.replace(/\/+$/, "")}/${encodeURIComponent(target.bucket)}/${path}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

if (import.meta.main) {
  const [jobId, jobtaskId, prefix] = Deno.args;
  if (!jobId || !jobtaskId) {
    console.error("usage: examples/to_s3.ts JOB_ID JOBTASK_ID [PREFIX]");
    Deno.exit(2);
  }
  const env = (name: string) => {
    const value = Deno.env.get(name);
    if (!value) {
      console.error(`error: set ${name}`);
      Deno.exit(2);
    }
    return value;
  };
  const ctx = createContext({ jobId, jobtaskId });
  const objects = await resultsToS3(ctx, {
    endpoint: env("S3_ENDPOINT"),
    bucket: env("S3_BUCKET"),
    region: Deno.env.get("AWS_REGION"),
    accessKeyId: env("AWS_ACCESS_KEY_ID"),
    secretAccessKey: env("AWS_SECRET_ACCESS_KEY"),
    sessionToken: Deno.env.get("AWS_SESSION_TOKEN"),
    prefix: prefix ?? `up42/${jobId}/${jobtaskId}/`,
  });
  for (const o of objects) console.log(`${o.key}\t${o.size}`);
}
