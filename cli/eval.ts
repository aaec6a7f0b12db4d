/**
 * `looplet eval run|cases`: score traces with evaluators, and read eval cases
 * (the evals module's `evalRunCommand` and `evalCasesCommand`).
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";
import { UsageError } from "./args.ts";

const run: CommandSpec = {
  name: "eval run",
  usage: "<evals> <trace-dir>...",
  summary:
    "Score trace folders with the evaluators in an eval_*.ts file or folder; exit 1 when any fails.",
  options: {
    include: {
      type: "string",
      multiple: true,
      value: "TAG",
      description: "only evaluators tagged TAG",
    },
    exclude: {
      type: "string",
      multiple: true,
      value: "TAG",
      description: "skip evaluators tagged TAG",
    },
    threshold: {
      type: "string",
      value: "N",
      description: "pass mark for numeric scores",
      default: "0.5",
    },
    verbose: { type: "boolean", short: "v", description: "print more detail lines per result" },
    json: { type: "boolean", description: "print one JSON object instead of the table" },
    junit: { type: "string", value: "FILE", description: "also write a JUnit XML report to FILE" },
  },
  positionals: { min: 2, max: Infinity, names: "an evals path and at least one trace folder" },
  async run({ values, positionals, arg }, context) {
    let threshold: number | undefined;
    if (values.threshold !== undefined) {
      const text = values.threshold as string;
      threshold = Number(text);
      if (!Number.isFinite(threshold) || text.trim() === "") {
        throw new UsageError(`--threshold must be a number, got "${text}"`, "eval run");
      }
    }
    const { evalRunCommand } = await import("../evals/eval_command.ts");
    return await evalRunCommand(arg(0), positionals.slice(1), {
      ...(values.include ? { include: values.include as string[] } : {}),
      ...(values.exclude ? { exclude: values.exclude as string[] } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      verbose: Boolean(values.verbose),
      json: Boolean(values.json),
      ...(values.junit !== undefined ? { junit: values.junit as string } : {}),
    }, context.io);
  },
};

function cases(action: "list" | "show"): CommandSpec {
  return {
    name: `eval cases ${action}`,
    usage: action === "list" ? "<path>" : "<path> [case-id]",
    summary: action === "list"
      ? "List the eval cases saved under a file or folder."
      : "Print one eval case as JSON (name it when the path holds several).",
    options: {},
    positionals: action === "list"
      ? { min: 1, max: 1, names: "a cases file or folder" }
      : { min: 1, max: 2, names: "a cases file or folder" },
    async run({ positionals, arg }, context) {
      const { evalCasesCommand } = await import("../evals/eval_command.ts");
      return await evalCasesCommand(action, arg(0), positionals.at(1), context.io);
    },
  };
}

/**
 * The `eval` sub-commands by the words that name them.
 *
 * @example
 * ```ts ignore
 * await main(["eval", "run", "evals/", ".traces/hello", "--junit", "eval.xml"]);
 * ```
 */
export const commands: Readonly<Record<string, CommandSpec>> = {
  run,
  "cases list": cases("list"),
  "cases ls": { ...cases("list"), name: "eval cases ls" },
  "cases show": cases("show"),
};
