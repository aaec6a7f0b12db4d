import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { EvalContext } from "./eval_context.ts";
import type { EvalResult } from "./eval_result.ts";
import { evalRun, type EvalRunOptions, type EvaluatorSet } from "./eval_run.ts";

/**
 * Results of evaluators over one trace.
 *
 * @example One line per trace
 * ```ts ignore
 * const { rows } = await evalRunTraces({ evalDone: (ctx) => ctx.completed }, [".traces"]);
 * for (const { label, results } of rows) {
 *   console.log(label, results.filter((result) => result.passed).length, "/", results.length);
 * }
 * ```
 */
export interface TraceEvalRow {
  /** The trace directory. */
  readonly dir: string;
  /** A short name for tables (the directory name). */
  readonly label: string;
  /** One result per evaluator. */
  readonly results: readonly EvalResult[];
}

/**
 * What `evalRunTraces` produced.
 *
 * @example Score every trace and list unreadable ones
 * ```ts ignore
 * const report = await evalRunTraces({ evalDone: (ctx) => ctx.completed }, [".traces"]);
 * console.log(`${report.rows.length} traces scored`);
 * for (const { dir, message } of report.problems) console.error(`${dir}: ${message}`);
 * ```
 */
export interface TraceEvalReport {
  /** One row per readable trace. */
  readonly rows: readonly TraceEvalRow[];
  /** Paths that held no readable trace, and why. */
  readonly problems: readonly { readonly dir: string; readonly message: string }[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Expand paths into trace directories: a path holding `trajectory.json` (or
 * `manifest.jsonl`) is a trace; otherwise its immediate subfolders that hold
 * one are.
 *
 * @param paths Trace directories or folders of them.
 * @returns The trace directories, and paths with no trace.
 * @example
 * ```ts ignore
 * const { dirs } = await findTraceDirs([".traces"]);
 * ```
 */
export async function findTraceDirs(
  paths: readonly string[],
): Promise<{ dirs: string[]; problems: { dir: string; message: string }[] }> {
  const dirs: string[] = [];
  const problems: { dir: string; message: string }[] = [];
  for (const path of paths) {
    if (!(await exists(path))) {
      problems.push({ dir: path, message: `Cannot read trace "${path}": the path does not exist` });
      continue;
    }
    if (await exists(join(path, "trajectory.json")) || await exists(join(path, "manifest.jsonl"))) {
      dirs.push(path);
      continue;
    }
    const found: string[] = [];
    try {
      for (const entry of await readdir(path, { withFileTypes: true })) {
        if (entry.isDirectory() && await exists(join(path, entry.name, "trajectory.json"))) {
          found.push(join(path, entry.name));
        }
      }
    } catch { /* a file: reported below */ }
    if (found.length === 0) {
      problems.push({
        dir: path,
        message:
          `Cannot read trace "${path}": it holds no trajectory.json, and no subfolder holds one`,
      });
    }
    dirs.push(...found.sort());
  }
  return { dirs, problems };
}

/**
 * Run evaluators over many traces. A trace that cannot be read is listed in
 * `problems`; the others are still scored.
 *
 * @param evaluators The evaluators.
 * @param paths Trace directories or folders of them.
 * @param options Tag filters and threshold.
 * @returns One row per trace, plus problems.
 * @example
 * ```ts ignore
 * const report = await evalRunTraces({ evalDone: (ctx) => ctx.completed }, [".traces"]);
 * ```
 */
export async function evalRunTraces(
  evaluators: EvaluatorSet,
  paths: readonly string[],
  options: EvalRunOptions = {},
): Promise<TraceEvalReport> {
  const { dirs, problems } = await findTraceDirs(paths);
  const rows: TraceEvalRow[] = [];
  for (const dir of dirs) {
    let ctx: EvalContext;
    try {
      ctx = await EvalContext.fromTraceDir(dir);
    } catch (error) {
      problems.push({ dir, message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    rows.push({ dir, label: basename(dir), results: await evalRun(evaluators, ctx, options) });
  }
  return { rows, problems };
}
