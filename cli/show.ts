/**
 * `looplet show <trace-dir>`: print a recorded run (the provenance module's `showCommand`).
 *
 * @module
 */
import { type CommandSpec, UsageError } from "./args.ts";

/**
 * The `show` command.
 *
 * @example
 * ```ts ignore
 * await main(["show", ".looplet/traces/coder-1a2b", "--json"]);
 * ```
 */
export const command: CommandSpec = {
  name: "show",
  usage: "<trace-dir>",
  summary: "Print a recorded run's one-page summary, its JSON, or write its HTML viewer.",
  options: {
    verbose: { type: "boolean", short: "v", description: "print arguments and results in full" },
    json: { type: "boolean", description: "print the trace as one JSON object" },
    html: { type: "boolean", description: "write the self-contained HTML viewer" },
    out: {
      type: "string",
      short: "o",
      value: "FILE",
      description: "where --html writes",
      default: "<trace-dir>/trace.html",
    },
    diff: {
      type: "string",
      value: "OTHER-DIR",
      description: "with --html: this trace and OTHER-DIR side by side (<trace-dir>/diff.html)",
    },
    watch: { type: "boolean", description: "with --html: rewrite the page while a run writes" },
  },
  positionals: { min: 1, max: 1, names: "a trace folder" },
  async run({ values, arg }, context) {
    if (values.out !== undefined && !values.html) {
      throw new UsageError("--out is only used with --html", "show");
    }
    if (values.json && values.html) throw new UsageError("give --json or --html, not both", "show");
    for (const flag of ["diff", "watch"] as const) {
      if (values[flag] !== undefined && values[flag] !== false && !values.html) {
        throw new UsageError(`--${flag} writes HTML; add --html`, "show");
      }
    }
    if (values.diff !== undefined && values.watch) {
      throw new UsageError("give --diff or --watch, not both", "show");
    }
    const { showCommand } = await import("../provenance/show_command.ts");
    return await showCommand(arg(0), {
      verbose: Boolean(values.verbose),
      html: Boolean(values.html),
      json: Boolean(values.json),
      ...(values.out !== undefined ? { out: values.out as string } : {}),
      ...(values.diff !== undefined ? { diff: values.diff as string } : {}),
      watch: Boolean(values.watch),
    }, context.io);
  },
};
