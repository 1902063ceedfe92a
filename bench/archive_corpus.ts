/**
 * Runs a corpus of tar and zip archives through `downloadResults` and
 * `streamResults` and compares what they produce with what GNU tar or
 * unzip extracted from the same archive (the corpus manifest records it).
 * Not a test: the corpus lives outside the repository. Prints one line per
 * archive and a summary `N of M match`.
 *
 * Verdicts:
 * - `same`: the reference tool extracted it and we wrote the same files
 *   (path, size, SHA-256) and folders; names the tool wrote as raw Latin-1
 *   bytes are compared after decoding them as we do (to UTF-8).
 * - `refused-as-required`: a hostile archive (the manifest says a safe
 *   reader must refuse it) or one the reference tool could not extract,
 *   refused with a one-line error and nothing written.
 * - `refused-by-policy`: the reference tool extracted it but the results
 *   policy refuses it on purpose (duplicate paths, links, an unsupported
 *   compression method), with a one-line error naming the entry.
 * - `differs`: anything else (wrong output, a refusal without reason, a
 *   hostile archive accepted, something left behind).
 *
 * Run: `deno run -A bench/archive_corpus.ts [CORPUS_DIR] [--max-bytes N] [--only NAME]`
 * (default `/work/corpus/archives`; `--max-bytes` defaults to 64 MiB, below
 * the corpus' bombs and above every genuine file in it).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ArchiveError, createContext, downloadResults, streamResults, Up42Error } from "../mod.ts";
import { entryName } from "../lib/download/archive/zip_records.ts";
import { startEmulator } from "../lib/emulator/mod.ts";
import { MANIFEST_NAME } from "../lib/files/manifest.ts";
import { skipped } from "./support/measure.ts";

interface Expected {
  path: string;
  type: string;
  size?: number;
  sha256?: string;
  pathBytesHex?: string;
}

interface Case {
  file: string;
  class: string;
  hostile: boolean;
  expectedRefusal?: string;
  gnuTarExtracts?: boolean;
  unzipExtracts?: boolean;
  expected?: Expected[];
  intendedEntries?: Expected[];
}

/**
 * Refusals that are the results policy although the reference tool extracts
 * the archive: links and devices are never created, two entries on one
 * path are refused (tar keeps the last), only stored and deflated zip
 * entries are unpacked.
 */
function byPolicy(error: unknown): boolean {
  if (!(error instanceof ArchiveError)) return false;
  return (error.reason === "unsafe" && /link|device|FIFO/.test(error.detail)) ||
    (error.reason === "ambiguous" && /same path/.test(error.detail)) ||
    (error.reason === "unsupported" && /compression method/.test(error.detail));
}

const args = [...Deno.args];
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args.splice(i, 2)[1];
};
const maxBytes = Number(flag("--max-bytes") ?? 64 * 1024 * 1024);
const only = flag("--only");
const dir = args[0] ?? "/work/corpus/archives";
const manifestText = await Deno.readTextFile(join(dir, "manifest.json")).catch(() => undefined);
if (manifestText === undefined) {
  await skipped("archive_corpus", `the archive corpus (${dir}/manifest.json)`);
  Deno.exit(0);
}
const manifest = JSON.parse(manifestText) as { files: Case[] };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * The expected path as this module names it: names the tool wrote as raw
 * bytes decoded as we decode them (tar: UTF-8, else Latin-1; zip: UTF-8,
 * else CP437), `output/` dropped.
 */
function ourPath(entry: Expected, zip: boolean): string {
  let path = entry.path;
  if (entry.pathBytesHex) {
    const bytes = Uint8Array.from(entry.pathBytesHex.match(/../g)!.map((h) => parseInt(h, 16)));
    if (zip) path = entryName(bytes, new Uint8Array(), 0);
    else {
      try {
        path = utf8.decode(bytes);
      } catch {
        path = latin1.decode(bytes);
      }
    }
  }
  return path === "output" ? "" : path.replace(/^output\//, "");
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of (await Deno.open(path)).readable) hash.update(chunk);
  return hash.digest("hex");
}

/** `path type size sha` lines of a folder tree, sorted. */
async function listing(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string, prefix: string) => {
    for await (const entry of Deno.readDir(path)) {
      // The download's own manifest is not part of the results.
      if (prefix === "" && entry.name === MANIFEST_NAME) continue;
      const name = `${prefix}${entry.name}`;
      const full = join(path, entry.name);
      if (entry.isDirectory) {
        out.push(`${name} dir`);
        await walk(full, `${name}/`);
      } else if (entry.isFile) {
        out.push(`${name} file ${(await Deno.stat(full)).size} ${await sha256(full)}`);
      } else out.push(`${name} other`);
    }
  };
  await walk(root, "");
  return out.sort();
}

function expectedListing(entries: Expected[], zip: boolean): string[] {
  const folders = new Set<string>();
  const lines = entries.map((e) => {
    const path = ourPath(e, zip);
    // A tool creates the folders a file is in; so do we.
    for (let i = path.indexOf("/"); i > 0; i = path.indexOf("/", i + 1)) {
      folders.add(path.slice(0, i));
    }
    if (e.type === "dir") return `${path} dir`;
    if (e.type === "file") return `${path} file ${e.size} ${e.sha256}`;
    return `${path} ${e.type}`;
  });
  for (const folder of folders) lines.push(`${folder} dir`);
  return [...new Set(lines)].filter((line) => !line.startsWith(" ")).sort();
}

const emulator = await startEmulator();
const work = await Deno.makeTempDir({ prefix: "up42-archive-corpus-" });
const counts: Record<string, number> = {};
const lines: string[] = [];
try {
  for (const c of manifest.files) {
    if (only && !c.file.includes(only)) continue;
    const bytes = await Deno.readFile(join(dir, c.file));
    const id = `t-${crypto.randomUUID().slice(0, 8)}`;
    await emulator.addJobtask(emulator.jobId, {
      info: { id, name: "corpus:1", status: "SUCCEEDED" },
      results: { bytes, contentType: "application/octet-stream", filename: c.file },
    });
    const ctx = createContext({ ...emulator.credentials, jobId: emulator.jobId, jobtaskId: id });
    const out = join(work, c.file);
    const started = performance.now();
    let error: unknown;
    try {
      await downloadResults(ctx, {
        outputDirectory: out,
        maxBytes,
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      error = e;
    }
    const seconds = (performance.now() - started) / 1000;
    const written = await listing(out).catch(() => [] as string[]);
    // The same archive through streamResults: the same files, or the same refusal.
    const streamed: string[] = [];
    let streamError: unknown;
    try {
      for await (const entry of streamResults(ctx, { maxBytes })) {
        const hash = createHash("sha256");
        let size = 0;
        for await (const piece of entry.stream) {
          hash.update(piece);
          size += piece.length;
        }
        streamed.push(`${entry.name} file ${size} ${hash.digest("hex")}`);
      }
    } catch (e) {
      streamError = e;
    }
    const refusedByTool = c.gnuTarExtracts === false || c.unzipExtracts === false;
    const oneLine = error instanceof Up42Error && !error.message.includes("\n");
    let verdict: string;
    let note = "";
    const agree = (error === undefined) === (streamError === undefined) &&
      (error !== undefined ||
        JSON.stringify(streamed.sort()) ===
          JSON.stringify(written.filter((l) => l.includes(" file ")).sort()));
    if (error !== undefined) {
      note = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (written.length > 0) verdict = "differs";
      else if (!oneLine) verdict = "differs";
      else if (c.hostile || refusedByTool) verdict = "refused-as-required";
      else if (byPolicy(error)) verdict = "refused-by-policy";
      else verdict = "differs";
    } else if (c.hostile || refusedByTool) {
      verdict = "differs";
      note = `accepted: ${written.slice(0, 4).join(", ")}`;
    } else {
      const zip = c.file.endsWith(".zip");
      const want = expectedListing(c.expected ?? [], zip);
      const intended = c.intendedEntries && expectedListing(c.intendedEntries, zip);
      if (JSON.stringify(want) === JSON.stringify(written)) verdict = "same";
      else if (JSON.stringify(intended) === JSON.stringify(written)) {
        verdict = "same";
        note = "as the archive's maker intended (the reference tool was fooled)";
      } else {
        verdict = "differs";
        const missing = want.filter((l) => !written.includes(l));
        const extra = written.filter((l) => !want.includes(l));
        note = `missing [${missing.slice(0, 3).join("; ")}] extra [${
          extra.slice(0, 3).join("; ")
        }]`;
      }
    }
    if (!agree) {
      verdict = "differs";
      note += ` | streamResults disagrees: ${
        streamError instanceof Error ? streamError.message : streamed.join(", ")
      }`;
    }
    counts[verdict] = (counts[verdict] ?? 0) + 1;
    const line = `${verdict.padEnd(20)} ${c.file.padEnd(34)} ${seconds.toFixed(2)} s  ${
      note.slice(0, 220)
    }`;
    lines.push(line);
    console.log(line);
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
} finally {
  await emulator.close();
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
const total = lines.length;
const matching = (counts["same"] ?? 0) + (counts["refused-as-required"] ?? 0);
console.log(
  `\n${matching} of ${total} match (same ${counts["same"] ?? 0}, refused as required ${
    counts["refused-as-required"] ?? 0
  }); refused by policy ${counts["refused-by-policy"] ?? 0}; differ ${counts["differs"] ?? 0}`,
);
