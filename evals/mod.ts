/**
 * Evals: score agent runs with plain functions over an `EvalContext`, from a
 * live run (`EvalHook`) or from trace directories; discover eval files; keep
 * eval cases as JSON files; grade with an LLM judge.
 *
 * @example Score a recorded trace
 * ```ts ignore
 * import { EvalContext, evalRun } from "jsr:@looplet/looplet/evals";
 *
 * const ctx = await EvalContext.fromTraceDir(".traces/hello");
 * const results = await evalRun({
 *   evalCompleted: (ctx) => ctx.completed,
 *   evalFewSteps: (ctx) => ({ score: ctx.stepCount <= 5 ? 1 : 0, details: `${ctx.stepCount} steps` }),
 * }, ctx);
 * ```
 *
 * @module
 */

export { EvalContext } from "./eval_context.ts";
export type { EvalContextInit, EvalStep } from "./eval_context.ts";
export { normalizeEvalResult, prettyEvalResult } from "./eval_result.ts";
export type { EvalResult, EvalReturn, EvalScore, EvalStatus } from "./eval_result.ts";
export { evalMark, evalMarks } from "./eval_mark.ts";
export type { Evaluator } from "./eval_mark.ts";
export { evalRun, evalSummary, namedEvaluators, selectEvaluators } from "./eval_run.ts";
export type { EvalRunOptions, EvaluatorSet, NamedEvaluator } from "./eval_run.ts";
export { evalDiscover } from "./eval_discover.ts";
export type { EvalDiscoverOptions, EvalDiscovery, EvalDiscoveryProblem } from "./eval_discover.ts";
export { EvalHook } from "./eval_hook.ts";
export type { ArtifactCollector, EvalHookOptions } from "./eval_hook.ts";
export { EvalCaseError, evalCaseTests, loadCases, saveCases } from "./eval_cases.ts";
export type { EvalCase, EvalCaseTestDefinition, EvalCaseTestsOptions } from "./eval_cases.ts";
export { evalRunTraces, findTraceDirs } from "./eval_run_traces.ts";
export type { TraceEvalReport, TraceEvalRow } from "./eval_run_traces.ts";
export { assertEvalsPass } from "./assert_evals_pass.ts";
export { llmJudge } from "./llm_judge.ts";
export type { LlmJudgeOptions } from "./llm_judge.ts";
export { evalCasesCommand, evalRunCommand, type EvalRunCommandOptions } from "./eval_command.ts";
export type { CommandIo } from "../provenance/show_command.ts";
