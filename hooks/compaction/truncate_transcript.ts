import { estimateTokens } from "./estimate_tokens.ts";
import type { CompactStrategy } from "./compact_strategy.ts";
import { headEnd, tailStart } from "./_transcript.ts";
import type { Message } from "../../loop/types.ts";

/**
 * Options of `truncateTranscript`.
 *
 * @example Keep four recent messages, with a custom notice
 * ```ts
 * import { truncateTranscript } from "jsr:@looplet/looplet/hooks";
 * const strategy = truncateTranscript({ keepRecent: 4, notice: "[Older messages dropped.]" });
 * ```
 */
export interface TruncateTranscriptOptions {
  /** Recent messages to keep at most; fewer are kept when still over the target. @default 8 */
  readonly keepRecent?: number;
  /** Text put where the dropped messages were. */
  readonly notice?: string;
}

/**
 * The text a truncation leaves where messages were dropped (a prefix a later pass recognises).
 *
 * @example Tell whether a run was truncated
 * ```ts ignore
 * const truncated = outcome.state.transcript.some((m) => m.content === TRUNCATION_NOTICE);
 * ```
 */
export const TRUNCATION_NOTICE =
  "[Earlier messages were removed to fit the context window. Rely on the task above and the messages below.]";

/**
 * Drop older messages, keeping the task and the most recent messages (shrinking
 * the kept tail until the transcript fits the target). No model call; it
 * cannot fail, so it is the last stage of a chain.
 *
 * @param options How much to keep.
 * @returns The strategy.
 * @throws {RangeError} When `keepRecent` is not a positive integer.
 * @example
 * ```ts ignore
 * const strategy = compactChain(pruneToolResults(), truncateTranscript({ keepRecent: 6 }));
 * ```
 */
export function truncateTranscript(options: TruncateTranscriptOptions = {}): CompactStrategy {
  const { keepRecent = 8, notice = TRUNCATION_NOTICE } = options;
  if (!Number.isInteger(keepRecent) || keepRecent < 1) {
    throw new RangeError(
      `Cannot make truncateTranscript: 'keepRecent' must be a positive integer, got ${keepRecent}`,
    );
  }
  return {
    name: "truncate",
    compact(messages, { targetTokens }) {
      const head = headEnd(messages);
      let result: readonly Message[] = messages;
      for (let keep = keepRecent; keep >= 1; keep = Math.floor(keep / 2)) {
        const start = tailStart(messages, keep, head);
        if (start <= head) continue;
        const candidate: Message[] = [
          ...messages.slice(0, head),
          { role: "user", content: notice },
          ...messages.slice(start),
        ];
        if (candidate.length >= messages.length) continue;
        result = candidate;
        if (estimateTokens(candidate) <= targetTokens) break;
        if (keep === 1) break;
      }
      return result;
    },
  };
}
