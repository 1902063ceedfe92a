/**
 * A one-line progress bar for the CLI (bytes, rate, ETA, files), redrawn in
 * place at most ten times a second. Meant for a terminal's stderr only.
 *
 * @module
 */
import type { DownloadProgress } from "../download/pipeline.ts";

/** Options of {@linkcode createProgressBar}. */
export interface ProgressBarOptions {
  /** Writes text (default: synchronously to stderr). */
  write?: (text: string) => void;
  /** Width of the bar in characters. Default 24. */
  width?: number;
  /** The clock in ms. Default `performance.now`. */
  now?: () => number;
}

/** A progress bar: feed it progress, then call `done`. */
export interface ProgressBar {
  /** Pass as `onProgress`. */
  update(progress: DownloadProgress): void;
  /** Draws the final state and ends the line (or clears it with `clear`). */
  done(options?: { clear?: boolean }): void;
}

/**
 * Creates a progress bar writing to stderr.
 *
 * @example
 * ```ts
 * import { createProgressBar } from "./progress.ts";
 * let text = "";
 * const bar = createProgressBar({ write: (t) => text += t });
 * bar.update({ bytes: 5e6, totalBytes: 10e6, files: 1 });
 * bar.done();
 * if (!text.includes(" 50%")) throw new Error(text);
 * ```
 */
export function createProgressBar(options: ProgressBarOptions = {}): ProgressBar {
  const encoder = new TextEncoder();
  const write = options.write ?? ((text: string) => {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length;) at += Deno.stderr.writeSync(bytes.subarray(at));
  });
  const width = options.width ?? 24;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let last: DownloadProgress = { bytes: 0, files: 0 };
  let drawnAt = -Infinity;
  const draw = () => {
    drawnAt = now();
    write(`\r${formatProgress(last, (drawnAt - started) / 1000, width)}\x1b[K`);
  };
  return {
    update(progress) {
      last = progress;
      if (now() - drawnAt >= 100) draw();
    },
    done(doneOptions = {}) {
      if (doneOptions.clear) write("\r\x1b[K");
      else {
        draw();
        write("\n");
      }
    },
  };
}

/**
 * One progress line: bar, bytes, rate, ETA and files.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * const line = formatProgress({ bytes: 50e6, totalBytes: 100e6, files: 2 }, 5, 10);
 * if (line !== "[#####-----]  50% 50.0 MB / 100.0 MB  10.0 MB/s  ETA 5s  2 files") throw new Error(line);
 * ```
 */
export function formatProgress(progress: DownloadProgress, seconds: number, width = 24): string {
  const { bytes, totalBytes, files } = progress;
  const rate = seconds > 0 ? bytes / seconds : 0;
  const parts: string[] = [];
  if (totalBytes) {
    const fraction = Math.min(1, bytes / totalBytes);
    const filled = Math.round(fraction * width);
    parts.push(
      `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${
        String(Math.floor(fraction * 100)).padStart(3)
      }%`,
    );
    parts.push(`${megabytes(bytes)} / ${megabytes(totalBytes)}`);
  } else {
    parts.push(megabytes(bytes));
  }
  parts.push(`${megabytes(rate)}/s`);
  if (totalBytes && rate > 0 && bytes < totalBytes) {
    parts.push(`ETA ${duration((totalBytes - bytes) / rate)}`);
  }
  parts.push(`${files} file${files === 1 ? "" : "s"}`);
  return parts.join("  ").replace("%  ", "% ");
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`
    : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
