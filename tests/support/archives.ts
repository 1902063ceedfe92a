/**
 * Archives for the download tests, built byte by byte (including the
 * hostile ones no packer writes), and a snapshot of a folder tree to prove
 * nothing was written.
 *
 * @module
 */
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
  header.set(encoder.encode("ustar\u000000"), 257);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\u0000 "), 148);
  return header;
}

function paxData(records: Record<string, string>): Uint8Array {
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
