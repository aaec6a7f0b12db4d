import { watch } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { loadTrace, type Trace, TraceError } from "./load_trace.ts";
import { renderTraceHtml } from "./trace_html.ts";
import { atomicWrite } from "../internal/atomic_write.ts";

/**
 * Options of `watchTraceHtml`.
 *
 * @example Write the live page elsewhere, stop on Ctrl-C
 * ```ts ignore
 * const stop = new AbortController();
 * for await (const update of watchTraceHtml(dir, { outFile: "live.html", signal: stop.signal })) {
 *   console.log(`${update.steps} steps`);
 * }
 * ```
 */
export interface WatchTraceHtmlOptions {
  /** Where to write. @default `<dir>/trace.html` */
  readonly outFile?: string;
  /** How often the page reloads itself while the run goes on, in seconds. @default 2 */
  readonly refreshSeconds?: number;
  /** Stops watching. @default never: the watch ends when the trace is complete */
  readonly signal?: AbortSignal;
}

/**
 * One rewrite of the live page.
 *
 * @example Print each rewrite
 * ```ts ignore
 * for await (const { path, steps, complete } of watchTraceHtml(dir)) {
 *   console.log(`wrote ${path}: ${steps} steps${complete ? ", done" : ""}`);
 * }
 * ```
 */
export interface TraceHtmlUpdate {
  /** The page written. */
  readonly path: string;
  /** Steps on the page. */
  readonly steps: number;
  /** Whether the run has ended (the last update). */
  readonly complete: boolean;
}

/**
 * Live mode of the trace viewer: write the HTML page for a trace directory,
 * then write it again whenever the run adds to the directory, until the run
 * ends (or `signal` aborts). While the run goes on the page reloads itself
 * every `refreshSeconds`, so a browser showing it follows the run.
 *
 * @param dir A trace directory a `ProvenanceSink` is writing (it must exist).
 * @param options Output file, reload interval, cancellation.
 * @returns The rewrites, one per change seen (changes made during a rewrite fold into the next).
 * @throws {TraceError} When the directory does not exist.
 * @example Follow a run from another terminal
 * ```ts ignore
 * for await (const update of watchTraceHtml(".traces/run-1")) console.log(update.steps);
 * ```
 */
export async function* watchTraceHtml(
  dir: string,
  options: WatchTraceHtmlOptions = {},
): AsyncGenerator<TraceHtmlUpdate> {
  const { outFile = join(dir, "trace.html"), refreshSeconds = 2, signal } = options;
  const own = relative(dir, outFile);
  const stopped = () => signal?.aborted === true;
  let dirty = true;
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  const info = await stat(dir).catch((cause) => {
    throw new TraceError(
      dir,
      "the directory does not exist; start the run first (its trace folder)",
      {
        cause,
      },
    );
  });
  if (!info.isDirectory()) throw new TraceError(dir, "it is a file, not a trace directory");
  const watcher = watch(dir, { recursive: true }, (_event, name) => {
    const file = typeof name === "string" ? name : "";
    if (file === own || basename(file).endsWith(".tmp")) return; // our own page, half-written files
    dirty = true;
    wake?.();
  });
  try {
    while (!stopped()) {
      if (!dirty) await new Promise<void>((resolve) => wake = resolve);
      wake = undefined;
      if (stopped()) break;
      dirty = false;
      let trace: Trace;
      try {
        // Read once, with the bodies the page shows: a second read could catch a file mid-write.
        trace = await loadTrace(dir, { bodies: true });
      } catch {
        continue; // nothing written yet, or a file mid-write: the next change brings more
      }
      await atomicWrite(outFile, renderTraceHtml(trace, trace.complete ? {} : { refreshSeconds }));
      yield { path: outFile, steps: trace.steps.length, complete: trace.complete };
      if (trace.complete) break;
    }
  } finally {
    watcher.close();
    signal?.removeEventListener("abort", onAbort);
  }
}
