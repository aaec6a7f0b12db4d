/**
 * The Anthropic request: the loop's transcript as Messages API content
 * blocks (native `tool_use`/`tool_result`, or the JSON-in-text protocol) and
 * prompt-caching breakpoints.
 *
 * @module
 */

import type { Message } from "../../loop/types.ts";
import { renderTextTranscript } from "../_text_protocol.ts";
import { isRecord } from "../_tool_args.ts";

/** One content block as it travels on the wire. */
export type Block = Record<string, unknown>;

/** One message of the request's `messages`. */
export interface WireMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** Content blocks the loop does not model but that must travel back (thinking, server tools). */
export interface AnthropicProviderData {
  readonly blocks: readonly Record<string, unknown>[];
}

function providerBlocks(message: Message): Block[] {
  const data = message.providerData?.anthropic as AnthropicProviderData | undefined;
  return Array.isArray(data?.blocks) ? data.blocks.filter(isRecord).map((b) => ({ ...b })) : [];
}

export function nativeMessages(messages: readonly Message[]): WireMessage[] {
  const out: WireMessage[] = [];
  const add = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case "system":
        break; // sent in `system`
      case "assistant": {
        const blocks: Block[] = providerBlocks(message);
        if (message.content !== "") blocks.push({ type: "text", text: message.content });
        for (const call of message.toolCalls ?? []) {
          blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.args });
        }
        add("assistant", blocks);
        break;
      }
      case "tool":
        if (message.toolCallId) {
          add("user", [{
            type: "tool_result",
            tool_use_id: message.toolCallId,
            content: message.content,
            ...(message.isError ? { is_error: true } : {}),
          }]);
        } else if (message.content !== "") {
          add("user", [{ type: "text", text: message.content }]);
        }
        break;
      default:
        if (message.content !== "") add("user", [{ type: "text", text: message.content }]);
    }
  }
  return out;
}

export function textMessages(messages: readonly Message[]): WireMessage[] {
  return renderTextTranscript(messages).map((turn) => ({
    role: turn.role,
    content: [{ type: "text", text: turn.content }],
  }));
}

/** Cache the whole transcript so far: a breakpoint on the last cacheable block. */
export function markLastBlock(messages: WireMessage[], control: Block): void {
  const last = messages.at(-1);
  if (!last) return;
  const i = last.content.findLastIndex((block) =>
    block.type !== "thinking" && block.type !== "redacted_thinking"
  );
  const block = last.content[i];
  if (block !== undefined) last.content[i] = { ...block, cache_control: control };
}
