/**
 * How full the context is.
 *
 * @example Classify a prompt size
 * ```ts
 * import { contextBudget, type ContextTier } from "jsr:@looplet/looplet/hooks";
 * const tier: ContextTier = contextBudget({ contextWindow: 10_000 }).classify(9_000); // "error"
 * ```
 */
export type ContextTier = "ok" | "warning" | "error";

/**
 * Options of `contextBudget`.
 *
 * @example Custom thresholds
 * ```ts
 * import { contextBudget } from "jsr:@looplet/looplet/hooks";
 * const budget = contextBudget({ contextWindow: 128_000, warningAt: 90_000, errorAt: 110_000 });
 * ```
 */
export interface ContextBudgetOptions {
  /** The model's context window, in tokens. */
  readonly contextWindow: number;
  /** Tokens from which the tier is `warning`. @default 60% of the window */
  readonly warningAt?: number;
  /** Tokens from which the tier is `error`. @default 80% of the window */
  readonly errorAt?: number;
}

/**
 * A context budget: thresholds and a classifier.
 *
 * @example Read the thresholds
 * ```ts
 * import { contextBudget } from "jsr:@looplet/looplet/hooks";
 * const budget = contextBudget({ contextWindow: 10_000 });
 * console.log(budget.warningAt, budget.errorAt); // 6000 8000
 * ```
 */
export interface ContextBudget {
  /** The context window, in tokens. */
  readonly contextWindow: number;
  /** Warning threshold, in tokens. */
  readonly warningAt: number;
  /** Error threshold, in tokens. */
  readonly errorAt: number;
  /** The tier of a token count. */
  classify(tokens: number): ContextTier;
}

/**
 * Thresholds on the estimated prompt size.
 *
 * @param options Window and thresholds.
 * @returns The budget.
 * @throws {RangeError} When the window is not a positive integer or the thresholds are not `0 < warningAt <= errorAt <= contextWindow`.
 * @example
 * ```ts
 * import { contextBudget } from "jsr:@looplet/looplet/hooks";
 * const budget = contextBudget({ contextWindow: 10_000 });
 * budget.classify(7_000); // "warning"
 * ```
 */
export function contextBudget(options: ContextBudgetOptions): ContextBudget {
  const { contextWindow } = options ?? {};
  if (!Number.isInteger(contextWindow) || contextWindow < 1) {
    throw new RangeError(
      `Cannot make context budget: 'contextWindow' must be a positive integer, got ${contextWindow}`,
    );
  }
  const { warningAt = Math.floor(contextWindow * 0.6), errorAt = Math.floor(contextWindow * 0.8) } =
    options;
  if (!(warningAt > 0 && warningAt <= errorAt && errorAt <= contextWindow)) {
    throw new RangeError(
      "Cannot make context budget: need 0 < warningAt <= errorAt <= contextWindow, got " +
        `warningAt ${warningAt}, errorAt ${errorAt}, contextWindow ${contextWindow}`,
    );
  }
  return {
    contextWindow,
    warningAt,
    errorAt,
    classify: (tokens) => tokens >= errorAt ? "error" : tokens >= warningAt ? "warning" : "ok",
  };
}
