import type { Backend, GenerateOptions, ModelRequest, ModelTurn, Usage } from "../loop/types.ts";

/**
 * Prices of one model, in the caller's currency per million tokens. There is
 * no built-in price list: prices change, so the caller supplies them.
 *
 * @example Price a model with cheaper cache reads
 * ```ts
 * import { costOf, type ModelPrice } from "jsr:@looplet/looplet/backends";
 * const price: ModelPrice = { inputPerMillion: 3, outputPerMillion: 15, cacheReadPerMillion: 0.3 };
 * const cost = costOf({ inputTokens: 2000, outputTokens: 500, cacheReadTokens: 1000 }, price);
 * ```
 */
export interface ModelPrice {
  /** Price of a million uncached input tokens. */
  readonly inputPerMillion: number;
  /** Price of a million output tokens. */
  readonly outputPerMillion: number;
  /** Price of a million input tokens read from the cache. @default inputPerMillion */
  readonly cacheReadPerMillion?: number;
  /** Price of a million input tokens written to the cache. @default inputPerMillion */
  readonly cacheWritePerMillion?: number;
}

/**
 * The cost of a usage at a price. `inputTokens` includes cached tokens, which
 * are charged at the cache prices instead.
 *
 * @param usage Token usage.
 * @param price Prices per million tokens.
 * @returns The cost.
 * @example
 * ```ts
 * import { costOf } from "jsr:@looplet/looplet/backends";
 * costOf({ inputTokens: 1_000_000, outputTokens: 0 }, { inputPerMillion: 3, outputPerMillion: 15 }); // 3
 * ```
 */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const fresh = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  return (fresh * price.inputPerMillion +
    cacheRead * (price.cacheReadPerMillion ?? price.inputPerMillion) +
    cacheWrite * (price.cacheWritePerMillion ?? price.inputPerMillion) +
    usage.outputTokens * price.outputPerMillion) / 1_000_000;
}

/**
 * Wrap a backend so every turn's `usage.cost` is filled from a price table.
 * The loop sums `cost` into the outcome and puts each turn's usage on its
 * first step. Wrap each backend of a router separately to price each model.
 *
 * @param backend The backend to price.
 * @param price Its prices per million tokens.
 * @returns The wrapped backend.
 * @throws {RangeError} When a price is negative or not a number.
 * @example Price a model
 * ```ts
 * import { ScriptedBackend } from "jsr:@looplet/looplet";
 * import { withCost } from "jsr:@looplet/looplet/backends";
 * const llm = withCost(new ScriptedBackend([{ text: "hi", usage: { inputTokens: 1000, outputTokens: 100 } }]), {
 *   inputPerMillion: 3,
 *   outputPerMillion: 15,
 * });
 * const turn = await llm.generate({ messages: [], systemPrompt: "", tools: [] });
 * // turn.usage?.cost === 0.0045
 * ```
 */
export function withCost(backend: Backend, price: ModelPrice): Backend {
  for (
    const field of [
      "inputPerMillion",
      "outputPerMillion",
      "cacheReadPerMillion",
      "cacheWritePerMillion",
    ] as const
  ) {
    const value = price?.[field];
    const optional = field.startsWith("cache");
    if ((value === undefined && optional)) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(
        `Cannot price backend "${backend?.name}": '${field}' must be a non-negative number, got ${
          String(value)
        }`,
      );
    }
  }
  return {
    name: backend.name,
    capabilities: backend.capabilities,
    async generate(request: ModelRequest, options?: GenerateOptions): Promise<ModelTurn> {
      const turn = await backend.generate(request, options);
      if (turn.usage === undefined) return turn;
      return { ...turn, usage: { ...turn.usage, cost: costOf(turn.usage, price) } };
    },
  };
}
