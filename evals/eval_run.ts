import type { EvalContext } from "./eval_context.ts";
import { evalMarks, type Evaluator } from "./eval_mark.ts";
import { type EvalResult, normalizeEvalResult } from "./eval_result.ts";

/**
 * An evaluator with its name (what discovery returns).
 *
 * @example Name an evaluator explicitly
 * ```ts
 * import type { NamedEvaluator } from "jsr:@looplet/looplet/evals";
 * const done: NamedEvaluator = { name: "finished", evaluate: (ctx) => ctx.completed };
 * ```
 */
export interface NamedEvaluator {
  /** Name shown in results. */
  readonly name: string;
  /** The function. */
  readonly evaluate: Evaluator;
  /** The file it came from, when discovered. */
  readonly file?: string;
}

/**
 * Evaluators as a list of functions or named evaluators, or a `{ name: fn }` record.
 *
 * @example Evaluators as a record
 * ```ts
 * import type { EvaluatorSet } from "jsr:@looplet/looplet/evals";
 * const evaluators: EvaluatorSet = {
 *   evalDone: (ctx) => ctx.completed,
 *   evalNoErrors: (ctx) => ctx.errors.length === 0,
 * };
 * ```
 */
export type EvaluatorSet =
  | readonly (Evaluator | NamedEvaluator)[]
  | Readonly<Record<string, Evaluator>>;

/**
 * Options of `evalRun`.
 *
 * @example Strict threshold, no slow evaluators
 * ```ts ignore
 * const results = await evalRun(evaluators, ctx, { exclude: ["slow"], threshold: 0.9 });
 * ```
 */
export interface EvalRunOptions {
  /** Keep only evaluators with at least one of these tags. @default all */
  readonly include?: readonly string[];
  /** Drop evaluators with any of these tags. @default none */
  readonly exclude?: readonly string[];
  /** A numeric score passes at this value or above. @default 0.5 */
  readonly threshold?: number;
}

/**
 * Normalize an evaluator set to named evaluators, in order.
 *
 * @param evaluators Functions, named evaluators, or a record.
 * @returns Named evaluators.
 * @throws {TypeError} When an entry is not a function or a named evaluator.
 * @example
 * ```ts
 * import { namedEvaluators } from "jsr:@looplet/looplet/evals";
 * namedEvaluators({ evalDone: (ctx) => ctx.completed }); // [{ name: "evalDone", evaluate }]
 * ```
 */
export function namedEvaluators(evaluators: EvaluatorSet): NamedEvaluator[] {
  if (Array.isArray(evaluators)) {
    return evaluators.map((item: Evaluator | NamedEvaluator, index: number) => {
      if (typeof item === "function") {
        return { name: item.name || `evaluator_${index}`, evaluate: item };
      }
      if (typeof item === "object" && item !== null && typeof item.evaluate === "function") {
        return item;
      }
      throw new TypeError(
        `Cannot run evals: evaluators[${index}] must be a function (ctx) => result or { name, evaluate }`,
      );
    });
  }
  if (typeof evaluators !== "object" || evaluators === null) {
    throw new TypeError("Cannot run evals: pass an array of evaluators or a { name: fn } record");
  }
  return Object.entries(evaluators as Record<string, Evaluator>).map(([name, evaluate]) => {
    if (typeof evaluate !== "function") {
      throw new TypeError(`Cannot run evals: evaluator "${name}" must be a function`);
    }
    return { name, evaluate };
  });
}

/**
 * Keep the evaluators that the include/exclude tags select.
 *
 * @param evaluators Named evaluators.
 * @param options Tags to include and exclude.
 * @returns The selected evaluators.
 * @example
 * ```ts
 * import { evalMark, selectEvaluators } from "jsr:@looplet/looplet/evals";
 * const fast = { name: "fast", evaluate: evalMark(["fast"], () => true) };
 * selectEvaluators([fast], { exclude: ["fast"] }); // []
 * ```
 */
export function selectEvaluators(
  evaluators: readonly NamedEvaluator[],
  options: Pick<EvalRunOptions, "include" | "exclude"> = {},
): NamedEvaluator[] {
  const { include, exclude = [] } = options;
  return evaluators.filter((item) => {
    const marks = evalMarks(item.evaluate);
    if (include !== undefined && include.length > 0 && !include.some((tag) => marks.has(tag))) {
      return false;
    }
    return !exclude.some((tag) => marks.has(tag));
  });
}

/**
 * Run evaluators over one context. Each evaluator runs on its own: one that
 * throws (or returns nonsense) gives an error row and the others still run.
 *
 * @param evaluators The evaluators.
 * @param ctx The run's context.
 * @param options Tag filters and pass threshold.
 * @returns One result per selected evaluator, in order.
 * @throws {TypeError} When `evaluators` is malformed.
 * @example Score a trace
 * ```ts ignore
 * const results = await evalRun({ evalDone: (ctx) => ctx.completed }, await EvalContext.fromTraceDir(dir));
 * ```
 */
export async function evalRun(
  evaluators: EvaluatorSet,
  ctx: EvalContext,
  options: EvalRunOptions = {},
): Promise<EvalResult[]> {
  const selected = selectEvaluators(namedEvaluators(evaluators), options);
  const results: EvalResult[] = [];
  for (const { name, evaluate } of selected) {
    const started = performance.now();
    try {
      const value = await evaluate(ctx);
      results.push(
        normalizeEvalResult(value, name, {
          threshold: options.threshold,
          durationMs: performance.now() - started,
        }),
      );
    } catch (error) {
      results.push({
        name,
        status: "error",
        passed: false,
        details: [],
        metrics: {},
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        durationMs: performance.now() - started,
      });
    }
  }
  return results;
}

/**
 * Summarize results: `"3 passed, 1 failed, 1 error (avg score 0.75)"`.
 *
 * @param results Results of one or many runs.
 * @returns The summary.
 * @example
 * ```ts
 * import { evalSummary, normalizeEvalResult } from "jsr:@looplet/looplet/evals";
 * evalSummary([normalizeEvalResult(true, "a"), normalizeEvalResult(0, "b")]);
 * // "1 passed, 1 failed (avg score 0.50)"
 * ```
 */
export function evalSummary(results: readonly EvalResult[]): string {
  if (results.length === 0) return "no results";
  const count = (status: EvalResult["status"]) =>
    results.filter((result) => result.status === status).length;
  const parts = [`${count("pass")} passed`, `${count("fail")} failed`];
  const errors = count("error");
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? "" : "s"}`);
  const skipped = count("skipped");
  if (skipped > 0) parts.push(`${skipped} skipped`);
  const scores = results.flatMap((result) => result.score !== undefined ? [result.score] : []);
  const avg = scores.length > 0
    ? ` (avg score ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(2)})`
    : "";
  return parts.join(", ") + avg;
}
