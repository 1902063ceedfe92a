/**
 * Cancelling on Ctrl-C and `SIGTERM`, for scripts that want it.
 *
 * A library does not install signal handlers on its own: a handler takes
 * away the default of ending the process, which only the program may
 * decide (a server has its own shutdown; a notebook kernel uses SIGINT to
 * interrupt a cell). So downloads take an `AbortSignal`, and this opt-in
 * helper ties one to the process's signals for as long as the caller
 * holds it: the first signal aborts (the download removes its staging
 * folder and rejects), a second one of the same kind ends the process at
 * once with the usual status (130 for SIGINT, 143 for SIGTERM), and
 * disposing of it restores the default. A process ended without any
 * handling (SIGKILL, a crash, power loss) leaves a staging folder that the
 * next download into the same folder removes.
 *
 * @module
 */

/** A cancellation tied to the process's signals; dispose of it to untie. */
export interface SignalCancel {
  /** Aborted (with an `AbortError` naming the signal) when the first signal arrives. */
  signal: AbortSignal;
  /** Removes the handlers (the signals end the process again). */
  [Symbol.dispose](): void;
}

const EXIT_STATUS: Partial<Record<Deno.Signal, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Aborts the returned `signal` on the first of `signals` (default SIGINT
 * and SIGTERM; a signal the platform cannot handle is skipped) and ends the
 * process on a second. Use it with `using`, so that the handlers go when
 * the block ends.
 *
 * @example
 * ```ts
 * import { cancelOnSignals } from "@up42/jobtask";
 * {
 *   using cancel = cancelOnSignals();
 *   // await downloadResults(ctx, { signal: cancel.signal });
 *   if (cancel.signal.aborted) throw new Error();
 * } // the handlers are removed here
 * ```
 */
export function cancelOnSignals(
  signals: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"],
): SignalCancel {
  const controller = new AbortController();
  const handlers: [Deno.Signal, () => void][] = [];
  for (const name of signals) {
    const handler = () => {
      if (controller.signal.aborted) Deno.exit(EXIT_STATUS[name] ?? 1);
      controller.abort(new DOMException(`cancelled by ${name}`, "AbortError"));
    };
    try {
      Deno.addSignalListener(name, handler);
      handlers.push([name, handler]);
    } catch {
      // Not available on this platform (e.g. SIGTERM on Windows).
    }
  }
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      for (const [name, handler] of handlers.splice(0)) Deno.removeSignalListener(name, handler);
    },
  };
}
