/**
 * Serialises one little-endian classic TIFF image file directory (IFD).
 *
 * @module
 */

/** One TIFF tag; ASCII values are given as a string (the NUL is added). */
export interface Tag {
  /** Tag number; tags must be given in ascending order. */
  id: number;
  /** Field type. */
  type: "SHORT" | "LONG" | "DOUBLE" | "ASCII";
  /** Values (a string for ASCII). */
  values: number[] | string;
}

const TYPE_CODE = { SHORT: 3, LONG: 4, DOUBLE: 12, ASCII: 2 } as const;
const TYPE_SIZE = { SHORT: 2, LONG: 4, DOUBLE: 8, ASCII: 1 } as const;

/**
 * Builds the bytes of an IFD placed at file offset `at`, followed by the
 * values that do not fit in their 4-byte entry. The length of the result
 * depends only on the tags' types and value counts, not on their values.
 *
 * @example
 * ```ts
 * import { buildIfd } from "./ifd.ts";
 * const ifd = buildIfd([{ id: 256, type: "LONG", values: [10] }], 8, 0);
 * if (ifd.length !== 18) throw new Error();
 * ```
 */
export function buildIfd(tags: Tag[], at: number, nextIfd: number): Uint8Array {
  const payload = (t: Tag) => {
    const count = typeof t.values === "string" ? t.values.length + 1 : t.values.length;
    return { count, size: count * TYPE_SIZE[t.type] };
  };
  const head = 2 + tags.length * 12 + 4;
  let extra = 0;
  for (const t of tags) {
    const { size } = payload(t);
    if (size > 4) extra += (size + 3) & ~3;
  }
  const out = new Uint8Array(head + extra);
  const view = new DataView(out.buffer);
  view.setUint16(0, tags.length, true);
  let valuePos = head;
  tags.forEach((t, i) => {
    const e = 2 + i * 12;
    const { count, size } = payload(t);
    view.setUint16(e, t.id, true);
    view.setUint16(e + 2, TYPE_CODE[t.type], true);
    view.setUint32(e + 4, count, true);
    let p = e + 8;
    if (size > 4) {
      view.setUint32(e + 8, at + valuePos, true);
      p = valuePos;
      valuePos += (size + 3) & ~3;
    }
    if (typeof t.values === "string") {
      out.set(new TextEncoder().encode(t.values), p);
      return;
    }
    for (const v of t.values) {
      if (t.type === "SHORT") view.setUint16(p, v, true);
      else if (t.type === "LONG") view.setUint32(p, v, true);
      else view.setFloat64(p, v, true);
      p += TYPE_SIZE[t.type];
    }
  });
  view.setUint32(head - 4, nextIfd, true);
  return out;
}
