/**
 * Hand-made TIFFs for tests of layouts and hostile files that no writer
 * produces: any tags, any offsets, a directory chain that loops, and TIFF
 * LZW streams in both dialects.
 *
 * @module
 */

/** A tag: number, field type (3 SHORT, 4 LONG, 12 DOUBLE, 2 ASCII) and values. */
export type Tag = [tag: number, type: number, values: number[] | string];

const SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 7: 1, 12: 8, 16: 8 };

/**
 * A little-endian classic TIFF: `data` at offset 8, then one directory per
 * tag list. Tags 273/324 (offsets) given as `"data+N"` strings point into
 * `data`; `loop` makes the last directory point back at the first.
 *
 * @example
 * ```ts ignore
 * const bytes = craftTiff([[[256, 3, [1]], [257, 3, [1]], [273, 4, "data+0"], [279, 4, [1]]]], new Uint8Array([7]));
 * ```
 */
export function craftTiff(ifds: Tag[][], data: Uint8Array, loop = false): Uint8Array {
  const out = new Uint8Array(8 + data.length + ifds.length * 65536);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  out.set(data, 8);
  let at = 8 + data.length + ((8 + data.length) % 2);
  view.setUint32(4, at, true);
  const starts: number[] = [];
  for (const [n, tags] of ifds.entries()) {
    const sorted = [...tags].sort((a, b) => a[0] - b[0]);
    const start = at;
    starts.push(start);
    view.setUint16(at, sorted.length, true);
    let extra = at + 2 + sorted.length * 12 + 4;
    for (const [i, [tag, type, raw]] of sorted.entries()) {
      const e = at + 2 + i * 12;
      const values = typeof raw === "string"
        ? raw.startsWith("data+")
          ? [8 + Number(raw.slice(5))]
          : [...raw, "\0"].map((c) => c.charCodeAt(0))
        : raw;
      const size = SIZES[type];
      view.setUint16(e, tag, true);
      view.setUint16(e + 2, type, true);
      view.setUint32(e + 4, values.length, true);
      let p = e + 8;
      if (values.length * size > 4) {
        view.setUint32(e + 8, extra, true);
        p = extra;
        extra += values.length * size + ((values.length * size) % 2);
      }
      for (const v of values) {
        if (size === 1) out[p] = v;
        else if (size === 2) view.setUint16(p, v, true);
        else if (size === 4) view.setUint32(p, v, true);
        else view.setFloat64(p, v, true);
        p += size;
      }
    }
    const next = n + 1 < ifds.length ? extra : loop ? starts[0] : 0;
    view.setUint32(at + 2 + sorted.length * 12, next, true);
    at = extra;
  }
  return out.slice(0, at);
}

/**
 * TIFF LZW: TIFF 6.0 codes (MSB-first, early change) or the old style
 * (LSB-first, late change).
 *
 * @example
 * ```ts ignore
 * const stream = encodeLzw(new Uint8Array(100), false);
 * ```
 */
export function encodeLzw(input: Uint8Array, old = false): Uint8Array {
  const out: number[] = [];
  let acc = 0, nacc = 0, width = 9;
  const put = (code: number) => {
    if (old) {
      acc |= code << nacc;
      nacc += width;
      while (nacc >= 8) {
        out.push(acc & 255);
        acc >>>= 8;
        nacc -= 8;
      }
    } else {
      acc = (acc << width) | code;
      nacc += width;
      while (nacc >= 8) {
        out.push((acc >>> (nacc - 8)) & 255);
        nacc -= 8;
        acc &= (1 << nacc) - 1;
      }
    }
  };
  let dict = new Map<string, number>(), next = 258;
  put(256);
  let w = "";
  for (const byte of input) {
    const wc = w + String.fromCharCode(byte);
    if (w === "" || dict.has(wc)) {
      w = wc;
      continue;
    }
    put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
    dict.set(wc, next++);
    if (next >= (1 << width) + (old ? 1 : 0) && width < 12) width++;
    if (next >= 4093) {
      put(256);
      dict = new Map();
      next = 258;
      width = 9;
    }
    w = String.fromCharCode(byte);
  }
  if (w) put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
  put(257);
  if (nacc > 0) out.push(old ? acc & 255 : (acc << (8 - nacc)) & 255);
  return new Uint8Array(out);
}
