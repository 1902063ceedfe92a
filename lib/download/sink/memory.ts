/**
 * The memory sink: an entry's content gathered into one array, copied once
 * when its size is known.
 *
 * @module
 */

/**
 * All of an entry's content in one array. `size` is the announced size
 * (-1 when unknown); pieces are views valid until the next read, so they
 * are copied.
 *
 * @example
 * ```ts
 * import { readAll } from "./memory.ts";
 * const pieces = [new Uint8Array([1, 2]), new Uint8Array([3])];
 * const bytes = await readAll(-1, async () => pieces.shift() ?? null);
 * if (bytes.join() !== "1,2,3") throw new Error();
 * ```
 */
export async function readAll(
  size: number,
  read: () => Promise<Uint8Array | null>,
): Promise<Uint8Array<ArrayBuffer>> {
  if (size >= 0) {
    const bytes = new Uint8Array(size);
    let at = 0;
    for (let piece = await read(); piece; piece = await read()) {
      bytes.set(piece, at);
      at += piece.length;
    }
    return at === size ? bytes : bytes.slice(0, at);
  }
  const pieces: Uint8Array[] = [];
  let length = 0;
  for (let piece = await read(); piece; piece = await read()) {
    pieces.push(piece.slice());
    length += piece.length;
  }
  const bytes = new Uint8Array(length);
  pieces.reduce((at, piece) => (bytes.set(piece, at), at + piece.length), 0);
  return bytes;
}
