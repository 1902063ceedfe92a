/**
 * examples/to_s3.ts against a real S3-protocol server (s3rver, over HTTP on
 * loopback), seen through a recording proxy so that the test can tell
 * which S3 calls were made. s3rver keeps an unfinished multipart upload's
 * parts out of the bucket listing but does not implement
 * AbortMultipartUpload, so that the aborts were sent is checked on the
 * proxy's record.
 */
import assert from "node:assert/strict";
import { AwsClient } from "aws4fetch";
import S3rver from "s3rver";
import { IntegrityError, NetworkError, readResults } from "../../mod.ts";
import { resultsToS3, type S3Target } from "../../examples/to_s3.ts";
import { bytesOf, gzip, noise, rawTar } from "../support/archives.ts";
import { emulatorEnv, serveResults, withEmulator } from "../support/emulator.ts";
import { caught } from "../support/errors.ts";
import { denoRun } from "../support/project.ts";

const EXAMPLE = new URL("../../examples/to_s3.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const BUCKET = "results";
const KEYS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

interface Recorded {
  method: string;
  path: string;
  query: string;
}

/** s3rver on loopback behind a proxy that records every call. */
async function withS3(
  fn: (
    target: S3Target,
    calls: Recorded[],
    list: (prefix: string) => Promise<string[]>,
  ) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "up42-s3-" });
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await server.run();
  const calls: Recorded[] = [];
  // Its own connection pool, closed before s3rver so that no idle connection keeps it open.
  const client = Deno.createHttpClient({});
  const proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    calls.push({ method: req.method, path: decodeURIComponent(url.pathname), query: url.search });
    // Headers pass unchanged: the signature covers the proxy's Host, which s3rver then checks.
    const headers = new Headers(req.headers);
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
    const answer = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
      client,
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  });
  const endpoint = `http://127.0.0.1:${proxy.addr.port}`;
  const s3 = new AwsClient({ ...KEYS, service: "s3", region: "us-east-1" });
  const list = async (prefix: string) => {
    const response = await s3.fetch(
      `${endpoint}/${BUCKET}/?list-type=2&prefix=${encodeURIComponent(prefix)}`,
    );
    return [...(await response.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]).sort();
  };
  try {
    await fn({ endpoint, bucket: BUCKET, ...KEYS }, calls, list);
  } finally {
    await proxy.shutdown();
    client.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function results() {
  const files: Record<string, Uint8Array> = {
    "data.json": bytesOf('{"type":"FeatureCollection","features":[]}'),
    "scene/big.tif": noise(12 * 1024 * 1024 + 12345, 3), // three parts of 5 MiB
    "scene/with space (1).tif": noise(70_000, 4),
    "scene/empty.txt": new Uint8Array(0),
  };
  const tar = rawTar(
    Object.entries(files).map(([name, body]) => ({ name: `output/${name}`, body })),
  );
  return { files, tgz: await gzip(tar) };
}

Deno.test("to_s3: every result file becomes an object, byte for byte, sent in bounded parts", () =>
  withEmulator((emulator) =>
    withS3(async (target, calls, list) => {
      const { files, tgz } = await results();
      const ctx = await serveResults(emulator, tgz);
      const objects = await resultsToS3(ctx, { ...target, prefix: "job/task/" }, {
        partSize: 5 * 1024 * 1024,
      });
      assert.deepEqual(
        objects.map((o) => [o.key, o.size]),
        Object.entries(files).map(([name, bytes]) => [`job/task/${name}`, bytes.length]),
      );
      assert.deepEqual(await list("job/"), Object.keys(files).map((n) => `job/task/${n}`).sort());
      const s3 = new AwsClient({ ...KEYS, service: "s3", region: "us-east-1" });
      for (const file of await readResults(ctx)) {
        const key = `job/task/${file.name}`.split("/").map(encodeURIComponent).join("/");
        const response = await s3.fetch(`${target.endpoint}/${BUCKET}/${key}`);
        assert.equal(response.status, 200, file.name);
        assert.deepEqual(new Uint8Array(await response.arrayBuffer()), file.bytes, file.name);
      }
      const parts = calls.filter((c) => c.method === "PUT" && c.query.includes("partNumber"));
      assert.equal(parts.filter((c) => c.path.endsWith("big.tif")).length, 3);
    })
  ));

Deno.test("to_s3: a failure mid-way leaves no object visible and aborts every upload it started", () =>
  withEmulator((emulator) =>
    withS3(async (target, calls, list) => {
      const { tgz } = await results();
      const ctx = await serveResults(emulator, tgz);
      const started = (prefix: string) =>
        calls.filter((c) =>
          c.method === "POST" && c.query === "?uploads" && c.path.includes(prefix)
        )
          .map((c) => c.path);
      const aborted = (prefix: string) =>
        calls.filter((c) =>
          c.method === "DELETE" && c.query.startsWith("?uploadId=") && c.path.includes(prefix)
        )
          .map((c) => c.path);

      // The archive's hash is only known to be wrong after its last byte.
      emulator.faults.inject({ kind: "bad-hash" });
      await caught(() => resultsToS3(ctx, { ...target, prefix: "bad-hash/" }), IntegrityError);
      assert.deepEqual(await list("bad-hash/"), []);
      assert.equal(started("bad-hash/").length, 4);
      assert.deepEqual(aborted("bad-hash/").sort(), started("bad-hash/").sort());

      // The connection drops in the middle of the big file.
      emulator.faults.inject({ kind: "cut", route: "storage", afterBytes: 6_000_000 });
      await caught(
        () => resultsToS3(ctx, { ...target, prefix: "cut/" }, { maxResumes: 0 }),
        NetworkError,
      );
      assert.deepEqual(await list("cut/"), []);
      assert.ok(started("cut/").length >= 2);
      assert.deepEqual(aborted("cut/").sort(), started("cut/").sort());
    })
  ));

Deno.test("to_s3: the example runs as a script with credentials from the environment", () =>
  withEmulator((emulator) =>
    withS3(async (target, _calls, list) => {
      const output = await denoRun(
        Deno.cwd(),
        ["--config", CONFIG, "--allow-env", "--allow-net=127.0.0.1"],
        EXAMPLE,
        {
          args: [emulator.jobId, emulator.jobtasks.zip],
          env: {
            ...emulatorEnv(emulator),
            S3_ENDPOINT: target.endpoint,
            S3_BUCKET: BUCKET,
            AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
          },
        },
      );
      assert.equal(output.code, 0, output.stderr);
      const printed = output.stdout.trim().split("\n").map((l) => l.split("\t")[0]);
      const prefix = `up42/${emulator.jobId}/${emulator.jobtasks.zip}/`;
      assert.deepEqual(printed.sort(), await list(prefix));
      assert.ok(printed.includes(`${prefix}data.json`));
    })
  ));
