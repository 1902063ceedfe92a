/**
 * GNU tar's own archives, in every header format and sparse version it
 * writes, read by this reader and extracted by GNU tar: the same files,
 * byte for byte, and the same folders.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { checkedEntries, DEFAULT_LIMITS } from "../../../lib/download/archive/mod.ts";

const VARIANTS: [string, string[]][] = [
  ["gnu", ["--format=gnu", "--sparse"]],
  ["oldgnu", ["--format=oldgnu", "--sparse"]],
  ["gnu incremental (times where ustar has its prefix)", ["--format=gnu", "--incremental"]],
  ["pax sparse 0.0", ["--format=pax", "--sparse", "--sparse-version=0.0"]],
  ["pax sparse 0.1", ["--format=pax", "--sparse", "--sparse-version=0.1"]],
  ["pax sparse 1.0", ["--format=pax", "--sparse", "--sparse-version=1.0"]],
  ["pax global header", ["--format=pax", "--pax-option=UP42.note=global"]],
  ["ustar", ["--format=ustar"]],
  ["v7", ["--format=v7"]],
];

async function sh(args: string[], cwd?: string): Promise<void> {
  const out = await new Deno.Command(args[0], { args: args.slice(1), cwd, stderr: "piped" })
    .output();
  assert.ok(out.success, `${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

/** A sparse file: `size` bytes, data at the given offsets, holes elsewhere. */
async function sparseFile(path: string, size: number, data: [number, number][]): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true });
  for (const [offset, length] of data) {
    await file.seek(offset, Deno.SeekMode.Start);
    await file.write(new Uint8Array(length).fill(offset % 251 + 1));
  }
  await file.truncate(size);
  file.close();
}

function sha(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** `path size sha` of every file and `path/` of every folder below `dir`, sorted. */
async function extracted(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) out.push(`${path}/`, ...await extracted(dir, `${path}/`));
    else out.push(`${path} ${sha(await Deno.readFile(`${dir}/${path}`))}`);
  }
  return out.sort();
}

async function read(archive: string): Promise<string[]> {
  const out: string[] = [];
  const stream = (await Deno.open(archive)).readable;
  for await (const entry of checkedEntries(stream, DEFAULT_LIMITS)) {
    if (entry.kind === "directory") {
      out.push(`${entry.path}/`);
      continue;
    }
    const hash = createHash("sha256");
    for (let piece = await entry.read(); piece; piece = await entry.read()) hash.update(piece);
    out.push(`${entry.path} ${hash.digest("hex")}`);
  }
  // GNU tar creates the folders a file is in; so does a download.
  for (const line of [...out]) {
    const path = line.split(" ")[0];
    for (let i = path.indexOf("/"); i > 0 && i < path.length - 1; i = path.indexOf("/", i + 1)) {
      out.push(`${path.slice(0, i)}/`);
    }
  }
  return [...new Set(out)].sort();
}

Deno.test("tar: GNU tar's archives in every format read as GNU tar extracts them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "up42-tar-gnu-" });
  try {
    const src = `${dir}/src/results`;
    await Deno.mkdir(`${src}/empty`, { recursive: true });
    await Deno.writeTextFile(`${src}/plain.txt`, "plain text\n");
    await sparseFile(`${src}/sparse.bin`, 4 << 20, [[0, 4096], [1 << 20, 8192], [
      (4 << 20) - 4096,
      4096,
    ]]);
    await sparseFile(`${src}/hole_first.bin`, 2 << 20, [[1536 << 10, 5000]]);
    await sparseFile(`${src}/all_hole.bin`, 1 << 20, []);
    const long = `${src}/${"d".repeat(60)}`;
    await Deno.mkdir(long);
    await Deno.writeTextFile(`${long}/${"f".repeat(70)}.txt`, "long name\n");
    for (const [title, options] of VARIANTS) {
      const archive = `${dir}/a.tar`;
      const ref = `${dir}/ref`;
      await Deno.remove(ref, { recursive: true }).catch(() => {});
      await Deno.mkdir(ref);
      // v7 names end at 99 bytes: that variant leaves the long name out.
      const members = title === "v7"
        ? ["results/plain.txt", "results/empty", "results/sparse.bin"]
        : ["results"];
      const incremental = options.includes("--incremental")
        ? [`--listed-incremental=${dir}/snar`]
        : [];
      await sh(["tar", ...options, ...incremental, "-cf", archive, "-C", `${dir}/src`, ...members]);
      await Deno.remove(`${dir}/snar`).catch(() => {});
      await sh(["tar", "-xf", archive, "-C", ref]);
      assert.deepEqual(await read(archive), await extracted(ref), title);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
