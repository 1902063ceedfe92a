/**
 * The layout as a contract: no import cycles, and each entry point loads
 * only its own stages (dynamic imports, which load on demand, aside).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).href;

interface Graph {
  /** Module specifier to its static and dynamic dependencies. */
  edges: Map<string, { to: string; dynamic: boolean }[]>;
}

async function graphOf(entry: string): Promise<Graph> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: new URL(ROOT).pathname,
    stdout: "piped",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const edges = new Map<string, { to: string; dynamic: boolean }[]>();
  for (const m of info.modules) {
    edges.set(
      m.specifier,
      (m.dependencies ?? []).filter((d: any) => d.code?.specifier).map((d: any) => ({
        to: d.code.specifier,
        dynamic: Boolean(d.isDynamic),
      })),
    );
  }
  for (const [from, to] of Object.entries(info.redirects ?? {})) {
    edges.set(from, [{ to: to as string, dynamic: false }]);
  }
  return { edges };
}

/** Everything `entry` loads when it is imported (static imports only). */
function staticClosure(graph: Graph, entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (m: string) => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const e of graph.edges.get(m) ?? []) if (!e.dynamic) walk(e.to);
  };
  walk(entry);
  return seen;
}

const local = (modules: Set<string>) =>
  [...modules].filter((m) => m.startsWith(ROOT)).map((m) => m.slice(ROOT.length));
const npm = (modules: Set<string>) =>
  [...modules].filter((m) => m.startsWith("npm:")).map((m) =>
    m.replace(/^npm:\/?/, "").replace(/@[\d.]+.*$/, "")
  );

Deno.test("architecture: no import cycles in lib/", async () => {
  const graph = await graphOf("lib/cli/mod.ts");
  const extra = [
    "mod.ts",
    "lib/raster/mod.ts",
    "lib/plot/mod.ts",
    "lib/map/mod.ts",
    "lib/notebook/mod.ts",
    "lib/emulator/mod.ts",
  ];
  for (const entry of extra) {
    for (const [k, v] of (await graphOf(entry)).edges) graph.edges.set(k, v);
  }
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (m: string, path: string[]) => {
    if (!m.startsWith(ROOT)) return;
    if (state.get(m) === "done") return;
    if (state.get(m) === "open") {
      cycles.push([...path.slice(path.indexOf(m)), m].map((p) => p.slice(ROOT.length)).join(" → "));
      return;
    }
    state.set(m, "open");
    for (const e of graph.edges.get(m) ?? []) visit(e.to, [...path, m]);
    state.set(m, "done");
  };
  for (const m of graph.edges.keys()) visit(m, []);
  assert.deepEqual(cycles, []);
});

Deno.test("architecture: the main entry loads no raster, image, font, map, plot, notebook or emulator code", async () => {
  const loaded = staticClosure(await graphOf("mod.ts"), `${ROOT}mod.ts`);
  const stages = local(loaded).map((p) => p.split("/").slice(0, 2).join("/"));
  for (
    const stage of [
      "lib/raster",
      "lib/image",
      "lib/map",
      "lib/plot",
      "lib/notebook",
      "lib/emulator",
      "lib/cli",
    ]
  ) {
    assert.ok(!stages.includes(stage), `mod.ts loads ${stage}`);
  }
  const packages = npm(loaded);
  for (
    const pkg of [
      "geotiff",
      "leaflet",
      "pdfmake",
      "opentype.js",
      "fast-png",
      "jpeg-js",
      "proj4",
      "d3-scale-chromatic",
      "fflate",
      "modern-tar",
    ]
  ) {
    assert.ok(!packages.some((p) => p.startsWith(pkg)), `mod.ts loads ${pkg}`);
  }
});

Deno.test("architecture: the CLI loads a command's code only when it runs; render loads no map, map no download", async () => {
  const cli = local(staticClosure(await graphOf("lib/cli/mod.ts"), `${ROOT}lib/cli/mod.ts`));
  for (
    const stage of [
      "lib/download/",
      "lib/raster/",
      "lib/map/",
      "lib/plot/",
      "lib/image/",
      "lib/jobtask/",
    ]
  ) {
    assert.ok(!cli.some((p) => p.startsWith(stage)), `the CLI's start loads ${stage}`);
  }
  const render = local(
    staticClosure(await graphOf("lib/cli/commands/render.ts"), `${ROOT}lib/cli/commands/render.ts`),
  );
  assert.ok(!render.some((p) => p.startsWith("lib/map/") || p.startsWith("lib/download/")));
  const map = local(
    staticClosure(await graphOf("lib/cli/commands/map.ts"), `${ROOT}lib/cli/commands/map.ts`),
  );
  assert.ok(!map.some((p) => p.startsWith("lib/download/") || p.startsWith("lib/client/")));
});

Deno.test("architecture: raster, plot and map do not load the emulator or the downloads", async () => {
  for (
    const entry of ["lib/raster/mod.ts", "lib/plot/mod.ts", "lib/map/mod.ts", "lib/notebook/mod.ts"]
  ) {
    const loaded = local(staticClosure(await graphOf(entry), `${ROOT}${entry}`));
    for (const stage of ["lib/emulator/", "lib/download/", "lib/client/", "lib/cli/"]) {
      assert.ok(!loaded.some((p) => p.startsWith(stage)), `${entry} loads ${stage}`);
    }
  }
});
