/**
 * Finding a downloaded job's folder for commands that read result folders
 * (`map --job`, `plot --job`): `download --job J` writes it to
 * `project_{P}/job_{J}` in the working folder, with `jobtask_{T}/` inside,
 * each with its manifest. Found by walking, so these commands need no
 * credentials, no API and no download code.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { ConfigError } from "../errors.ts";

/**
 * The folder `project_*\/job_{jobId}` under `base` (default the working
 * folder). None, or several (one per project), is a `ConfigError` saying
 * what to do.
 *
 * @example
 * ```ts
 * import { findJobFolder } from "./job_folder.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/project_p/job_j/jobtask_t`, { recursive: true });
 * if (await findJobFolder("j", dir) !== `${dir}/project_p/job_j`) throw new Error();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function findJobFolder(jobId: string, base = "."): Promise<string> {
  const root = resolve(base);
  const fail = (problem: string, fix: string): never => {
    throw new ConfigError({ setting: "job folder", problem, fix });
  };
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(jobId) || jobId.startsWith(".")) {
    fail(`--job ${JSON.stringify(jobId.slice(0, 60))} is not a job id`, "pass the job's id");
  }
  const found: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || !entry.name.startsWith("project_")) continue;
    const folder = join(root, entry.name, `job_${jobId}`);
    if ((await Deno.stat(folder).catch(() => undefined))?.isDirectory) found.push(folder);
  }
  if (found.length === 0) {
    fail(
      `no downloaded folder of job ${jobId} in ${root} (looked for project_*/job_${jobId})`,
      `run up42 download --job ${jobId} here first, or pass the folder as PATH`,
    );
  }
  if (found.length > 1) {
    fail(
      `job ${jobId} was downloaded for several projects in ${root}`,
      "pass the folder to use as PATH",
    );
  }
  return found[0];
}
