/**
 * The Chat Completions request: the loop's transcript as `messages` (native
 * `tool_calls`/`tool` messages, or the JSON-in-text protocol).
 *
 * @module
 */

import type { Message } from "../../loop/types.ts";
import { renderTextTranscript } from "../_text_protocol.ts";

export function nativeMessages(systemPrompt: string, messages: readonly Message[]): unknown[] {
  const out: unknown[] = [];
  if (systemPrompt !== "") out.push({ role: "system", content: systemPrompt });
  for (const message of messages) {
    switch (message.role) {
      case "assistant": {
        const calls = message.toolCalls ?? [];
        if (calls.length === 0) {
          out.push({ role: "assistant", content: message.content });
          break;
        }
        out.push({
          role: "assistant",
          ...(message.content !== "" ? { content: message.content } : {}),
          tool_calls: calls.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: JSON.stringify(call.args) },
          })),
        });
        break;
      }
      case "tool":
        if (message.toolCallId) {
          out.push({ role: "tool", tool_call_id: message.toolCallId, content: message.content });
        } else {
          out.push({ role: "user", content: message.content });
        }
        break;
      default:
        out.push({ role: message.role, content: message.content });
    }
  }
  return out;
}

export function textMessages(systemPrompt: string, messages: readonly Message[]): unknown[] {
  const out: unknown[] = [];
  if (systemPrompt !== "") out.push({ role: "system", content: systemPrompt });
  for (const turn of renderTextTranscript(messages)) out.push(turn);
  return out;
}
