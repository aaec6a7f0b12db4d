import type { Usage } from "./types.ts";

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
