/**
 * What every benchmark shares: a fresh process measured under
 * `/usr/bin/time -v` (wall time, CPU time, peak RSS), medians, tools that
 * may be missing, and the figures table: each figure beside its reference
 * with the ratio and the target. `bench/run.ts` passes a file in
 * `BENCH_FIGURES`; figures recorded there reappear in its summary.
 *
 * @module
 */

/** One process run under `/usr/bin/time -v`. */
export interface Run {
  /** Wall time in seconds, from spawning to exit, timed here (`time -v` rounds to 10 ms). */
  seconds: number;
  /** User plus system CPU time in seconds. */
  cpuSeconds: number;
  /** Peak resident set size in MB (MiB). */
  rssMb: number;
  /** Exit status of the measured command. */
  code: number;
  /** Its stdout. */
  stdout: string;
  /** Its stderr, without the `time -v` report. */
  stderr: string;
}

/** Options of {@linkcode timed}. */
export interface TimedOptions {
  /** Environment of the process (added to the current one). */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /** Throw when the command fails. Default true. */
  check?: boolean;
  /** Called right before the process is spawned (e.g. to take a start time). */
  onSpawn?: () => void;
}

/** Runs `cmd` as a fresh process under `/usr/bin/time -v`. */
export async function timed(cmd: string[], options: TimedOptions = {}): Promise<Run> {
  const command = new Deno.Command("/usr/bin/time", {
    args: ["-v", ...cmd],
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  options.onSpawn?.();
  const started = performance.now();
  const out = await command.output();
  const seconds = (performance.now() - started) / 1000;
  const text = new TextDecoder().decode(out.stderr);
  const report = text.lastIndexOf("\tCommand being timed:");
  const stderr = report >= 0 ? text.slice(0, report) : text;
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
  if (report < 0) throw new Error(`${cmd.join(" ")}: no time -v report: ${text.slice(-500)}`);
  const code = number(/Exit status: (\d+)/) || (out.success ? 0 : out.code);
  if ((options.check ?? true) && code !== 0) {
    throw new Error(`${cmd.join(" ")} failed (${code}): ${stderr.slice(-800)}`);
  }
  return {
    seconds,
    cpuSeconds: number(/User time \(seconds\): ([\d.]+)/) +
      number(/System time \(seconds\): ([\d.]+)/),
    rssMb: number(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
    code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr,
  };
}

/** The median of `values`. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Whether `command args...` runs and succeeds here. */
export function has(command: string, args: string[] = ["--version"]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** The first of `tools` that does not run here (probed with `--version`), if any. */
export function missing(...tools: string[]): string | undefined {
  return tools.find((tool) => !has(tool));
}

/** A markdown table. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows) {
    lines.push(`| ${row.map((c) => `${c}`.replace(/\|/g, "\\|")).join(" | ")} |`);
  }
  return lines.join("\n");
}

/** One measured figure, beside the reference it is compared with. */
export interface Figure {
  /** What was measured, e.g. `up42 --help: wall time`. */
  figure: string;
  /** The value. */
  value: number;
  /** Its unit, e.g. `s`, `ms`, `MB`, `modules`. */
  unit: string;
  /** The reference measured in the same run, when there is one. */
  reference?: { label: string; value: number };
  /** The target, as text (e.g. `≤ 2× reference`, `< 45 MB`) and whether it is met. */
  target?: { text: string; met: boolean };
  /** How it was measured (command, runs), shown under the table. */
  note?: string;
}

/** A value with a precision that suits its size. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "–";
  const digits = unit === "s" ? 2 : Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${unit}`.trim();
}

/** Figures as a table: figure, value, reference, ratio, target, met. */
export function figureTable(figures: Figure[]): string {
  return markdownTable(
    ["figure", "value", "reference", "ratio", "target", "met"],
    figures.map((f) => [
      f.figure,
      formatValue(f.value, f.unit),
      f.reference ? `${formatValue(f.reference.value, f.unit)} (${f.reference.label})` : "–",
      f.reference && f.reference.value ? `${(f.value / f.reference.value).toFixed(2)}×` : "–",
      f.target?.text ?? "–",
      f.target ? (f.target.met ? "yes" : "**no**") : "–",
    ]),
  );
}

/**
 * Prints `figures` as a table under `title` and records them for the
 * summary of `bench/run.ts`.
 */
export async function reportFigures(
  benchmark: string,
  title: string,
  figures: Figure[],
): Promise<void> {
  console.log(`\n### ${title}\n\n${figureTable(figures)}`);
  const notes = [...new Set(figures.map((f) => f.note).filter(Boolean))];
  if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join("\n")}`);
  await record(figures.map((f) => ({ benchmark, ...f })));
}

/**
 * Says that `what` is missing, so this benchmark (or the part named by
 * `part`) is skipped rather than failed, and records it for the summary.
 */
export async function skipped(benchmark: string, what: string, part?: string): Promise<void> {
  console.log(`skipped${part ? ` (${part})` : ""}: ${what} missing`);
  await record([{ benchmark, skipped: `${part ? `${part}: ` : ""}${what} missing` }]);
}

async function record(entries: object[]): Promise<void> {
  const file = Deno.env.get("BENCH_FIGURES");
  if (!file) return;
  const lines = entries.map((e) => JSON.stringify(e) + "\n").join("");
  await Deno.writeTextFile(file, lines, { append: true });
}

/** A free TCP port on 127.0.0.1. */
export function unusedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A server in a child process, and how to stop it. */
export interface ChildServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Kills the child and waits for it. */
  stop(): Promise<void>;
}

/**
 * Runs `deno run -A --config CONFIG ...args` in its own process (so that the
 * server's work never shares a thread with the client being measured) and
 * resolves once the child prints the port it listens on as its first line.
 */
export async function startChildServer(config: string, args: string[]): Promise<ChildServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config, ...args],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  await reader.cancel();
  return {
    url: `http://127.0.0.1:${text.trim()}`,
    stop: async () => {
      child.kill();
      await child.status;
    },
  };
}
