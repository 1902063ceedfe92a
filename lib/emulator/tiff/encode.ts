/**
 * Block encoders for the GeoTIFF writer: the TIFF predictors and the
 * DEFLATE (zlib), LZW and PackBits compressions.
 *
 * @module
 */

/** Compression names understood by {@linkcode encodeBlock}. */
export type Compression = "none" | "deflate" | "lzw" | "packbits";

/** TIFF Compression tag value of each compression name. */
export const COMPRESSION_CODES: Record<Compression, number> = {
  none: 1,
  lzw: 5,
  deflate: 8,
  packbits: 32773,
};

/**
 * Applies TIFF predictor 2 (horizontal differencing) or 3 (floating point)
 * in place to a block of `rows` rows of `rowValues` values each, where
 * `stride` values form one pixel.
 *
 * @example
 * ```ts
 * import { applyPredictorEncode } from "./encode.ts";
 * const row = new Uint8Array([1, 2, 4]);
 * applyPredictorEncode(row, 2, 1, 3, 1, 1);
 * if (row.join() !== "1,1,2") throw new Error();
 * ```
 */
export function applyPredictorEncode(
  bytes: Uint8Array,
  predictor: 2 | 3,
  bytesPerSample: number,
  rowValues: number,
  rows: number,
  stride: number,
): void {
  const rowBytes = rowValues * bytesPerSample;
  for (let r = 0; r < rows; r++) {
    const start = bytes.byteOffset + r * rowBytes;
    if (predictor === 2) {
      // The unsigned view of the sample width makes differences wrap like the decoder expects.
      const view = bytesPerSample === 1
        ? new Uint8Array(bytes.buffer, start, rowValues)
        : bytesPerSample === 2
        ? new Uint16Array(bytes.buffer, start, rowValues)
        : new Uint32Array(bytes.buffer, start, rowValues);
      for (let i = rowValues - 1; i >= stride; i--) view[i] -= view[i - stride];
    } else {
      // Byte planes, most significant first, then byte-wise differencing.
      const row = new Uint8Array(bytes.buffer, start, rowBytes);
      const planes = new Uint8Array(rowBytes);
      for (let i = 0; i < rowValues; i++) {
        for (let b = 0; b < bytesPerSample; b++) {
          planes[(bytesPerSample - b - 1) * rowValues + i] = row[bytesPerSample * i + b];
        }
      }
      for (let i = rowBytes - 1; i >= stride; i--) planes[i] -= planes[i - stride];
      row.set(planes);
    }
  }
}

/**
 * Compresses one TIFF block.
 *
 * @example
 * ```ts
 * import { encodeBlock } from "./encode.ts";
 * const packed = await encodeBlock(new Uint8Array(1000), "deflate");
 * if (!(packed.length < 100)) throw new Error();
 * ```
 */
export async function encodeBlock(
  bytes: Uint8Array,
  compression: Compression,
): Promise<Uint8Array> {
  switch (compression) {
    case "none":
      return bytes;
    case "deflate": {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
        .pipeThrough(new CompressionStream("deflate"));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    }
    case "lzw":
      return lzwEncode(bytes);
    case "packbits":
      return packBitsEncode(bytes);
  }
}

/**
 * TIFF LZW (MSB-first codes, 9 to 12 bits, early change, Clear and EOI).
 *
 * @example
 * ```ts
 * import { lzwEncode } from "./encode.ts";
 * if (lzwEncode(new Uint8Array([7, 7, 7, 7])).length === 0) throw new Error();
 * ```
 */
export function lzwEncode(input: Uint8Array): Uint8Array {
  const CLEAR = 256, EOI = 257;
  const out: number[] = [];
  let acc = 0, accBits = 0, bits = 9, next = 258;
  let dict = new Map<number, number>();
  const emit = (code: number) => {
    acc = (acc << bits) | code;
    accBits += bits;
    while (accBits >= 8) {
      accBits -= 8;
      out.push((acc >>> accBits) & 0xff);
    }
    acc &= (1 << accBits) - 1;
  };
  emit(CLEAR);
  if (input.length === 0) {
    emit(EOI);
    if (accBits > 0) out.push((acc << (8 - accBits)) & 0xff);
    return new Uint8Array(out);
  }
  let w = input[0];
  for (let i = 1; i < input.length; i++) {
    const c = input[i];
    const key = w * 256 + c;
    const found = dict.get(key);
    if (found !== undefined) {
      w = found;
      continue;
    }
    emit(w);
    dict.set(key, next++);
    if (next >= 1 << bits && bits < 12) bits++;
    if (next >= 4093) {
      emit(CLEAR);
      dict = new Map();
      next = 258;
      bits = 9;
    }
    w = c;
  }
  emit(w);
  // The decoder grows its table on this last code too, so EOI may need one more bit.
  if (next + 1 >= 1 << bits && bits < 12) bits++;
  emit(EOI);
  if (accBits > 0) out.push((acc << (8 - accBits)) & 0xff);
  return new Uint8Array(out);
}

/**
 * PackBits run-length encoding (runs of 3+ equal bytes, literals otherwise).
 *
 * @example
 * ```ts
 * import { packBitsEncode } from "./encode.ts";
 * if (packBitsEncode(new Uint8Array([5, 5, 5, 5])).join() !== "253,5") throw new Error();
 * ```
 */
export function packBitsEncode(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < input.length) {
    let run = 1;
    while (i + run < input.length && run < 128 && input[i + run] === input[i]) run++;
    if (run >= 3) {
      out.push(257 - run, input[i]);
      i += run;
      continue;
    }
    const start = i;
    while (
      i < input.length && i - start < 128 &&
      !(i + 2 < input.length && input[i] === input[i + 1] && input[i] === input[i + 2])
    ) i++;
    out.push(i - start - 1);
    for (let k = start; k < i; k++) out.push(input[k]);
  }
  return new Uint8Array(out);
}
