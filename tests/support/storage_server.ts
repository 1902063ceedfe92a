/**
 * A storage server that misbehaves on purpose, for what the emulator's
 * faults cannot express: bodies without a length or a hash, bodies that
 * never end, answers scripted per request. It serves the results endpoint
 * (the signed URL points back at itself) and counts the response bodies
 * still open, so a test can prove every one was released.
 *
 * @module
 */
import { createContext, type JobtaskContext } from "../../mod.ts";
import { FAST_RETRY } from "./emulator.ts";

/** A running storage server. */
export interface StorageServer extends AsyncDisposable {
  /** A context whose results download goes to this server. */
  ctx: JobtaskContext;
  /** Response bodies started and not yet finished or cancelled. */
  openBodies(): number;
  /** Storage requests received. */
  requests(): number;
  /** Body bytes handed to the connection so far. */
  sentBytes(): number;
}

/** What the storage answers a request with; `body` pieces are sent in order, then it ends or stalls. */
export interface StorageAnswer {
  /** HTTP status. Default 200. */
  status?: number;
  /** Response headers. */
  headers?: Record<string, string>;
  /** The body's pieces. */
  body: Uint8Array[];
  /** After the pieces: end (default), stall forever, or repeat the last piece forever. */
  then?: "end" | "stall" | "repeat";
}

/** Starts a storage server whose storage answers with `answer(request)`. */
export function startStorageServer(answer: (request: Request) => StorageAnswer): StorageServer {
  let open = 0;
  let requests = 0;
  let sent = 0;
  // Bodies still streaming when the server stops are ended, so stopping never waits on them.
  const streaming = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const stalled = new Set<() => void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    if (url.pathname.endsWith("/downloads/results/")) {
      return Response.json({ data: { url: `${url.origin}/storage/results?sig=s` }, error: null });
    }
    requests++;
    const { status = 200, headers = {}, body, then = "end" } = answer(request);
    let next = 0;
    let finished = false;
    const finish = () => {
      if (!finished) open--;
      finished = true;
    };
    open++;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => void streaming.add(controller),
      async pull(controller) {
        if (next < body.length) {
          sent += body[next].length;
          return controller.enqueue(body[next++].slice());
        }
        if (then === "end") {
          finish();
          return controller.close();
        }
        if (then === "stall") {
          return new Promise<void>((resolve) => void stalled.add(resolve));
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
        sent += body[body.length - 1].length;
        controller.enqueue(body[body.length - 1].slice());
      },
      cancel: finish,
    }, { highWaterMark: 0 });
    return new Response(stream, { status, headers });
  });
  const ctx = createContext(
    {
      apiUrl: `http://127.0.0.1:${server.addr.port}`,
      projectId: "p",
      token: "t",
      jobId: "j",
      jobtaskId: "t",
      retry: FAST_RETRY,
      timeoutMs: 1_000,
    } as Parameters<typeof createContext>[0] & { jobId: string; jobtaskId: string },
  );
  return {
    ctx,
    openBodies: () => open,
    requests: () => requests,
    sentBytes: () => sent,
    async [Symbol.asyncDispose]() {
      for (const controller of streaming) {
        try {
          controller.error(new Error("server stopped"));
        } catch { /* already closed */ }
      }
      for (const resolve of stalled) resolve();
      await server.shutdown();
    },
  };
}
