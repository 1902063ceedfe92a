/**
 * Why the zip reader is our own: it against fflate's streaming `Unzip` and
 * zip.js's `ZipReader`, each unpacking a ~400 MB incompressible zip streamed
 * over loopback from a separate server process into files on disk. Every
 * client is a fresh process under `/usr/bin/time -v` (wall time, peak RSS);
 * medians of 3 runs, and each reader's time as a ratio of ours. Layouts:
 * four 100 MB entries stored, four deflated (sizes in the local headers),
 * and one 400 MB deflated entry whose sizes follow its data (bit 3), as a
 * zip written to a pipe has them.
 *
 * Run: `deno run -A bench/zip_readers.ts [RUNS]` (needs python3 for the
 * fixtures, /usr/bin/time). The same file is also the server
 * (`serve FILE...`) and a client (`client READER URL DIR`).
 *
 * @module
 */
import { configure, ZipReader } from "@zip.js/zip.js";
import { Unzip, UnzipInflate } from "fflate";
import { checkedEntries, DEFAULT_LIMITS } from "../lib/download/archive/mod.ts";
import {
  type ChildServer,
  type Figure,
  has,
  missing,
  reportFigures,
  skipped,
  startChildServer,
} from "./support/measure.ts";

const SELF = new URL(import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

type Unpacker = (stream: ReadableStream<Uint8Array>, dir: string) => Promise<number>;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

async function openOut(dir: string, name: string): Promise<Deno.FsFile> {
  const path = `${dir}/${name}`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  return await Deno.open(path, { write: true, create: true, truncate: true });
}

/** This project's reader: CRC-32, sizes and the central directory checked. */
const ours: Unpacker = async (stream, dir) => {
  let files = 0;
  for await (const entry of checkedEntries(stream, { ...DEFAULT_LIMITS, maxRatio: Infinity })) {
    if (entry.kind !== "file") continue;
    const file = await openOut(dir, entry.path);
    for (let piece = await entry.read(); piece; piece = await entry.read()) {
      await writeAll(file, piece);
    }
    file.close();
    files++;
  }
  return files;
};

/** fflate's streaming Unzip: no CRC-32 check, no central directory. */
const fflate: Unpacker = async (stream, dir) => {
  let files = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let failure: unknown;
  const unzip = new Unzip((entry) => {
    if (entry.name.endsWith("/")) return;
    files++;
    const opened = chain.then(() => openOut(dir, entry.name));
    chain = opened;
    entry.ondata = (error, data, final) => {
      if (error) return void (failure ??= error);
      chain = chain.then(async () => {
        const file = await opened;
        await writeAll(file, data);
        if (final) file.close();
      });
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    unzip.push(done ? new Uint8Array(0) : value, done);
    await chain;
    if (failure) throw failure;
    if (done) return files;
  }
};

/** zip.js's ZipReader given the stream (it buffers a stream of unknown size first). */
const zipjs: Unpacker = async (stream, dir) => {
  configure({ useWebWorkers: false });
  let files = 0;
  const reader = new ZipReader(stream, { checkSignature: true });
  for await (const entry of reader.getEntriesGenerator()) {
    if (entry.directory) continue;
    const file = await openOut(dir, entry.filename);
    await entry.getData!(file.writable);
    files++;
  }
  await reader.close();
  return files;
};

const READERS: Record<string, Unpacker> = { ours, fflate, "zip.js": zipjs };

const FIXTURES = `
import io, os, sys, zipfile
out = sys.argv[1]
class Unseekable(io.RawIOBase):
    def __init__(self, f): self.f = f
    def writable(self): return True
    def write(self, b): self.f.write(b); return len(b)
    def seekable(self): return False
    def tell(self): raise OSError("unseekable")
def entries(z, method, count, mb):
    for i in range(count):
        info = zipfile.ZipInfo(f"output/scene/part{i}.tif")
        info.compress_type = method
        with z.open(info, "w") as w:
            for _ in range(mb): w.write(os.urandom(1 << 20))
    z.writestr("output/data.json", "{}")
with zipfile.ZipFile(f"{out}/stored.zip", "w") as z: entries(z, zipfile.ZIP_STORED, 4, 100)
with zipfile.ZipFile(f"{out}/deflated.zip", "w", compresslevel=1) as z:
    entries(z, zipfile.ZIP_DEFLATED, 4, 100)
with open(f"{out}/streamed.zip", "wb") as f:
    with zipfile.ZipFile(Unseekable(f), "w", compresslevel=1) as z: entries(z, zipfile.ZIP_DEFLATED, 1, 400)
`;

const LAYOUTS: Record<string, string> = {
  "stored.zip": "4 × 100 MB stored, sizes in headers",
  "deflated.zip": "4 × 100 MB deflated, sizes in headers",
  "streamed.zip": "1 × 400 MB deflated, sizes after the data (bit 3)",
};

function serve(files: string[]): void {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const file = files.find((f) => f.endsWith(new URL(req.url).pathname));
    if (!file) return new Response("not found", { status: 404 });
    const size = (await Deno.stat(file)).size;
    return new Response((await Deno.open(file)).readable, {
      headers: { "content-length": `${size}` },
    });
  });
  console.log(server.addr.port);
}

async function client(name: string, url: string, dir: string): Promise<void> {
  const response = await fetch(url);
  console.log(await READERS[name](response.body!, dir));
}

async function timed(cmd: string[]): Promise<{ seconds: number; rssMb: number }> {
  const out = await new Deno.Command("/usr/bin/time", { args: ["-v", ...cmd], stdout: "null" })
    .output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(text.split("\n").find((l) => /error/i.test(l)) ?? "failed");
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(text)!;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text)!;
  return {
    seconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    rssMb: Number(rss[1]) / 1024,
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function bench(runs: number): Promise<void> {
  const absent = missing("python3") ?? (has("/usr/bin/time") ? undefined : "/usr/bin/time");
  if (absent) return await skipped("zip_readers", absent);
  const figures: Figure[] = [];
  const dir = await Deno.makeTempDir({ prefix: "up42-bench-zip-" });
  const out = `${dir}/out`;
  const rows: string[] = [];
  let server: ChildServer | undefined;
  try {
    const made = await new Deno.Command("python3", { args: ["-c", FIXTURES, dir] }).output();
    if (!made.success) throw new Error(new TextDecoder().decode(made.stderr));
    const archives = Object.keys(LAYOUTS).map((name) => `${dir}/${name}`);
    server = await startChildServer(CONFIG, [SELF, "serve", ...archives]);
    for (const archive of Object.keys(LAYOUTS)) {
      let base: number | undefined;
      for (const name of Object.keys(READERS)) {
        const results: { seconds: number; rssMb: number }[] = [];
        let note = "";
        for (let i = 0; i < runs; i++) {
          await Deno.remove(out, { recursive: true }).catch(() => {});
          await Deno.mkdir(out);
          const url = `${server.url}/${archive}`;
          try {
            const args = ["run", "-A", "--config", CONFIG, SELF, "client", name, url, out];
            results.push(await timed([Deno.execPath(), ...args]));
          } catch (error) {
            note = `failed: ${(error as Error).message.slice(0, 80)}`;
          }
        }
        const wall = results.length ? median(results.map((r) => r.seconds)) : NaN;
        if (name === "ours") base = wall;
        else if (base !== undefined) {
          figures.push({
            figure: `${LAYOUTS[archive]}: our reader, wall time`,
            value: base,
            unit: "s",
            reference: { label: name, value: wall },
            note: `deno run -A bench/zip_readers.ts ${runs}: medians of ${runs} fresh processes`,
          });
        }
        rows.push(
          `| ${LAYOUTS[archive]} | ${name} | ${results.length} | ${
            results.length ? `${wall.toFixed(2)} s` : "–"
          } | ${results.length ? `${median(results.map((r) => r.rssMb)).toFixed(0)} MB` : "–"} | ${
            base && results.length ? (wall / base).toFixed(2) : "–"
          } | ${note} |`,
        );
        console.error(rows.at(-1));
      }
    }
  } finally {
    await server?.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  console.log("\n### Zip readers: a ~400 MB zip streamed over loopback to disk\n");
  console.log(
    "| layout | reader | runs | wall (median) | peak RSS (median) | time vs ours | note |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  await reportFigures("zip_readers", "Our zip reader beside fflate and zip.js", figures);
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "serve") serve(rest);
  else if (mode === "client") await client(rest[0], rest[1], rest[2]);
  else await bench(Number(mode ?? 3));
}
