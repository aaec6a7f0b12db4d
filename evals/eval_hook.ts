import type { Hook, LoopEndContext, LoopState } from "../loop/types.ts";
import { EvalContext } from "./eval_context.ts";
import { type EvalResult, prettyEvalResult } from "./eval_result.ts";
import { evalRun, type EvalRunOptions, evalSummary, type EvaluatorSet } from "./eval_run.ts";

/**
 * Gathers artifacts for evaluation from the run's final state.
 *
 * @example Collect the README the run wrote
 * ```ts ignore
 * const collectReadme: ArtifactCollector = async (state) => ({
 *   readme: await Deno.readTextFile("out/README.md"),
 *   steps: state.steps.length,
 * });
 * const evalReadme = (ctx: EvalContext) => String(ctx.artifacts.readme).includes("## Usage");
 * const evals = new EvalHook({ evalReadme }, { collectors: [collectReadme] });
 * ```
 */
export type ArtifactCollector = (
  state: LoopState,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * Options of `EvalHook`.
 *
 * @example Fast evaluators only, results logged at the end
 * ```ts ignore
 * const evals = new EvalHook(evaluators, {
 *   include: ["fast"],
 *   threshold: 0.8,
 *   collectors: [(state) => ({ steps: state.steps.length })],
 *   onResults: (results) => console.log(evalSummary(results)),
 * });
 * ```
 */
export interface EvalHookOptions extends EvalRunOptions {
  /** Collect artifacts when the run ends; later keys win. A collector that throws is reported in `collectorErrors`. @default [] */
  readonly collectors?: readonly ArtifactCollector[];
  /** Called with the results when the run ends. */
  readonly onResults?: (results: readonly EvalResult[], ctx: EvalContext) => void | Promise<void>;
}

/**
 * A hook that scores the run as it ends: it builds an `EvalContext` from the
 * outcome (the real stop reason and final answer, whatever the done tool is
 * called), runs the evaluators, and keeps the results.
 *
 * @example Score a run as it ends
 * ```ts ignore
 * const evals = new EvalHook({ evalDone: (ctx) => ctx.completed });
 * await composableLoop({ llm, tools, task, hooks: [evals] }).complete();
 * console.log(evals.report());
 * ```
 */
export class EvalHook implements Hook {
  /** Hook name. */
  readonly name: string = "evals";
  /** Results of the last run (empty until a run ends). */
  results: EvalResult[] = [];
  /** Artifacts gathered by the collectors. */
  artifacts: Record<string, unknown> = {};
  /** Collector failures (collector index and message). */
  collectorErrors: string[] = [];
  /** The context the evaluators saw. */
  context: EvalContext | undefined;
  readonly #evaluators: EvaluatorSet;
  readonly #options: EvalHookOptions;

  /**
   * Create the hook.
   *
   * @param evaluators The evaluators.
   * @param options Collectors, tag filters, threshold, result callback.
   */
  constructor(evaluators: EvaluatorSet, options: EvalHookOptions = {}) {
    this.#evaluators = evaluators;
    this.#options = options;
  }

  /**
   * Runs the evaluators (called by the loop).
   *
   * @param ctx The loop-end context.
   */
  async onLoopEnd(ctx: LoopEndContext): Promise<void> {
    const artifacts: Record<string, unknown> = {};
    const errors: string[] = [];
    for (const [index, collect] of (this.#options.collectors ?? []).entries()) {
      try {
        const value = await collect(ctx.state);
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          errors.push(
            `collectors[${index}] returned ${
              Array.isArray(value) ? "an array" : String(value)
            }, not an object`,
          );
          continue;
        }
        Object.assign(artifacts, value);
      } catch (error) {
        errors.push(
          `collectors[${index}] threw: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
    this.artifacts = artifacts;
    this.collectorErrors = errors;
    this.context = EvalContext.fromOutcome(ctx.outcome, { artifacts });
    this.results = await evalRun(this.#evaluators, this.context, this.#options);
    await this.#options.onResults?.(this.results, this.context);
  }

  /** True when every result passed. */
  get passed(): boolean {
    return this.results.every((result) => result.passed);
  }

  /**
   * `"2 passed, 0 failed (avg score 1.00)"`.
   *
   * @returns The summary.
   */
  summary(): string {
    return evalSummary(this.results);
  }

  /**
   * One line per result, then an overall line.
   *
   * @returns The report.
   */
  report(): string {
    return [...this.results.map(prettyEvalResult), `overall: ${this.summary()}`].join("\n");
  }
}
