/**
 * Token usage and its arithmetic: sums and the snake_case JSON form.
 *
 * @module
 */

/**
 * Token usage of one model call or of a whole run.
 *
 * @example Add two usages
 * ```ts
 * import { addUsage, type Usage } from "jsr:@looplet/looplet";
 * const total: Usage = addUsage({ inputTokens: 10, outputTokens: 2 }, { inputTokens: 5, outputTokens: 1 });
 * ```
 */
export interface Usage {
  /** Prompt tokens, including cached ones. */
  readonly inputTokens: number;
  /** Completion tokens. */
  readonly outputTokens: number;
  /** Prompt tokens served from the provider's cache. */
  readonly cacheReadTokens?: number;
  /** Prompt tokens written to the provider's cache. */
  readonly cacheWriteTokens?: number;
  /** Cost in the caller's currency, when a price table was given. */
  readonly cost?: number;
}

/**
 * Zero usage.
 *
 * @example Sum the usage of several turns
 * ```ts
 * import { addUsage, type Usage, ZERO_USAGE } from "jsr:@looplet/looplet";
 * const turns: Usage[] = [{ inputTokens: 100, outputTokens: 20 }, { inputTokens: 150, outputTokens: 30 }];
 * const total = turns.reduce(addUsage, ZERO_USAGE); // { inputTokens: 250, outputTokens: 50 }
 * ```
 */
export const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

/**
 * Add two usages field by field; optional fields stay absent when both are.
 *
 * @param a First usage.
 * @param b Second usage.
 * @returns The sum.
 * @example
 * ```ts
 * import { addUsage } from "jsr:@looplet/looplet";
 * addUsage({ inputTokens: 1, outputTokens: 2 }, { inputTokens: 3, outputTokens: 4 });
 * // { inputTokens: 4, outputTokens: 6 }
 * ```
 */
export function addUsage(a: Usage, b: Usage | undefined): Usage {
  if (b === undefined) return a;
  const sum: { -readonly [K in keyof Usage]: Usage[K] } = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
  };
  for (const key of ["cacheReadTokens", "cacheWriteTokens", "cost"] as const) {
    if (a[key] !== undefined || b[key] !== undefined) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  }
  return sum;
}

/**
 * Usage as snake_case JSON, the form traces, checkpoints and `Step.toJSON()`
 * write: optional fields appear only when set.
 *
 * @param usage The usage.
 * @returns `{ input_tokens, output_tokens, cache_read_tokens?, cache_write_tokens?, cost? }`.
 * @example
 * ```ts
 * import { usageToJson } from "jsr:@looplet/looplet";
 * usageToJson({ inputTokens: 10, outputTokens: 2 }); // { input_tokens: 10, output_tokens: 2 }
 * ```
 */
export function usageToJson(usage: Usage): Record<string, number> {
  const json: Record<string, number> = {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
  };
  if (usage.cacheReadTokens !== undefined) json.cache_read_tokens = usage.cacheReadTokens;
  if (usage.cacheWriteTokens !== undefined) json.cache_write_tokens = usage.cacheWriteTokens;
  if (usage.cost !== undefined) json.cost = usage.cost;
  return json;
}
