import { estimateTokens } from "./estimate_tokens.ts";
import type { CompactStrategy } from "./compact_strategy.ts";
import { truncateTranscript } from "./truncate_transcript.ts";
import { headEnd, tailStart } from "./_transcript.ts";
import type { Backend, Message } from "../../loop/types.ts";

/**
 * Options of `summarizeTurns`.
 *
 * @example Summarise with a cheap model, keeping more verbatim
 * ```ts ignore
 * const strategy = summarizeTurns({
 *   llm: cheapModel,
 *   keepRecent: 10,
 *   maxSummaryChars: 6000,
 *   maxTokens: 2000,
 * });
 * ```
 */
export interface SummarizeTurnsOptions {
  /** The backend that writes the summary (possibly a cheaper model); requests carry `purpose: "summarize"`. */
  readonly llm: Backend;
  /** Recent messages kept verbatim. @default 6 */
  readonly keepRecent?: number;
  /** Longest summary kept, in characters. @default 4000 */
  readonly maxSummaryChars?: number;
  /** Output token limit of the summary call. @default 1200 */
  readonly maxTokens?: number;
  /** Characters of each message shown to the summariser. @default 2000 */
  readonly perMessageChars?: number;
}

/**
 * The first line of a summary message in the transcript.
 *
 * @example Find the summary in a transcript
 * ```ts ignore
 * const summary = outcome.state.transcript.find((m) => m.content.startsWith(SUMMARY_HEADER));
 * ```
 */
export const SUMMARY_HEADER = "[Summary of earlier turns]";

const SYSTEM = "You summarise an AI agent's work so it can continue with less context. " +
  "Keep the task goal, key findings with identifiers, numbers and file names verbatim, " +
  "open questions and recent decisions. Never invent facts. Answer with the summary only.";

/**
 * Replace older turns with a summary written by a (possibly cheaper) model:
 * the task and the most recent messages stay verbatim. When the summary call
 * fails or returns nothing, the strategy truncates instead and reports a
 * warning, so the run goes on.
 *
 * @param options The summariser backend and how much to keep.
 * @returns The strategy.
 * @throws {TypeError} When `llm` is not a backend.
 * @example
 * ```ts ignore
 * const strategy = compactChain(pruneToolResults(), summarizeTurns({ llm: cheapModel }), truncateTranscript());
 * ```
 */
export function summarizeTurns(options: SummarizeTurnsOptions): CompactStrategy {
  const {
    llm,
    keepRecent = 6,
    maxSummaryChars = 4000,
    maxTokens = 1200,
    perMessageChars = 2000,
  } = options ?? ({} as SummarizeTurnsOptions);
  if (typeof llm?.generate !== "function") {
    throw new TypeError("Cannot make summarizeTurns: 'llm' must be a Backend");
  }
  const fallback = truncateTranscript({ keepRecent });
  return {
    name: "summarize",
    async compact(messages, ctx) {
      const head = headEnd(messages);
      const start = tailStart(messages, keepRecent, head);
      if (start <= head + 1) return messages;
      const older = messages.slice(head, start);
      let summary: string;
      try {
        const reply = await llm.generate({
          systemPrompt: SYSTEM,
          messages: [{
            role: "user",
            content: `Summarise this part of the transcript in under ${maxSummaryChars} ` +
              `characters:\n\n${render(older, perMessageChars)}`,
          }],
          tools: [],
          maxTokens,
          temperature: 0,
          purpose: "summarize",
        }, { signal: ctx.signal });
        if (reply.usage !== undefined) ctx.addUsage?.(reply.usage);
        summary = (reply.text ?? "").trim();
        if (summary === "") throw new Error("the summariser returned an empty summary");
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        ctx.onWarning?.(
          `Summary by "${llm.name}" failed (${
            error instanceof Error ? error.message : String(error)
          }); truncated instead`,
        );
        return fallback.compact(messages, ctx);
      }
      const result: Message[] = [
        ...messages.slice(0, head),
        { role: "user", content: `${SUMMARY_HEADER}\n${summary.slice(0, maxSummaryChars)}` },
        ...messages.slice(start),
      ];
      return estimateTokens(result) < estimateTokens(messages) ? result : messages;
    },
  };
}

function render(messages: readonly Message[], limit: number): string {
  const cut = (text: string) =>
    text.length > limit ? `${text.slice(0, limit)}… [${text.length} chars]` : text;
  return messages.map((message) => {
    if (message.role === "tool") {
      return `[tool ${message.toolName ?? ""}${message.isError ? " error" : ""}] ${
        cut(message.content)
      }`;
    }
    const calls = message.toolCalls?.map((call) => `${call.name}(${JSON.stringify(call.args)})`)
      .join(", ");
    return `[${message.role}] ${cut(message.content)}${calls ? ` → ${cut(calls)}` : ""}`;
  }).join("\n");
}
