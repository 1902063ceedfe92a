/**
 * Archives for the download tests, built byte by byte (including the
 * hostile ones no packer writes), and a snapshot of a folder tree to prove
 * nothing was written.
 *
 * @module
 */
import zlib from "node:zlib";
/** Every path below `dir` (folders end in `/`), sorted; links are listed with `@`. */
export async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string, prefix: string) => {
    for await (const entry of Deno.readDir(path)) {
      const name = `${prefix}${entry.name}`;
      if (entry.isSymlink) out.push(`${name}@`);
      else if (entry.isDirectory) {
        out.push(`${name}/`);
        await walk(`${path}/${entry.name}`, `${name}/`);
      } else out.push(name);
    }
  };
  await walk(dir, "");
  return out.sort();
}

const encoder = new TextEncoder();

/** Bytes of `text`. */
export function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Deterministic pseudo-random bytes (incompressible). */
export function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** One entry of a hand-built tar. */
export interface RawTarEntry {
  /** The name field (bytes are written as they are, up to 100). */
  name: string | Uint8Array;
  /** Type flag, default "0". */
  type?: string;
  /** Content. */
  body?: Uint8Array;
  /** Link target. */
  linkname?: string;
  /** pax records written in an `x` header before the entry. */
  pax?: Record<string, string>;
  /** Size field override (default the body's length). */
  size?: number;
  /** Header kind: ustar (default), GNU (`ustar  \0`, no prefix) or v7 (no magic). */
  magic?: "ustar" | "gnu" | "v7";
  /** Bytes written into the header at an offset (prefix, GNU times, sparse fields). */
  poke?: [number, Uint8Array][];
}

/** A tar archive built header by header, so hostile names and types can be written. */
export function rawTar(entries: RawTarEntry[], options: { end?: boolean } = {}): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.pax) {
      const data = paxData(entry.pax);
      blocks.push(tarHeader({ name: "PaxHeader", type: "x", size: data.length }), padded(data));
    }
    const body = entry.body ?? new Uint8Array(0);
    blocks.push(tarHeader({ ...entry, size: entry.size ?? body.length }), padded(body));
  }
  if (options.end !== false) blocks.push(new Uint8Array(1024));
  return concat(blocks);
}

function tarHeader(entry: RawTarEntry & { size: number }): Uint8Array {
  const header = new Uint8Array(512);
  const name = typeof entry.name === "string" ? encoder.encode(entry.name) : entry.name;
  header.set(name.subarray(0, 100), 0);
  const octal = (value: number, at: number, length: number) =>
    header.set(encoder.encode(value.toString(8).padStart(length - 1, "0")), at);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(entry.size, 124, 12);
  octal(1614592800, 136, 12);
  header[156] = (entry.type ?? "0").charCodeAt(0);
  if (entry.linkname) header.set(encoder.encode(entry.linkname).subarray(0, 100), 157);
  if (entry.magic === "gnu") header.set(encoder.encode("ustar  \u0000"), 257);
  else if (entry.magic !== "v7") header.set(encoder.encode("ustar\u000000"), 257);
  for (const [at, bytes] of entry.poke ?? []) header.set(bytes, at);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\u0000 "), 148);
  return header;
}

/** The data of a pax extended header holding `records`. */
export function paxData(records: Record<string, string>): Uint8Array {
  let text = "";
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let length = encoder.encode(body).length;
    length += String(length + String(length).length).length;
    text += `${length}${body}`;
  }
  return encoder.encode(text);
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 512) * 512);
  out.set(bytes);
  return out;
}

/** Concatenates byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** gzip of `bytes`. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** One entry of a hand-built zip. */
export interface RawZipEntry {
  /** Entry name (a string is written as UTF-8, without the UTF-8 flag). */
  name: string | Uint8Array;
  /** Extra fields, in the local header and the central directory. */
  extra?: Uint8Array;
  /** Content (default empty). */
  body?: Uint8Array;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** A data descriptor after the data: 32- or 64-bit sizes, with or without its signature. */
  descriptor?: "32" | "64" | "32-nosig";
  /** With a descriptor, the local header's sizes: zeros (default), or the uncompressed size only (as Info-ZIP writes to a pipe). */
  localSizes?: "zero" | "size-only";
  /** Sizes as 0xFFFFFFFF with a zip64 extra field, in the local header and the central directory. */
  zip64?: boolean;
  /** Central directory overrides, for archives whose two views disagree. */
  central?: { name?: string; size?: number; offset?: number };
}

/** Options of {@linkcode rawZip}. */
export interface RawZipOptions {
  /** Bytes before the archive (a self-extractor's stub). */
  stub?: Uint8Array;
  /** Whether offsets count from the start of the file (default) or from the end of the stub. */
  offsetsFromStub?: boolean;
  /** Entry count written in the end record (default the real one). */
  endCount?: number;
  /** Archive comment. */
  comment?: Uint8Array;
}

/** A zip built record by record, so layouts no packer writes (and hostile ones) can be made. */
export async function rawZip(
  entries: RawZipEntry[],
  options: RawZipOptions = {},
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  const base = options.stub?.length ?? 0;
  let at = base;
  const push = (bytes: Uint8Array) => (parts.push(bytes), at += bytes.length);
  if (options.stub) parts.push(options.stub);
  for (const entry of entries) {
    const body = entry.body ?? new Uint8Array(0);
    const method = entry.method ?? 8;
    const data = method === 8 ? await deflateRaw(body) : body;
    const crc = zlib.crc32(body) >>> 0;
    const name = typeof entry.name === "string" ? encoder.encode(entry.name) : entry.name;
    const extra = entry.extra ?? new Uint8Array(0);
    const offset = at - (options.offsetsFromStub ? base : 0);
    const wide = (n: number) => (entry.zip64 ? 0xffffffff : n);
    const zip64Extra = (fields: number[]) => {
      const out = new Uint8Array(4 + 8 * fields.length);
      const view = new DataView(out.buffer);
      view.setUint16(0, 1, true);
      view.setUint16(2, 8 * fields.length, true);
      fields.forEach((v, i) => view.setBigUint64(4 + 8 * i, BigInt(v), true));
      return out;
    };
    const sizes = entry.descriptor
      ? [0, entry.localSizes === "size-only" ? body.length : 0]
      : [data.length, body.length];
    const localExtra = concat([
      entry.zip64 ? zip64Extra([sizes[1], sizes[0]]) : new Uint8Array(0),
      extra,
    ]);
    const local = le([
      [4, 0x04034b50],
      [2, 20],
      [2, entry.descriptor ? 8 : 0],
      [2, method],
      [4, 0],
      [4, entry.descriptor ? 0 : crc],
      [4, wide(sizes[0])],
      [4, wide(sizes[1])],
      [2, name.length],
      [2, localExtra.length],
    ]);
    push(concat([local, name, localExtra, data]));
    if (entry.descriptor) {
      const sig = entry.descriptor === "32-nosig" ? [] : [[4, 0x08074b50]];
      const n = entry.descriptor === "64" ? 8 : 4;
      push(le([...sig, [4, crc], [n, data.length], [n, body.length]] as [number, number][]));
    }
    const cName = entry.central?.name ? encoder.encode(entry.central.name) : name;
    const cSize = entry.central?.size ?? body.length;
    const cOffset = entry.central?.offset ?? offset;
    const cExtra = concat([
      entry.zip64 ? zip64Extra([cSize, data.length]) : new Uint8Array(0),
      extra,
    ]);
    central.push(concat([
      le([
        [4, 0x02014b50],
        [2, 0x031e],
        [2, 20],
        [2, entry.descriptor ? 8 : 0],
        [2, method],
        [4, 0],
        [4, crc],
        [4, wide(data.length)],
        [4, wide(cSize)],
        [2, cName.length],
        [2, cExtra.length],
        [2, 0],
        [2, 0],
        [2, 0],
        [4, (0o100644 << 16) >>> 0],
        [4, cOffset],
      ]),
      cName,
      cExtra,
    ]));
  }
  const cdStart = at - (options.offsetsFromStub ? base : 0);
  const cd = concat(central);
  push(cd);
  const comment = options.comment ?? new Uint8Array(0);
  const count = options.endCount ?? entries.length;
  push(concat([
    le([[4, 0x06054b50], [2, 0], [2, 0], [2, count], [2, count], [4, cd.length], [4, cdStart], [
      2,
      comment.length,
    ]]),
    comment,
  ]));
  return concat(parts);
}

/** Little-endian fields `[width in bytes, value]`. */
function le(fields: [number, number][]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, [w]) => n + w, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [width, value] of fields) {
    if (width === 2) view.setUint16(at, value, true);
    else if (width === 4) view.setUint32(at, value, true);
    else view.setBigUint64(at, BigInt(value), true);
    at += width;
  }
  return out;
}

async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
