import type { Message } from "../../loop/types.ts";

const CHARS_PER_TOKEN = 4;
const MESSAGE_OVERHEAD = 4;

/**
 * Estimate tokens without a tokenizer: about 4 characters per token, plus a
 * small overhead per message and the JSON of its tool calls. Good enough to
 * decide when to compact; not a bill.
 *
 * @param input A text, a message, or a transcript.
 * @returns Estimated tokens.
 * @example
 * ```ts
 * import { estimateTokens } from "jsr:@looplet/looplet/hooks";
 * estimateTokens("twelve chars"); // 3
 * estimateTokens([{ role: "user", content: "twelve chars" }]); // 7
 * ```
 */
export function estimateTokens(input: string | Message | readonly Message[]): number {
  if (typeof input === "string") return Math.ceil(input.length / CHARS_PER_TOKEN);
  if (Array.isArray(input)) {
    let total = 0;
    for (const message of input as readonly Message[]) total += messageTokens(message);
    return total;
  }
  return messageTokens(input as Message);
}

const cache = new WeakMap<Message, number>();

/** Messages are immutable in a transcript, so each is measured once. */
function messageTokens(message: Message): number {
  let tokens = cache.get(message);
  if (tokens === undefined) {
    tokens = measure(message);
    cache.set(message, tokens);
  }
  return tokens;
}

function measure(message: Message): number {
  let chars = message.content.length;
  if (message.toolCalls !== undefined) {
    for (const call of message.toolCalls) {
      chars += call.name.length + JSON.stringify(call.args).length;
    }
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + MESSAGE_OVERHEAD;
}
