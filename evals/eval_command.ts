import { parseArgs } from "node:util";
import type { CommandIo } from "../provenance/show_command.ts";
import { type EvalCase, loadCases } from "./eval_cases.ts";
import { evalDiscover } from "./eval_discover.ts";
import type { EvalResult } from "./eval_result.ts";
import { evalSummary, selectEvaluators } from "./eval_run.ts";
import { evalRunTraces } from "./eval_run_traces.ts";

/**
 * The usage text of `looplet eval`.
 *
 * @example Print the usage
 * ```ts
 * import { EVAL_USAGE } from "jsr:@looplet/looplet/evals";
 * console.log(EVAL_USAGE);
 * ```
 */
export const EVAL_USAGE: string = [
  "usage: looplet eval run <evals> <trace-dir>... [--include TAG]... [--exclude TAG]... [--threshold N] [--verbose]",
  "       looplet eval cases list <path>",
  "       looplet eval cases show <path> [case-id]",
].join("\n");

function usageError(io: CommandIo, message: string): number {
  io.stderr(`error: ${message}\n${EVAL_USAGE}`);
  return 2;
}

function cell(result: EvalResult): string {
  return result.score !== undefined ? result.score.toFixed(2) : result.label ?? "–";
}

function shorten(text: string, limit: number): string {
  const flat = text.replaceAll("\n", " ");
  return flat.length > limit ? flat.slice(0, limit - 1) + "…" : flat;
}

async function runCommand(args: string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        include: { type: "string", multiple: true },
        exclude: { type: "string", multiple: true },
        threshold: { type: "string" },
        verbose: { type: "boolean", short: "v", default: false },
      },
    });
  } catch (error) {
    return usageError(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [evalsPath, ...tracePaths] = positionals;
  if (evalsPath === undefined || tracePaths.length === 0) {
    return usageError(io, "eval run needs <evals> and at least one <trace-dir>");
  }
  let threshold: number | undefined;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (!Number.isFinite(threshold) || values.threshold.trim() === "") {
      return usageError(io, `--threshold must be a number, got "${values.threshold}"`);
    }
  }
  let failed = false;
  let discovery;
  try {
    discovery = await evalDiscover(evalsPath);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}`);
    return 1;
  }
  for (const problem of discovery.problems) {
    io.stderr(`error: ${problem.message}`);
    failed = true;
  }
  if (discovery.evaluators.length === 0) {
    io.stderr(
      `error: no evaluators found in "${evalsPath}" (looked at ${discovery.files.length} eval_* files)`,
    );
    return 1;
  }
  const filters = { include: values.include, exclude: values.exclude };
  const selected = selectEvaluators(discovery.evaluators, filters);
  if (selected.length === 0) {
    io.stderr(
      `error: --include/--exclude left none of the ${discovery.evaluators.length} evaluators to run`,
    );
    return 1;
  }
  const report = await evalRunTraces(selected, tracePaths, { threshold });
  for (const problem of report.problems) {
    io.stderr(`error: ${problem.message}`);
    failed = true;
  }
  if (report.rows.length === 0) {
    io.stderr("error: no readable traces to evaluate");
    return 1;
  }
  const lines = [
    `Found ${discovery.evaluators.length} evals (${selected.length} selected), ${report.rows.length} trace${
      report.rows.length === 1 ? "" : "s"
    }`,
    "",
  ];
  const nameWidth = Math.max(9, ...selected.map((item) => item.name.length));
  const traceWidth = Math.max(5, ...report.rows.map((row) => Math.min(row.label.length, 30)));
  lines.push(
    `  ${"evaluator".padEnd(nameWidth)}  ${"trace".padEnd(traceWidth)}  result  score  details`,
  );
  const all: EvalResult[] = [];
  for (const item of selected) {
    for (const row of report.rows) {
      const result = row.results.find((r) => r.name === item.name);
      if (result === undefined) continue;
      all.push(result);
      const glyph = result.status === "pass" ? "✓" : result.status === "error" ? "!" : "✗";
      const detail = result.error ?? result.details[0] ?? "";
      lines.push(
        `${glyph} ${item.name.padEnd(nameWidth)}  ${shorten(row.label, 30).padEnd(traceWidth)}  ${
          result.status.padEnd(6)
        }  ${cell(result).padStart(5)}  ${shorten(detail, 60)}`.trimEnd(),
      );
      if (values.verbose) {
        for (const extra of result.details.slice(1, 4)) lines.push(`      ${shorten(extra, 100)}`);
      }
    }
  }
  if (report.rows.length > 1) {
    lines.push("");
    for (const item of selected) {
      const results = all.filter((result) => result.name === item.name);
      const scores = results.flatMap((result) => result.score !== undefined ? [result.score] : []);
      const passed = results.filter((result) => result.passed).length;
      const stats = scores.length > 0
        ? `avg=${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(2)}  min=${
          Math.min(...scores).toFixed(2)
        }  max=${Math.max(...scores).toFixed(2)}`
        : "no scores";
      lines.push(
        `  ${item.name.padEnd(nameWidth)}  ${stats}  (${passed}/${results.length} passed)`,
      );
    }
  }
  const ok = !failed && all.every((result) => result.passed || result.status === "skipped");
  lines.push("", `overall: ${evalSummary(all)} → ${ok ? "PASS" : "FAIL"}`);
  io.stdout(lines.join("\n"));
  return ok ? 0 : 1;
}

function describeCase(item: EvalCase): string {
  const task = item.task ?? {};
  const text = typeof task.description === "string" ? task.description : item.notes ?? "";
  return shorten(text, 60);
}

async function casesCommand(args: string[], io: CommandIo): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "list" && action !== "ls" && action !== "show") {
    return usageError(
      io,
      action === undefined ? "missing 'list' or 'show'" : `unknown cases command "${action}"`,
    );
  }
  const [path] = rest;
  const most = action === "show" ? 2 : 1;
  if (path === undefined || rest.length > most || rest.some((a) => a.startsWith("-"))) {
    return usageError(
      io,
      `eval cases ${action} takes ${action === "show" ? "<path> [case-id]" : "<path>"}`,
    );
  }
  let cases: EvalCase[];
  try {
    cases = await loadCases(path);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}`);
    return 1;
  }
  if (cases.length === 0) {
    io.stderr(`error: no eval cases in "${path}"`);
    return 1;
  }
  if (action === "show") {
    let item: EvalCase | undefined;
    if (rest[1] !== undefined) {
      item = cases.find((c) => c.id === rest[1]);
      if (item === undefined) {
        io.stderr(
          `error: no case "${rest[1]}" in "${path}"; cases: ${cases.map((c) => c.id).join(", ")}`,
        );
        return 1;
      }
    } else if (cases.length === 1) item = cases[0];
    else {
      io.stderr(
        `error: "${path}" holds ${cases.length} cases; name one: ${
          cases.map((c) => c.id).join(", ")
        }`,
      );
      return 1;
    }
    io.stdout(JSON.stringify(item, null, 2));
    return 0;
  }
  const lines = cases.map((item) => {
    const marks = item.marks !== undefined && item.marks.length > 0 ? item.marks.join(",") : "-";
    return `  ${item.id.padEnd(30)} [${marks.padEnd(20)}] ${describeCase(item)}`.trimEnd();
  });
  lines.push(`  ${cases.length} case(s)`);
  io.stdout(lines.join("\n"));
  return 0;
}

/**
 * `looplet eval ...`: `run <evals> <trace-dir>...` scores traces and prints
 * a table (exit 1 when any result fails or errors, or a file or trace
 * cannot be used); `cases list <path>` and `cases show <path> [id]` read eval
 * cases. Prints nothing itself: output goes to `io`.
 *
 * @param args The arguments after `eval`.
 * @param io Output sinks.
 * @returns 0 on success, 1 on failure, 2 on a usage error.
 * @example Mount it in a CLI
 * ```ts ignore
 * const code = await evalCommand(["run", "evals/", ".traces/hello"], {
 *   stdout: (text) => console.log(text),
 *   stderr: (text) => console.error(text),
 * });
 * ```
 */
export async function evalCommand(args: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === "-h" || command === "--help" || command === "help") {
    io.stdout(EVAL_USAGE);
    return 0;
  }
  if (command === "run") return await runCommand(rest, io);
  if (command === "cases") return await casesCommand(rest, io);
  return usageError(
    io,
    command === undefined ? "missing command" : `unknown eval command "${command}"`,
  );
}
