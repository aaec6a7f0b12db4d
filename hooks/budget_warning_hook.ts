import type { Hook } from "../loop/types.ts";

/**
 * Options of `budgetWarningHook`.
 *
 * @example Warn at a quarter and at a tenth of the budget
 * ```ts ignore
 * const hook = budgetWarningHook({
 *   maxSteps: 40,
 *   thresholds: [0.25, 0.1],
 *   message: (_fraction, steps) => `Only ${steps} steps left: wrap up.`,
 * });
 * ```
 */
export interface BudgetWarningHookOptions {
  /** The run's `maxSteps` (the same number given to `composableLoop`). */
  readonly maxSteps: number;
  /** Fractions of the budget left at which to warn, each once. @default [0.5, 0.2] */
  readonly thresholds?: readonly number[];
  /** The warning text. @default "[low budget] N% of the step budget remains (K steps). Start consolidating." */
  readonly message?: (remainingFraction: number, remainingSteps: number) => string;
}

/**
 * Tell the model when the step budget runs low: after a step, the first
 * threshold crossed (remaining/maxSteps ≤ t) that has not fired yet injects a
 * warning. On resume, thresholds already passed do not fire again.
 *
 * @param options The budget, thresholds and text.
 * @returns The hook.
 * @throws {RangeError} When `maxSteps` is not a positive integer or a threshold is not in (0, 1).
 * @example
 * ```ts
 * import { budgetWarningHook } from "jsr:@looplet/looplet/hooks";
 * const hook = budgetWarningHook({ maxSteps: 30, thresholds: [0.5, 0.1] });
 * ```
 */
export function budgetWarningHook(options: BudgetWarningHookOptions): Hook {
  const {
    maxSteps,
    thresholds = [0.5, 0.2],
    message = (fraction, steps) =>
      `[low budget] ${
        Math.round(fraction * 100)
      }% of the step budget remains (${steps} steps). Start consolidating.`,
  } = options ?? ({} as BudgetWarningHookOptions);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(
      `Cannot make budget warning hook: 'maxSteps' must be a positive integer, got ${maxSteps}`,
    );
  }
  for (const value of thresholds) {
    if (!(value > 0 && value < 1)) {
      throw new RangeError(
        `Cannot make budget warning hook: thresholds must be between 0 and 1, got ${value}`,
      );
    }
  }
  const sorted = [...new Set(thresholds)].sort((a, b) => b - a);
  let fired = new Set<number>();
  return {
    name: "budget-warning",
    onLoopStart({ state }) {
      const remaining = (maxSteps - (state.stepsDropped ?? 0) - state.steps.length) / maxSteps;
      fired = new Set(sorted.filter((threshold) => remaining <= threshold));
    },
    postDispatch({ step }) {
      const left = maxSteps - step;
      const fraction = left / maxSteps;
      const crossed = sorted.filter((threshold) => fraction <= threshold && !fired.has(threshold));
      if (crossed.length === 0 || left <= 0) return;
      for (const threshold of crossed) fired.add(threshold);
      return { inject: message(fraction, left) };
    },
  };
}
