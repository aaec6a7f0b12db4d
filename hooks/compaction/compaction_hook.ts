import { addUsage } from "../../loop/usage.ts";
import { type ContextBudget, contextBudget, type ContextTier } from "./context_budget.ts";
import type { CompactStrategy } from "./compact_strategy.ts";
import { estimateTokens } from "./estimate_tokens.ts";
import { runningEstimate } from "./_transcript.ts";
import type { Hook, LoopState, Message } from "../../loop/types.ts";

/**
 * One compaction the hook performed.
 *
 * @example Report each compaction
 * ```ts ignore
 * const hook = compactionHook({ budget: 128_000, strategy: truncateTranscript() });
 * await composableLoop({ llm, tools, task, hooks: [hook] }).complete();
 * for (const { turn, reason, before, after } of hook.compactions) {
 *   console.log(`turn ${turn} (${reason}): ${before} -> ${after} tokens`);
 * }
 * ```
 */
export interface CompactionRecord {
  /** The turn it happened before. */
  readonly turn: number;
  /** `"threshold"` (the budget fired) or `"prompt_too_long"` (the provider refused). */
  readonly reason: "threshold" | "prompt_too_long";
  /** Estimated tokens before. */
  readonly before: number;
  /** Estimated tokens after. */
  readonly after: number;
}

/**
 * Options of `compactionHook`.
 *
 * @example Compact only at the error tier, down to 30%
 * ```ts ignore
 * const hook = compactionHook({
 *   strategy: compactChain(pruneToolResults(), truncateTranscript()),
 *   budget: contextBudget({ contextWindow: 200_000, errorAt: 150_000 }),
 *   fireAt: "error",
 *   targetRatio: 0.3,
 *   overheadTokens: 4_000,
 *   onWarning: console.warn,
 * });
 * ```
 */
export interface CompactionHookOptions {
  /** The strategy, for example `compactChain(pruneToolResults(), truncateTranscript())`. */
  readonly strategy: CompactStrategy;
  /** The budget, or just the context window (thresholds at 60% and 80%). */
  readonly budget: ContextBudget | number;
  /** Compact from this tier on. @default "warning" */
  readonly fireAt?: Exclude<ContextTier, "ok">;
  /** After compaction, aim for this fraction of the window. @default 0.4 */
  readonly targetRatio?: number;
  /** Tokens the transcript does not show but the request carries (system prompt, tool schemas). @default 0 */
  readonly overheadTokens?: number;
  /** Receives warnings (a failed summary, a compaction that freed nothing). */
  readonly onWarning?: (message: string) => void;
}

/**
 * The compaction hook, with what it did.
 *
 * @example Count the compactions of a run
 * ```ts ignore
 * const hook: CompactionHook = compactionHook({ budget: 128_000, strategy: truncateTranscript() });
 * await composableLoop({ llm, tools, task, hooks: [hook] }).complete();
 * console.log(`${hook.compactions.length} compactions`);
 * ```
 */
export interface CompactionHook extends Hook {
  /** Each compaction so far. */
  readonly compactions: readonly CompactionRecord[];
}

/**
 * Keep what the model sees within a context budget. Before each model call it
 * estimates the transcript (counting only the messages added since the
 * previous call); from the `fireAt` tier on it runs the strategy and
 * replaces the transcript (so the next request really is smaller). When the
 * provider still says the prompt is too long, it compacts harder (halving
 * the target on each attempt) and the loop retries.
 *
 * @param options Strategy, budget and target.
 * @returns The hook, with `compactions`.
 * @throws {TypeError} When `strategy` is not a strategy.
 * @throws {RangeError} When `targetRatio` is not in (0, 1).
 * @example Prune, summarise with a cheap model, then truncate
 * ```ts ignore
 * const hook = compactionHook({
 *   budget: 128_000,
 *   strategy: compactChain(pruneToolResults(), summarizeTurns({ llm: cheap }), truncateTranscript()),
 * });
 * ```
 */
export function compactionHook(options: CompactionHookOptions): CompactionHook {
  const {
    strategy,
    fireAt = "warning",
    targetRatio = 0.4,
    overheadTokens = 0,
    onWarning,
  } = options ?? ({} as CompactionHookOptions);
  if (typeof strategy?.compact !== "function") {
    throw new TypeError(
      "Cannot make compaction hook: 'strategy' must be a strategy such as truncateTranscript()",
    );
  }
  if (!(targetRatio > 0 && targetRatio < 1)) {
    throw new RangeError(
      `Cannot make compaction hook: 'targetRatio' must be between 0 and 1, got ${targetRatio}`,
    );
  }
  const budget = typeof options.budget === "number"
    ? contextBudget({ contextWindow: options.budget })
    : options.budget;
  if (typeof budget?.classify !== "function") {
    throw new TypeError(
      "Cannot make compaction hook: 'budget' must be a context window in tokens or contextBudget(...)",
    );
  }
  const fireLevel = fireAt === "error" ? 2 : 1;
  const level = (tier: ContextTier) => tier === "error" ? 2 : tier === "warning" ? 1 : 0;
  const compactions: CompactionRecord[] = [];
  const transcriptTokens = runningEstimate();

  async function run(
    messages: readonly Message[],
    state: LoopState,
    signal: AbortSignal,
    turn: number,
    reason: CompactionRecord["reason"],
    targetTokens: number,
  ): Promise<readonly Message[] | undefined> {
    const before = estimateTokens(messages);
    const result = await strategy.compact(messages, {
      targetTokens: Math.max(1, targetTokens - overheadTokens),
      reason,
      signal,
      state,
      addUsage: (usage) => void (state.usage = addUsage(state.usage, usage)),
      onWarning,
    });
    const after = estimateTokens(result);
    if (after >= before) {
      onWarning?.(
        `Compaction "${strategy.name}" freed nothing at turn ${turn} (${before} tokens)`,
      );
      return undefined;
    }
    compactions.push({ turn, reason, before, after });
    return result;
  }

  return {
    name: "compaction",
    compactions,
    async prePrompt({ state, signal, turn }) {
      const tokens = transcriptTokens(state.transcript) + overheadTokens;
      if (level(budget.classify(tokens)) < fireLevel) return;
      const target = Math.floor(budget.contextWindow * targetRatio);
      const messages = await run(state.transcript, state, signal, turn, "threshold", target);
      return messages === undefined ? undefined : { messages };
    },
    async onPromptTooLong({ state, signal, turn, attempt, messages }) {
      const current = estimateTokens(messages) + overheadTokens;
      const target = Math.min(
        Math.floor(budget.contextWindow * targetRatio),
        Math.floor(current / 2 ** attempt),
      );
      const result = await run(messages, state, signal, turn, "prompt_too_long", target);
      return result === undefined ? undefined : { messages: result };
    },
  };
}
