import type { EvalContext } from "./eval_context.ts";
import { evalDiscover } from "./eval_discover.ts";
import { prettyEvalResult } from "./eval_result.ts";
import type { EvalResult } from "./eval_result.ts";
import { evalRun, type EvalRunOptions, type EvaluatorSet } from "./eval_run.ts";

/**
 * Run evaluators (or the eval files at a path) over a context and throw
 * when any result fails or errors, listing each of them.
 *
 * @param ctx The run's context.
 * @param evaluators Evaluators, or a path to discover them from.
 * @param options Tag filters and threshold.
 * @returns The results, when all passed.
 * @throws {Error} An `AssertionError`-like error listing failed results, or naming eval files that could not be used.
 * @example In a test
 * ```ts ignore
 * Deno.test("hello trace passes its evals", async () => {
 *   await assertEvalsPass(await EvalContext.fromTraceDir("tests/traces/hello"), "evals/");
 * });
 * ```
 */
export async function assertEvalsPass(
  ctx: EvalContext,
  evaluators: EvaluatorSet | string,
  options: EvalRunOptions = {},
): Promise<EvalResult[]> {
  let set: EvaluatorSet;
  if (typeof evaluators === "string") {
    const found = await evalDiscover(evaluators);
    if (found.problems.length > 0) {
      throw new Error(found.problems.map((problem) => problem.message).join("\n"));
    }
    set = found.evaluators;
  } else set = evaluators;
  const results = await evalRun(set, ctx, options);
  const failed = results.filter((result) => !result.passed && result.status !== "skipped");
  if (failed.length > 0) {
    const error = new Error(
      `${failed.length} of ${results.length} evals did not pass:\n${
        failed.map(prettyEvalResult).join("\n")
      }`,
    );
    error.name = "AssertionError";
    throw error;
  }
  return results;
}
