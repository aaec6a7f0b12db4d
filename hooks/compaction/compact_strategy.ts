import type { LoopState, Message, Usage } from "../../loop/types.ts";

/**
 * What a compaction strategy gets besides the transcript.
 *
 * @example Drop old messages down to the target
 * ```ts ignore
 * const dropOld: CompactStrategy = {
 *   name: "drop-old",
 *   compact: (messages, ctx) =>
 *     estimateTokens(messages) <= ctx.targetTokens
 *       ? messages
 *       : [messages[0], ...messages.slice(-6)],
 * };
 * ```
 */
export interface CompactContext {
  /** Aim for at most this many estimated tokens. */
  readonly targetTokens: number;
  /** Why compaction runs. */
  readonly reason: "threshold" | "prompt_too_long" | (string & Record<never, never>);
  /** The run's signal. */
  readonly signal: AbortSignal;
  /** The run state (read only). */
  readonly state?: LoopState;
  /** Count usage a strategy spent (a summary call) in the run's totals. */
  readonly addUsage?: (usage: Usage) => void;
  /** Report a problem that did not stop compaction (a failed summary, for example). */
  readonly onWarning?: (message: string) => void;
}

/**
 * A way to shrink a transcript. Strategies keep tool calls and their results
 * paired, and keep the first message (the task).
 *
 * @example A strategy that drops nothing
 * ```ts
 * import type { CompactStrategy } from "jsr:@looplet/looplet/hooks";
 * const keepAll: CompactStrategy = { name: "keep-all", compact: (messages) => messages };
 * ```
 */
export interface CompactStrategy {
  /** Name for messages and records. */
  readonly name: string;
  /** Return a smaller transcript (or the same one when nothing can go). */
  compact(
    messages: readonly Message[],
    ctx: CompactContext,
  ): readonly Message[] | Promise<readonly Message[]>;
}
