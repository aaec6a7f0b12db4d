import { estimateTokens } from "./estimate_tokens.ts";
import type { CompactStrategy } from "./compact_strategy.ts";
import type { Message } from "../../loop/types.ts";

/**
 * Run strategies in order, each on the previous one's result, and stop as
 * soon as the transcript fits the target. A stage that throws is skipped with
 * a warning; the next stage works on what the previous stages produced.
 *
 * @param strategies At least one strategy, cheapest first.
 * @returns The chained strategy.
 * @throws {TypeError} When no strategy is given or one is not a strategy.
 * @example Prune, then summarise, then truncate
 * ```ts ignore
 * const strategy = compactChain(pruneToolResults(), summarizeTurns({ llm: cheap }), truncateTranscript());
 * ```
 */
export function compactChain(...strategies: CompactStrategy[]): CompactStrategy {
  if (strategies.length === 0) {
    throw new TypeError("Cannot make compactChain: pass at least one strategy");
  }
  strategies.forEach((strategy, index) => {
    if (typeof strategy?.compact !== "function") {
      throw new TypeError(
        `Cannot make compactChain: argument ${index} is not a strategy (no compact method)`,
      );
    }
  });
  return {
    name: `chain(${strategies.map((strategy) => strategy.name).join(", ")})`,
    async compact(messages, ctx) {
      let current: readonly Message[] = messages;
      for (const strategy of strategies) {
        if (estimateTokens(current) <= ctx.targetTokens) break;
        try {
          current = await strategy.compact(current, ctx);
        } catch (error) {
          if (ctx.signal.aborted) throw error;
          ctx.onWarning?.(
            `Compaction stage "${strategy.name}" failed: ${
              error instanceof Error ? error.message : String(error)
            }; trying the next stage`,
          );
        }
      }
      return current;
    },
  };
}
