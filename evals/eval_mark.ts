import type { EvalContext } from "./eval_context.ts";
import type { EvalReturn } from "./eval_result.ts";

/**
 * An evaluator: a plain function over the run's context.
 *
 * @example Pass when no step failed
 * ```ts
 * import type { Evaluator } from "jsr:@looplet/looplet/evals";
 * export const evalNoErrors: Evaluator = (ctx) => ctx.errors.length === 0;
 * ```
 */
export type Evaluator = (ctx: EvalContext) => EvalReturn | Promise<EvalReturn>;

const MARKS: unique symbol = Symbol.for("looplet.evalMarks");

/** An evaluator carrying tags set by `evalMark`. */
type MarkedEvaluator = Evaluator & { readonly [MARKS]?: ReadonlySet<string> };

/**
 * Tag an evaluator so runs can include or exclude it (`--include fast`).
 * Returns the same function, tagged; tags add up when called again.
 *
 * @param tags The tags, for example `["fast", "smoke"]`.
 * @param evaluator The evaluator.
 * @returns The evaluator, tagged.
 * @throws {TypeError} When `evaluator` is not a function or a tag is not a non-empty string.
 * @example Tag an evaluator
 * ```ts
 * import { evalMark } from "jsr:@looplet/looplet/evals";
 * export const evalCompleted = evalMark(["fast"], (ctx) => ctx.completed);
 * ```
 */
export function evalMark<T extends Evaluator>(tags: readonly string[], evaluator: T): T {
  if (typeof evaluator !== "function") {
    throw new TypeError("Cannot mark evaluator: pass a function (ctx) => boolean | number | {...}");
  }
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string" || tag === "")) {
    throw new TypeError(
      `Cannot mark evaluator "${evaluator.name}": tags must be non-empty strings`,
    );
  }
  const existing = (evaluator as MarkedEvaluator)[MARKS] ?? new Set<string>();
  Object.defineProperty(evaluator, MARKS, {
    value: new Set([...existing, ...tags]),
    configurable: true,
    enumerable: false,
  });
  return evaluator;
}

/**
 * The tags of an evaluator (empty when unmarked).
 *
 * @param evaluator The evaluator.
 * @returns Its tags.
 * @example
 * ```ts
 * import { evalMark, evalMarks } from "jsr:@looplet/looplet/evals";
 * evalMarks(evalMark(["slow"], () => true)); // Set { "slow" }
 * ```
 */
export function evalMarks(evaluator: Evaluator): ReadonlySet<string> {
  return (evaluator as MarkedEvaluator)[MARKS] ?? new Set();
}
