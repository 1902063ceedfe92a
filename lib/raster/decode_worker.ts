/**
 * A decoding thread. It takes either one block's compressed bytes with its
 * layout and the pixels to pick, and answers with the picked values, or a
 * whole raster to render (a figure's panel), and answers with its pixels;
 * answers are transferred, not copied. For blocks, all reads and checks stay
 * with the caller; a render reads its file here, within its own budget.
 * It says when it is ready, so that no job waits for it to load.
 *
 * @module
 */
import { decodeAndSample } from "./block.ts";
import { toThread } from "./pool.ts";

const scope = self as unknown as {
  onmessage: (e: MessageEvent) => void;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

scope.onmessage = async (e: MessageEvent) => {
  const { id, kind } = e.data;
  try {
    if (kind === "render") {
      // Loaded on the first panel: threads that only decode blocks never need it.
      const { renderRaster } = await import("./render.ts");
      const answer = await renderRaster(e.data.source, { ...e.data.options, workers: false });
      scope.postMessage({ id, answer }, [answer.rgba.buffer as ArrayBuffer]);
      return;
    }
    const { bytes, spec, picks } = e.data;
    const answer = await decodeAndSample(bytes, spec, picks);
    scope.postMessage({ id, answer }, answer.map((v) => v.buffer as ArrayBuffer));
  } catch (error) {
    scope.postMessage({ id, error: toThread(error) });
  }
};
scope.postMessage({ ready: true });
