/**
 * External programs some tests need (Chromium, GDAL, Jupyter): found, or
 * the test is skipped with one printed line naming the program and how to
 * install it. Under `CI=true` nothing is skipped: `.ci/run` installs them,
 * and a missing one fails its tests.
 *
 * @module
 */

/** What a test may need. */
export type Tool = "chromium" | "gdal" | "jupyter";

const PROBES: Record<Tool, { command: string; args: string[]; install: string }> = {
  chromium: {
    command: Deno.env.get("CHROMIUM_PATH") ?? "chromium",
    args: ["--version"],
    install: "apt-get install chromium",
  },
  gdal: { command: "gdalinfo", args: ["--version"], install: "apt-get install gdal-bin" },
  jupyter: {
    command: "jupyter-nbconvert",
    args: ["--version"],
    install: "apt-get install jupyter-nbconvert python3-jupyter-client",
  },
};

const found = new Map<Tool, boolean>();
const announced = new Set<Tool>();

/** Whether `tool` runs here. */
export function has(tool: Tool): boolean {
  if (!found.has(tool)) {
    const probe = PROBES[tool];
    try {
      const result = new Deno.Command(probe.command, {
        args: probe.args,
        stdout: "null",
        stderr: "null",
      }).outputSync();
      found.set(tool, result.success);
    } catch {
      found.set(tool, false);
    }
  }
  return found.get(tool)!;
}

/** Whether tests run in CI, where nothing may be skipped. */
export const IN_CI: boolean = Boolean(Deno.env.get("CI"));

/**
 * The `ignore` value of a test needing `tools`: true (and one printed line
 * per missing program) outside CI when one is missing; false in CI.
 */
export function skipWithout(...tools: Tool[]): boolean {
  if (IN_CI) return false;
  const missing = tools.filter((t) => !has(t));
  for (const tool of missing) {
    if (announced.has(tool)) continue;
    announced.add(tool);
    console.log(
      `skipping the tests that need ${tool}: it is not installed (${
        PROBES[tool].install
      }, or run bash .ci/run)`,
    );
  }
  return missing.length > 0;
}
