import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadTrace, TraceError } from "./load_trace.ts";
import { renderTraceText } from "./show_trace.ts";
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
 * const code = await showCommand(["runs/hello", "--verbose"], io);
 * ```
 */
export interface CommandIo {
  /** Normal output. */
  stdout(text: string): void;
  /** Errors and warnings. */
  stderr(text: string): void;
}

/**
 * The usage line of `looplet show`.
 *
 * @example Print the usage
 * ```ts
 * import { SHOW_USAGE } from "jsr:@looplet/looplet/provenance";
 * console.log(SHOW_USAGE);
 * ```
 */
export const SHOW_USAGE: string =
  "usage: looplet show <trace-dir> [--verbose] [--html [--diff OTHER-DIR] [--watch]] [--out FILE]";

/**
 * `looplet show <trace-dir>`: print a trace's one-page summary, or with
 * `--html` write the self-contained HTML viewer (to `<trace-dir>/trace.html`,
 * or `--out FILE`); `--diff OTHER` writes the two traces side by side
 * (`<trace-dir>/diff.html`), `--watch` rewrites the viewer while a run writes
 * the trace, until it ends. Prints nothing itself: output goes to `io`.
 *
 * @param args The arguments after `show`.
 * @param io Output sinks.
 * @returns 0 on success, 1 when the trace cannot be read or written, 2 on a usage error.
 * @example Mount it in a CLI
 * ```ts ignore
 * const code = await showCommand(["runs/hello"], {
 *   stdout: (text) => console.log(text),
 *   stderr: (text) => console.error(text),
 * });
 * ```
 */
export async function showCommand(args: string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        verbose: { type: "boolean", short: "v", default: false },
        html: { type: "boolean", default: false },
        out: { type: "string", short: "o" },
        diff: { type: "string" },
        watch: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}\n${SHOW_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(SHOW_USAGE);
    return 0;
  }
  const [dir] = positionals;
  if (dir === undefined || positionals.length !== 1) {
    io.stderr(
      `error: ${
        positionals.length === 0 ? "missing <trace-dir>" : "expected one <trace-dir>"
      }\n${SHOW_USAGE}`,
    );
    return 2;
  }
  if (values.out !== undefined && !values.html) {
    io.stderr(`error: --out is only used with --html\n${SHOW_USAGE}`);
    return 2;
  }
  if ((values.diff !== undefined || values.watch) && !values.html) {
    io.stderr(`error: --${values.watch ? "watch" : "diff"} writes HTML; add --html\n${SHOW_USAGE}`);
    return 2;
  }
  if (values.diff !== undefined && values.watch) {
    io.stderr(`error: give --diff or --watch, not both\n${SHOW_USAGE}`);
    return 2;
  }
  try {
    if (values.diff !== undefined) {
      const out = values.out ?? join(dir, "diff.html");
      io.stdout(`wrote ${await writeTraceDiffHtml(dir, values.diff, out)}`);
      return 0;
    }
    if (values.watch) {
      const options = values.out === undefined ? {} : { outFile: values.out };
      for await (const update of watchTraceHtml(dir, options)) {
        io.stdout(
          `wrote ${update.path} (${update.steps} steps${update.complete ? ", run ended" : ""})`,
        );
      }
      return 0;
    }
    if (values.html) {
      const path = await writeTraceHtml(dir, values.out);
      io.stdout(`wrote ${path}`);
      return 0;
    }
    io.stdout(renderTraceText(await loadTrace(dir), { verbose: values.verbose }).trimEnd());
    return 0;
  } catch (error) {
    if (error instanceof TraceError) {
      io.stderr(`error: ${error.message}`);
      return 1;
    }
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
