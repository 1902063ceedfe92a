/**
 * The README's permissions table, row by row, as a user's own project runs
 * it: each row's calls in a fresh project outside the checkout, with exactly
 * the row's flags and `--no-prompt`, succeed; with any one of them left out
 * they fail with a `PermissionError` whose one-line message names the flag
 * that is missing and why.
 */
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { startEmulator } from "../../lib/emulator/mod.ts";
import { mapPool } from "../../lib/internal/pool.ts";
import { denoRun, freshProject, README, type SplitHosts, splitHosts } from "../support/project.ts";

/** Each row's calls, keyed by the row's first cell. `A` holds the emulator's ids and credentials. */
const ROWS: Record<string, string> = {
  "`createContext` (credentials from env)": `
    const ctx = createContext({ jobId: A.jobId, jobtaskId: A.processing });
    if (ctx.projectId !== A.projectId || ctx.apiUrl !== A.apiUrl) throw new Error("env not read");`,
  "`jobtaskInfo`, `listJobtasks`, `getResultsJson`": `
    const ctx = createContext({ ...A.credentials, jobId: A.jobId, jobtaskId: A.processing });
    await jobtaskInfo(ctx);
    await listJobtasks(ctx);
    await getResultsJson(ctx);`,
  "`getJobResultsJson`": `
    const fc = await getJobResultsJson(createContext({ ...A.credentials, jobId: A.jobId }));
    if (fc.features.length === 0) throw new Error("no features");`,
  "`listQuicklooks`, `readQuicklook`": `
    const ctx = createContext({ ...A.credentials, jobId: A.jobId, jobtaskId: A.dataBlock });
    const [id] = await listQuicklooks(ctx);
    await readQuicklook(ctx, id);`,
  "`streamResults`, `readResults`": `
    const ctx = createContext({ ...A.credentials, jobId: A.jobId, jobtaskId: A.processing });
    for await (const entry of streamResults(ctx)) await entry.stream.cancel();
    if ((await readResults(ctx)).length === 0) throw new Error("no results");`,
  "`downloadResults`": `
    const ctx = createContext({ ...A.credentials, jobId: A.jobId, jobtaskId: A.processing });
    await downloadResults(ctx, { outputDirectory: "out" });`,
  "`downloadJobResults`": `
    const ctx = createContext({ ...A.credentials, jobId: A.jobId });
    const job = await downloadJobResults(ctx, { outputDirectory: "out", jobtasks: [A.processing, A.zip] });
    if (job.jobtasks.length !== 2) throw new Error("not every jobtask");`,
  "`downloadQuicklooks`": `
    const ctx = createContext({ ...A.credentials, jobId: A.jobId, jobtaskId: A.dataBlock });
    await downloadQuicklooks(ctx, { outputDirectory: "out" });`,
  "`renderRaster`, `plotResults`, `plotQuicklooks`, `mapResults` of `{ name, bytes }`": `
    const { tif, json, png } = await inputs();
    await renderRaster(tif);
    await plotResults({ filepaths: [tif] });
    await plotQuicklooks({ filepaths: [png] });
    await mapResults({ filepaths: [tif, json] });`,
  "`renderRaster`, `plotResults`, `plotQuicklooks`, `mapResults` of file paths": `
    await renderRaster("in/result.tif");
    await plotResults({ filepaths: ["in"] });
    await plotQuicklooks({ filepaths: ["in/quicklook.png"] });
    await mapResults({ filepaths: ["in"] });`,
  "`plotResults`, `plotQuicklooks`, `mapResults` writing `output` / `saveHtml`": `
    const { tif, json, png } = await inputs();
    await plotResults({ filepaths: [tif], output: "out/plot.png" });
    await plotQuicklooks({ filepaths: [png], output: "out/quicklooks.png" });
    await mapResults({ filepaths: [tif, json], saveHtml: "out/map.html" });`,
  "`startEmulator`": `
    await using emulator = await startEmulator();
    if (!emulator.url) throw new Error("no url");`,
};

const SCRIPT = (body: string) => `
import {
  createContext, downloadJobResults, downloadQuicklooks, downloadResults, getJobResultsJson,
  getResultsJson, jobtaskInfo, listJobtasks,
  listQuicklooks, readQuicklook, readResults, streamResults,
} from "@up42/jobtask";
import { startEmulator, writeGeoTiff } from "@up42/jobtask/emulator";
import { mapResults } from "@up42/jobtask/map";
import { plotQuicklooks, plotResults } from "@up42/jobtask/plot";
import { encodePng, renderRaster } from "@up42/jobtask/raster";

const A = JSON.parse(Deno.args[0]);
${INPUTS}
try {
  ${body}
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.log(JSON.stringify({ name: e?.name, flag: e?.flag, why: e?.why, message: String(e?.message) }));
}
`;

/** The inputs of the rendering rows, built in memory (no permission needed). */
const INPUTS = `
async function inputs() {
  const size = 64;
  const bands = [0, 1, 2].map((b) => new Uint8Array(size * size).map((_, i) => (i * (b + 1)) % 256));
  const bytes = await writeGeoTiff({
    width: size, height: size, bands, epsg: 32633, origin: [500000, 5000000], pixelSize: [10, 10],
  });
  const rgba = new Uint8ClampedArray(16 * 16 * 4).fill(200);
  const ring = [[15, 45.1], [15.01, 45.1], [15.01, 45.11], [15, 45.11], [15, 45.1]];
  const features = { type: "FeatureCollection", features: [{ type: "Feature", properties: { uid: "a" }, geometry: { type: "Polygon", coordinates: [ring] } }] };
  return {
    tif: { name: "result.tif", bytes },
    json: { name: "data.json", bytes: new TextEncoder().encode(JSON.stringify(features)) },
    png: { name: "quicklook.png", bytes: encodePng({ width: 16, height: 16, rgba }) },
  };
}
if (Deno.args[1] === "write-inputs") {
  const { tif, png } = await inputs();
  await Deno.mkdir("in");
  await Deno.writeFile("in/result.tif", tif.bytes);
  await Deno.writeFile("in/quicklook.png", png.bytes);
  await Deno.writeFile("in/data.json", (await inputs()).json.bytes);
  Deno.exit(0);
}`;

/** The permissions table of the README: first cell → flags of the second. */
function tableRows(): Map<string, string[]> {
  const section = README.slice(README.indexOf("\n## Permissions\n"));
  const table = section.slice(0, section.indexOf("\n\n", section.indexOf("\n|")));
  const rows = new Map<string, string[]>();
  for (const line of table.split("\n").filter((l) => l.startsWith("| `"))) {
    const [fn, needs] = line.split(" | ").map((c) => c.replace(/^\|/, "").trim());
    const flags = [...needs.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].split(/\s+/))
      .filter((w) => w.startsWith("--allow-"));
    rows.set(fn.replace(/\s*\|$/, ""), flags);
  }
  return rows;
}

/** The flags with one value of one flag left out. */
function withoutOne(flags: string[]): { flags: string[]; kind: string; value: string }[] {
  return flags.flatMap((flag, i) => {
    const [, kind, list] = /^--allow-(\w+)=(.*)$/.exec(flag)!;
    const values = list.split(",");
    return values.map((value) => {
      const rest = values.filter((v) => v !== value);
      const others = flags.filter((_, j) => j !== i);
      return {
        flags: rest.length ? [...others, `--allow-${kind}=${rest.join(",")}`] : others,
        kind,
        value,
      };
    });
  });
}

interface Outcome {
  ok?: boolean;
  name?: string;
  flag?: string;
  why?: string;
  message?: string;
}

async function runRow(
  hosts: SplitHosts,
  ids: Record<string, unknown>,
  body: string,
  flags: string[],
): Promise<{ outcome: Outcome; cwd: string; stderr: string }> {
  const cwd = await freshProject("links");
  const script = `${cwd}/row.ts`;
  await Deno.writeTextFile(script, SCRIPT(body));
  const args = [JSON.stringify(ids)];
  // The inputs the "file paths" row reads, and the folder the "writing" row writes into.
  if (body.includes('"in')) {
    const prepared = await denoRun(cwd, ["--allow-read=.", "--allow-write=."], script, {
      args: [...args, "write-inputs"],
    });
    assert.equal(prepared.code, 0, prepared.stderr);
  }
  if (body.includes('"out/')) await Deno.mkdir(`${cwd}/out`);
  const run = await denoRun(cwd, flags, script, {
    args,
    env: {
      UP42_API_URL: hosts.apiUrl,
      UP42_PROJECT_ID: ids.projectId as string,
      UP42_PROJECT_API_KEY: ids.projectApiKey as string,
    },
  });
  const last = run.stdout.trim().split("\n").at(-1) ?? "";
  return { outcome: last.startsWith("{") ? JSON.parse(last) : {}, cwd, stderr: run.stderr };
}

Deno.test({
  name: "permissions: every row of the README's table is true, and each flag is needed",
  sanitizeResources: false,
  async fn() {
    const rows = tableRows();
    assert.deepEqual([...rows.keys()].sort(), Object.keys(ROWS).sort(), "a scenario per row");
    await using emulator = await startEmulator();
    await using hosts = splitHosts(emulator);
    const ids = {
      apiUrl: hosts.apiUrl,
      projectId: emulator.projectId,
      projectApiKey: emulator.projectApiKey,
      credentials: { ...emulator.credentials, apiUrl: hosts.apiUrl },
      jobId: emulator.jobId,
      ...emulator.jobtasks,
    };
    const cases = [...rows].flatMap(([row, documented]) => {
      const flags = documented.map((f) =>
        hosts.substitute(f).replace(/=OUT$/, "=out").replace(/=DIR$/, "=out").replace(
          /=IN$/,
          "=in",
        )
      );
      return [
        { row, flags, missing: undefined as { kind: string; value: string } | undefined },
        ...withoutOne(flags).map((w) => ({ row, flags: w.flags, missing: w })),
      ];
    });
    const cleanup: string[] = [];
    try {
      const settled = await mapPool(cases, 2, async ({ row, flags, missing }) => {
        const { outcome, cwd, stderr } = await runRow(hosts, ids, ROWS[row], flags);
        cleanup.push(cwd);
        const label = `${row} with ${flags.join(" ") || "no flags"}`;
        if (!missing) {
          assert.deepEqual(outcome, { ok: true }, `${label}: ${stderr}`);
          return;
        }
        assert.equal(outcome.name, "PermissionError", `${label}: ${JSON.stringify(outcome)}`);
        assert.ok(
          outcome.flag?.startsWith(`--allow-${missing.kind}=`),
          `${label}: ${outcome.flag}`,
        );
        const granted = outcome.flag!.slice(outcome.flag!.indexOf("=") + 1).split(",");
        const named = missing.kind === "read" || missing.kind === "write"
          ? granted.map((p) => resolve(cwd, p)).some((p) =>
            p === resolve(cwd, missing.value) || p.startsWith(`${resolve(cwd, missing.value)}/`)
          )
          : granted.includes(missing.value);
        assert.ok(named, `${label}: ${outcome.flag} names ${missing.value}`);
        assert.ok(outcome.why, `${label}: says why`);
        assert.ok(!outcome.message!.includes("\n"), `${label}: one line`);
        assert.ok(outcome.message!.includes(outcome.flag!), `${label}: ${outcome.message}`);
        assert.ok(!/\.tmp|\.part|staging/.test(outcome.message!), `${label}: ${outcome.message}`);
      });
      const failures = settled.flatMap((r) => r.status === "rejected" ? [r.reason.message] : []);
      assert.deepEqual(failures, [], "every case as documented");
    } finally {
      for (const dir of cleanup) await Deno.remove(dir, { recursive: true });
    }
  },
});
