/**
 * Which jobtask each input file belongs to, so that a map of a whole job
 * draws every jobtask's features and groups its rasters under it.
 *
 * The rule: a file inside a folder named `jobtask_{id}` (the layout of a
 * job's downloaded results, `project_{p}/job_{j}/jobtask_{t}/`) belongs to
 * that jobtask, named by the folder's `.up42-manifest.json` (`jobtaskName`)
 * when there is one, else by its id. Any other file under a folder given in
 * the inputs belongs to that folder, named after it; loose files and files in
 * memory share one more group. Each group's features come from its first
 * `.geojson` file, else its first `data.json` (depth first, in name order).
 *
 * @module
 */
import { basename, dirname, join, resolve, sep } from "node:path";
import { MANIFEST_NAME } from "../files/manifest.ts";
import type { NamedBytes } from "../files/named_bytes.ts";
import type { MapFiles, MapInput } from "./inputs.ts";

/** The files of one jobtask (or of one input folder). */
export interface JobtaskGroup {
  /** Its jobtask id, when its folder says (`jobtask_{id}`). */
  id?: string;
  /** Its name: the manifest's jobtask name, else its id, else the folder's name. */
  name: string;
  /** Files on disk, in walk order. */
  paths: string[];
  /** Files in memory. */
  named: NamedBytes[];
}

const JOBTASK_FOLDER = /^jobtask_(.+)$/;

/** The `jobtask_{id}` folder holding `path` (nearest first), if any. */
function jobtaskFolder(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  for (let i = parts.length - 2; i >= 0; i--) {
    if (JOBTASK_FOLDER.test(parts[i])) return parts.slice(0, i + 1).join(sep) || sep;
  }
}

async function manifestName(folder: string): Promise<string | undefined> {
  try {
    const file = join(folder, MANIFEST_NAME);
    if ((await Deno.stat(file)).size > 1 << 20) return undefined;
    const manifest = JSON.parse(await Deno.readTextFile(file));
    const name = manifest?.jobtaskName;
    return typeof name === "string" && name.trim() ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits the input files into jobtask groups, in input order.
 *
 * @example
 * ```ts
 * import { groupJobtasks } from "./jobtasks.ts";
 * const files = { named: [], paths: ["job/jobtask_a/data.json", "job/jobtask_b/data.json"] };
 * const groups = await groupJobtasks(["job"], files);
 * if (groups.map((g) => g.name).join() !== "a,b") throw new Error();
 * ```
 */
export async function groupJobtasks(
  inputs: MapInput[],
  files: MapFiles,
): Promise<JobtaskGroup[]> {
  const folders = inputs.filter((i): i is string => typeof i === "string").map((i) => resolve(i));
  const groups = new Map<string, JobtaskGroup & { folder?: string }>();
  const group = (key: string, init: () => JobtaskGroup & { folder?: string }) => {
    let g = groups.get(key);
    if (!g) groups.set(key, g = init());
    return g;
  };
  for (const path of files.paths) {
    const jobtask = jobtaskFolder(path);
    if (jobtask) {
      const id = basename(jobtask).match(JOBTASK_FOLDER)![1];
      group(
        `jobtask:${resolve(jobtask)}`,
        () => ({ id, name: id, folder: jobtask, paths: [], named: [] }),
      )
        .paths.push(path);
      continue;
    }
    const full = resolve(path);
    const root = folders.find((f) => full.startsWith(f + sep) && full !== f);
    if (root) {
      group(`folder:${root}`, () => ({ name: basename(root), paths: [], named: [] })).paths.push(
        path,
      );
    } else {
      group("loose", () => ({ name: basename(dirname(full)), paths: [], named: [] })).paths.push(
        path,
      );
    }
  }
  for (const file of files.named) {
    const jobtask = jobtaskFolder(file.name);
    if (jobtask) {
      const id = basename(jobtask).match(JOBTASK_FOLDER)![1];
      group(`memory:${jobtask}`, () => ({ id, name: id, paths: [], named: [] })).named.push(file);
    } else group("loose", () => ({ name: "results", paths: [], named: [] })).named.push(file);
  }
  const out: JobtaskGroup[] = [];
  for (const { folder, ...g } of groups.values()) {
    if (folder) g.name = await manifestName(folder) ?? g.name;
    out.push(g);
  }
  return out;
}
