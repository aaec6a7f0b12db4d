import { estimateTokens } from "./estimate_tokens.ts";
import type { Message } from "../../loop/types.ts";

/** Index of the first message after the head (leading system messages and the task). */
export function headEnd(messages: readonly Message[]): number {
  let index = 0;
  while (messages[index]?.role === "system") index++;
  if (messages[index]?.role === "user") index++;
  return index;
}

/**
 * Where a kept tail of about `keep` messages may start: never on a tool
 * message, so every kept tool result keeps the assistant call it answers.
 */
export function tailStart(messages: readonly Message[], keep: number, head: number): number {
  let start = Math.max(head, messages.length - keep);
  while (start > head && messages[start]?.role === "tool") start--;
  return start;
}

/**
 * Estimated tokens of a transcript that grows by appends, counting only the
 * messages added since the previous call. The loop appends to its transcript
 * or replaces it with a new array; a new array, a shorter one or one whose
 * first or last counted message changed is counted again in full.
 */
export function runningEstimate(): (messages: readonly Message[]) => number {
  let seen: readonly Message[] | undefined;
  let counted = 0;
  let first: Message | undefined;
  let last: Message | undefined;
  let total = 0;
  return (messages) => {
    if (
      messages !== seen || messages.length < counted ||
      (counted > 0 && (messages[0] !== first || messages[counted - 1] !== last))
    ) {
      seen = messages;
      counted = 0;
      total = 0;
    }
    for (; counted < messages.length; counted++) total += estimateTokens(messages[counted]!);
    first = messages[0];
    last = messages[counted - 1];
    return total;
  };
}
