/**
 * The Chat Completions request body: the loop's transcript as `messages`
 * (native `tool_calls`/`tool` messages, or the JSON-in-text protocol), the
 * tools, the output limit and the stream options.
 *
 * @module
 */

import type { Message, ModelRequest } from "../../loop/types.ts";
import { renderTextTranscript } from "../_text_protocol.ts";

/** What shapes every request body of one backend. */
export interface RequestSettings {
  readonly model: string;
  readonly nativeTools: boolean;
  /** The output limit when the request sets none. */
  readonly maxTokens: number | undefined;
  /** The field that carries the output limit. */
  readonly maxTokensField: "max_tokens" | "max_completion_tokens";
  readonly toolChoice: string | undefined;
  readonly extraBody: Readonly<Record<string, unknown>>;
}

/** The JSON body of one Chat Completions request. */
export function buildRequestBody(
  settings: RequestSettings,
  request: ModelRequest,
  stream: boolean,
): Record<string, unknown> {
  const { nativeTools: native, toolChoice } = settings;
  const body: Record<string, unknown> = {
    model: settings.model,
    messages: native
      ? nativeMessages(request.systemPrompt, request.messages)
      : textMessages(request.systemPrompt, request.messages),
  };
  if (native && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
    }));
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
  }
  const maxTokens = request.maxTokens ?? settings.maxTokens;
  if (maxTokens !== undefined) body[settings.maxTokensField] = maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { ...body, ...settings.extraBody };
}

function nativeMessages(systemPrompt: string, messages: readonly Message[]): unknown[] {
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

function textMessages(systemPrompt: string, messages: readonly Message[]): unknown[] {
  const out: unknown[] = [];
  if (systemPrompt !== "") out.push({ role: "system", content: systemPrompt });
  for (const turn of renderTextTranscript(messages)) out.push(turn);
  return out;
}
