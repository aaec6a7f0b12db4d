import { loadTrace } from "./load_trace.ts";
import { renderTraceText } from "./show_trace.ts";
import { join } from "node:path";
import { writeTraceHtml } from "./trace_html.ts";
import { writeTraceDiffHtml } from "./trace_diff_html.ts";
import { watchTraceHtml } from "./watch_trace_html.ts";

/**
 * Where a command writes its output (the CLI passes stdout and stderr).
 *
 * @example Capture a command's output
 * ```ts ignore
 * const out: string[] = [];
 * const io: CommandIo = { stdout: (text) => out.push(text), stderr: (text) => out.push(text) };
 * const code = await showCommand("runs/hello", { verbose: true }, io);
 * ```
 */
export interface CommandIo {
  /** Normal output. */
  stdout(text: string): void;
  /** Errors and warnings. */
  stderr(text: string): void;
}

/**
 * Options of `showCommand` (the CLI's `looplet show` flags, parsed).
 *
 * @example Write the HTML viewer to a chosen file
 * ```ts ignore
 * const options: ShowCommandOptions = { html: true, out: "report.html" };
 * await showCommand("runs/hello", options, io);
 * ```
 */
export interface ShowCommandOptions {
  /** Print every step's arguments and results in full. @default false */
  readonly verbose?: boolean;
  /** Write the self-contained HTML viewer instead of printing. @default false */
  readonly html?: boolean;
  /** Where the HTML goes. @default "<trace-dir>/trace.html" */
  readonly out?: string;
  /** Print the trace as one JSON object (without the stored raw records). @default false */
  readonly json?: boolean;
  /** With `html`: write this trace and the one in `diff` side by side. @default "<trace-dir>/diff.html" as `out` */
  readonly diff?: string;
  /** With `html`: rewrite the page while a run writes the trace, until it ends. @default false */
  readonly watch?: boolean;
}

/**
 * Show a trace directory: its one-page summary, the trace as JSON
 * (`json`), or with `html` the self-contained HTML viewer written to
 * `<trace-dir>/trace.html` (or `out`); with `html` and `diff` the two traces
 * side by side, with `html` and `watch` the viewer rewritten while a run
 * writes the trace. Prints nothing itself: output goes to `io`.
 *
 * @param dir The trace directory.
 * @param options What to show.
 * @param io Output sinks.
 * @returns 0 on success, 1 when the trace cannot be read or written.
 * @example Mount it in a CLI
 * ```ts ignore
 * const code = await showCommand("runs/hello", {}, {
 *   stdout: (text) => console.log(text),
 *   stderr: (text) => console.error(text),
 * });
 * ```
 */
export async function showCommand(
  dir: string,
  options: ShowCommandOptions,
  io: CommandIo,
): Promise<number> {
  const { verbose = false, html = false, out, json = false, diff, watch = false } = options;
  try {
    if (html && diff !== undefined) {
      io.stdout(`wrote ${await writeTraceDiffHtml(dir, diff, out ?? join(dir, "diff.html"))}`);
      return 0;
    }
    if (html && watch) {
      for await (const update of watchTraceHtml(dir, out === undefined ? {} : { outFile: out })) {
        io.stdout(
          `wrote ${update.path} (${update.steps} steps${update.complete ? ", run ended" : ""})`,
        );
      }
      return 0;
    }
    if (html) {
      const path = await writeTraceHtml(dir, out);
      io.stdout(`wrote ${path}`);
      return 0;
    }
    const trace = await loadTrace(dir);
    if (json) {
      io.stdout(JSON.stringify(trace, (key, value) => key === "raw" ? undefined : value, 2));
      return 0;
    }
    io.stdout(renderTraceText(trace, { verbose }).trimEnd());
    return 0;
  } catch (error) {
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
