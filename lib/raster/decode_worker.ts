/**
 * A decoding thread: takes one block's compressed bytes with its layout and
 * the pixels to pick, answers with the picked values (transferred, not
 * copied). Only decoding happens here; all reads and checks stay with the
 * caller. It says when it is ready, so that no block waits for it to load.
 *
 * @module
 */
import { decodeAndSample } from "./block.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent) => void;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = async (e: MessageEvent) => {
  const { id, bytes, spec, picks } = e.data;
  try {
    const values = await decodeAndSample(bytes, spec, picks);
    scope.postMessage({ id, values }, values.map((v) => v.buffer as ArrayBuffer));
  } catch (error) {
    scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
scope.postMessage({ ready: true });
