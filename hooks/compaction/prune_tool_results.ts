import type { CompactStrategy } from "./compact_strategy.ts";
import type { Message } from "../../loop/types.ts";

/**
 * Options of `pruneToolResults`.
 *
 * @example Prune only old search results
 * ```ts
 * import { pruneToolResults } from "jsr:@looplet/looplet/hooks";
 * const strategy = pruneToolResults({
 *   keepRecent: 2,
 *   tools: ["search"],
 *   marker: "[old search result]",
 * });
 * ```
 */
export interface PruneToolResultsOptions {
  /** The most recent tool results to keep whole. @default 5 */
  readonly keepRecent?: number;
  /** Only prune results of these tools. @default every tool */
  readonly tools?: readonly string[];
  /** What replaces a pruned result. @default "[tool result cleared to save context]" */
  readonly marker?: string;
}

/**
 * Replace the content of older tool results with a short marker. Messages
 * stay in place (calls and results stay paired); what the model sees shrinks.
 *
 * @param options How many results to keep and which tools to prune.
 * @returns The strategy.
 * @throws {RangeError} When `keepRecent` is negative or not an integer.
 * @example
 * ```ts ignore
 * compactionHook({ contextWindow: 128_000, strategy: pruneToolResults({ keepRecent: 3 }) });
 * ```
 */
export function pruneToolResults(options: PruneToolResultsOptions = {}): CompactStrategy {
  const { keepRecent = 5, tools, marker = "[tool result cleared to save context]" } = options;
  if (!Number.isInteger(keepRecent) || keepRecent < 0) {
    throw new RangeError(
      `Cannot make pruneToolResults: 'keepRecent' must be a non-negative integer, got ${keepRecent}`,
    );
  }
  const only = tools === undefined ? undefined : new Set(tools);
  return {
    name: "prune",
    compact(messages) {
      let toKeep = keepRecent;
      const result: Message[] = new Array(messages.length);
      let changed = false;
      for (let index = messages.length - 1; index >= 0; index--) {
        const message = messages[index]!;
        result[index] = message;
        if (message.role !== "tool") continue;
        if (only !== undefined && !only.has(message.toolName ?? "")) continue;
        if (toKeep > 0) {
          toKeep--;
          continue;
        }
        if (message.content.length <= marker.length) continue;
        result[index] = { ...message, content: marker };
        changed = true;
      }
      return changed ? result : messages;
    },
  };
}
