import { writeFile } from "node:fs/promises";
import type { CommandIo } from "../provenance/show_command.ts";
import { type EvalCase, loadCases } from "./eval_cases.ts";
import { evalDiscover } from "./eval_discover.ts";
import type { EvalResult } from "./eval_result.ts";
import { evalSummary, selectEvaluators } from "./eval_run.ts";
import { evalRunTraces } from "./eval_run_traces.ts";

function cell(result: EvalResult): string {
  return result.score !== undefined ? result.score.toFixed(2) : result.label ?? "–";
}

function shorten(text: string, limit: number): string {
  const flat = text.replaceAll("\n", " ");
  return flat.length > limit ? flat.slice(0, limit - 1) + "…" : flat;
}

/**
 * Options of `evalRunCommand` (the CLI's `looplet eval run` flags, parsed).
 *
 * @example Keep the slow evaluators out and write a JUnit report
 * ```ts ignore
 * const options: EvalRunCommandOptions = { exclude: ["slow"], junit: "eval.xml" };
 * await evalRunCommand("evals/", [".traces/hello"], options, io);
 * ```
 */
export interface EvalRunCommandOptions {
  /** Run only evaluators with one of these tags. @default every evaluator */
  readonly include?: readonly string[];
  /** Skip evaluators with one of these tags. @default none */
  readonly exclude?: readonly string[];
  /** Pass mark for numeric scores. @default 0.5 */
  readonly threshold?: number;
  /** Print up to three more detail lines per result. @default false */
  readonly verbose?: boolean;
  /** Print one JSON object instead of the table. @default false */
  readonly json?: boolean;
  /** Also write a JUnit XML report to this file. */
  readonly junit?: string;
}

/** One scored pair, as `--json` prints it. */
interface ResultRow {
  readonly evaluator: string;
  readonly trace: string;
  readonly dir: string;
  readonly result: EvalResult;
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

/** The rows as JUnit XML: one test case per evaluator and trace. */
function junitXml(rows: readonly ResultRow[], problems: readonly string[]): string {
  const count = (status: string) => rows.filter((row) => row.result.status === status).length;
  const cases = rows.map(({ evaluator, trace, result }) => {
    const open = `    <testcase classname="${xml(trace)}" name="${xml(evaluator)}" time="${
      (result.durationMs / 1000).toFixed(3)
    }"`;
    const text = xml([result.error ?? "", ...result.details].filter((line) => line).join("\n"));
    if (result.status === "pass") return `${open}/>`;
    if (result.status === "skipped") return `${open}>\n      <skipped/>\n    </testcase>`;
    const tag = result.status === "error" ? "error" : "failure";
    const message = xml(result.error ?? result.details[0] ?? `${result.status} (${cell(result)})`);
    return `${open}>\n      <${tag} message="${message}">${text}</${tag}>\n    </testcase>`;
  });
  const errors = count("error") + problems.length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites>`,
    `  <testsuite name="looplet eval" tests="${rows.length}" failures="${
      count("fail")
    }" errors="${errors}" skipped="${count("skipped")}">`,
    ...cases,
    ...problems.map((problem) =>
      `    <testcase classname="looplet eval" name="problem">\n      <error message="${
        xml(problem)
      }"/>\n    </testcase>`
    ),
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

/**
 * `looplet eval run`: score trace folders with the evaluators found in
 * `evalsPath` and print a table (or, with `json`, one JSON object), and
 * optionally write a JUnit report. Prints nothing itself: output goes to `io`.
 *
 * @param evalsPath An `eval_*.ts` file or a folder of them.
 * @param tracePaths Trace folders (or folders of trace folders).
 * @param options Filters, threshold and output formats.
 * @param io Output sinks.
 * @returns 0 when every result passes (or is skipped), else 1.
 * @example Mount it in a CLI
 * ```ts ignore
 * const code = await evalRunCommand("evals/", [".traces/hello"], { json: true }, {
 *   stdout: (text) => console.log(text),
 *   stderr: (text) => console.error(text),
 * });
 * ```
 */
export async function evalRunCommand(
  evalsPath: string,
  tracePaths: readonly string[],
  options: EvalRunCommandOptions,
  io: CommandIo,
): Promise<number> {
  const { include, exclude, threshold, verbose = false, json = false, junit } = options;
  const problems: string[] = [];
  let discovery;
  try {
    discovery = await evalDiscover(evalsPath);
  } catch (error) {
    io.stderr(`error: ${(error as Error).message}`);
    return 1;
  }
  for (const problem of discovery.problems) problems.push(problem.message);
  if (discovery.evaluators.length === 0) {
    for (const problem of problems) io.stderr(`error: ${problem}`);
    io.stderr(
      `error: no evaluators found in "${evalsPath}" (looked at ${discovery.files.length} eval_* files)`,
    );
    return 1;
  }
  const selected = selectEvaluators(discovery.evaluators, {
    ...(include ? { include: [...include] } : {}),
    ...(exclude ? { exclude: [...exclude] } : {}),
  });
  if (selected.length === 0) {
    for (const problem of problems) io.stderr(`error: ${problem}`);
    io.stderr(
      `error: --include/--exclude left none of the ${discovery.evaluators.length} evaluators to run`,
    );
    return 1;
  }
  const report = await evalRunTraces(selected, [...tracePaths], { threshold });
  for (const problem of report.problems) problems.push(problem.message);
  for (const problem of problems) io.stderr(`error: ${problem}`);
  if (report.rows.length === 0) {
    io.stderr("error: no readable traces to evaluate");
    return 1;
  }
  const rows: ResultRow[] = [];
  for (const item of selected) {
    for (const row of report.rows) {
      const result = row.results.find((r) => r.name === item.name);
      if (result !== undefined) {
        rows.push({ evaluator: item.name, trace: row.label, dir: row.dir, result });
      }
    }
  }
  const all = rows.map((row) => row.result);
  const ok = problems.length === 0 &&
    all.every((result) => result.passed || result.status === "skipped");
  if (junit !== undefined) await writeFile(junit, junitXml(rows, problems));
  if (json) {
    io.stdout(JSON.stringify({
      passed: ok,
      summary: evalSummary(all),
      evaluators: selected.map((item) => item.name),
      traces: report.rows.map((row) => row.dir),
      results: rows.map(({ evaluator, trace, dir, result }) => ({
        ...result,
        name: undefined,
        evaluator,
        trace,
        dir,
      })),
      problems,
    }));
    return ok ? 0 : 1;
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
  for (const { evaluator, trace, result } of rows) {
    const glyph = result.status === "pass" ? "✓" : result.status === "error" ? "!" : "✗";
    const detail = result.error ?? result.details[0] ?? "";
    lines.push(
      `${glyph} ${evaluator.padEnd(nameWidth)}  ${shorten(trace, 30).padEnd(traceWidth)}  ${
        result.status.padEnd(6)
      }  ${cell(result).padStart(5)}  ${shorten(detail, 60)}`.trimEnd(),
    );
    if (verbose) {
      for (const extra of result.details.slice(1, 4)) lines.push(`      ${shorten(extra, 100)}`);
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
  lines.push("", `overall: ${evalSummary(all)} → ${ok ? "PASS" : "FAIL"}`);
  io.stdout(lines.join("\n"));
  return ok ? 0 : 1;
}

function describeCase(item: EvalCase): string {
  const task = item.task ?? {};
  const text = typeof task.description === "string" ? task.description : item.notes ?? "";
  return shorten(text, 60);
}

/**
 * `looplet eval cases list <path>` and `looplet eval cases show <path> [id]`:
 * list the eval cases saved under a path, or print one as JSON. Prints
 * nothing itself: output goes to `io`.
 *
 * @param action `"list"` or `"show"`.
 * @param path A cases file or folder.
 * @param id For `show`: the case to print (needed when there are several).
 * @param io Output sinks.
 * @returns 0 on success, 1 when the cases cannot be read or the id is unknown.
 * @example List saved cases
 * ```ts ignore
 * await evalCasesCommand("list", "evals/cases", undefined, io);
 * ```
 */
export async function evalCasesCommand(
  action: "list" | "show",
  path: string,
  id: string | undefined,
  io: CommandIo,
): Promise<number> {
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
    if (id !== undefined) {
      item = cases.find((c) => c.id === id);
      if (item === undefined) {
        io.stderr(
          `error: no case "${id}" in "${path}"; cases: ${cases.map((c) => c.id).join(", ")}`,
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
