import type { Hook, LoopState } from "../loop/types.ts";

/**
 * Options of `tokenBudgetHook`.
 *
 * @example Stop at one dollar with a custom reason
 * ```ts
 * import { tokenBudgetHook } from "jsr:@looplet/looplet/hooks";
 * const hook = tokenBudgetHook({ maxCost: 1, stopReason: "cost_budget" });
 * ```
 */
export interface TokenBudgetHookOptions {
  /** Stop once input + output tokens reach this. */
  readonly maxTokens?: number;
  /** Stop once the summed `usage.cost` reaches this. */
  readonly maxCost?: number;
  /** The stop reason. @default "token_budget" */
  readonly stopReason?: string;
}

/**
 * Stop the run when its usage (model calls, plus usage tools added with
 * `ctx.addUsage`) reaches a token or cost budget. Checked after each step and
 * at the end of each turn, so the run stops before the next model call.
 *
 * @param options Token and cost limits.
 * @returns The hook.
 * @throws {TypeError} When neither limit is given.
 * @throws {RangeError} When a limit is not positive.
 * @example
 * ```ts
 * import { tokenBudgetHook } from "jsr:@looplet/looplet/hooks";
 * const hook = tokenBudgetHook({ maxTokens: 200_000, maxCost: 2 });
 * ```
 */
export function tokenBudgetHook(options: TokenBudgetHookOptions): Hook {
  const { maxTokens, maxCost, stopReason = "token_budget" } = options ?? {};
  if (maxTokens === undefined && maxCost === undefined) {
    throw new TypeError("Cannot make token budget hook: give 'maxTokens', 'maxCost' or both");
  }
  for (const [name, value] of [["maxTokens", maxTokens], ["maxCost", maxCost]] as const) {
    if (value !== undefined && !(typeof value === "number" && value > 0)) {
      throw new RangeError(
        `Cannot make token budget hook: '${name}' must be a positive number, got ${value}`,
      );
    }
  }
  const over = (state: LoopState) =>
    (maxTokens !== undefined && state.usage.inputTokens + state.usage.outputTokens >= maxTokens) ||
    (maxCost !== undefined && (state.usage.cost ?? 0) >= maxCost);
  return {
    name: "token-budget",
    postDispatch: ({ state }) => over(state) ? { stop: stopReason } : undefined,
    shouldStop: ({ state }) => over(state) ? { stop: stopReason } : undefined,
  };
}
