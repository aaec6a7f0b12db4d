import { type JsonValue, toJsonValue } from "../internal/json_value.ts";
import type { Message, ToolCallRequest } from "./types.ts";

/**
 * A tool call as snake_case JSON (`id`, `name`, `args`, `reasoning?`,
 * `args_error?`), every string of content through `redact`: the one form
 * checkpoints and recordings write.
 */
export function callToJson(call: ToolCallRequest, redact?: (text: string) => string): JsonValue {
  const out: Record<string, JsonValue> = {
    id: call.id,
    name: call.name,
    args: toJsonValue(call.args, redact),
  };
  if (call.reasoning !== undefined) out.reasoning = redact?.(call.reasoning) ?? call.reasoning;
  if (call.argsError !== undefined) out.args_error = redact?.(call.argsError) ?? call.argsError;
  return out;
}

/**
 * A transcript message as snake_case JSON (`role`, `content`, `tool_calls?`,
 * `tool_call_id?`, `tool_name?`, `is_error?`, `provider_data?`), every string
 * of content through `redact`: the one form checkpoints and recordings write.
 */
export function messageToJson(
  message: Message,
  redact?: (text: string) => string,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {
    role: message.role,
    content: redact?.(message.content) ?? message.content,
  };
  if (message.toolCalls !== undefined) {
    out.tool_calls = message.toolCalls.map((call) => callToJson(call, redact));
  }
  if (message.toolCallId !== undefined) out.tool_call_id = message.toolCallId;
  if (message.toolName !== undefined) out.tool_name = message.toolName;
  if (message.isError !== undefined) out.is_error = message.isError;
  if (message.providerData !== undefined) {
    out.provider_data = toJsonValue(message.providerData, redact);
  }
  return out;
}
