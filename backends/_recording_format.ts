/**
 * The on-disk recording format (version 1), snake_case JSON:
 *
 * ```json
 * { "format": "looplet.recording", "version": 1, "backend": "openai-compatible",
 *   "capabilities": { "native_tools": true, "context_window": 128000, "streaming": true },
 *   "calls": [{ "index": 0, "started_at": "2026-01-01T00:00:00.000Z", "duration_ms": 812.5,
 *     "request": { "system_prompt": "...", "messages": [...], "tools": [...], "purpose": "reasoning" },
 *     "turn": { "text": "", "tool_calls": [...], "usage": { "input_tokens": 10, ... }, "stop_reason": "tool_calls" },
 *     "error": null }] }
 * ```
 *
 * @module
 */

import type {
  BackendCapabilities,
  ModelRequest,
  ModelTurn,
  ToolCallRequest,
  Usage,
} from "../loop/types.ts";
import { BackendError } from "./backend_error.ts";
import { callToJson, messageToJson } from "../loop/message_json.ts";
import { usageToJson } from "../loop/usage.ts";

import type { RecordedError } from "./recording_backend.ts";

type Json = Record<string, unknown>;

const drop = (object: Json): Json =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

function callFromJson(json: Json): ToolCallRequest {
  return {
    id: String(json.id),
    name: String(json.name),
    args: (json.args ?? {}) as Record<string, unknown>,
    ...(typeof json.reasoning === "string" ? { reasoning: json.reasoning } : {}),
    ...(typeof json.args_error === "string" ? { argsError: json.args_error } : {}),
  };
}

function usageFromJson(json: Json): Usage {
  const num = (value: unknown) => (typeof value === "number" ? value : undefined);
  return drop({
    inputTokens: num(json.input_tokens) ?? 0,
    outputTokens: num(json.output_tokens) ?? 0,
    cacheReadTokens: num(json.cache_read_tokens),
    cacheWriteTokens: num(json.cache_write_tokens),
    cost: num(json.cost),
  }) as unknown as Usage;
}

/** Convert a request to its stored form. */
export function requestToJson(request: ModelRequest, redact: (text: string) => string): Json {
  return drop({
    system_prompt: redact(request.systemPrompt),
    messages: request.messages.map((message) => messageToJson(message, redact)),
    tools: request.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: tool.inputSchema,
    })),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    purpose: request.purpose,
  });
}

/** Convert a turn to its stored form. */
export function turnToJson(turn: ModelTurn, redact: (text: string) => string): Json {
  return drop({
    text: redact(turn.text),
    tool_calls: turn.toolCalls?.map((call) => callToJson(call, redact)),
    usage: turn.usage ? usageToJson(turn.usage) : undefined,
    stop_reason: turn.stopReason,
    reasoning: turn.reasoning !== undefined ? redact(turn.reasoning) : undefined,
    provider_data: turn.providerData,
  });
}

/** Read a stored turn back. */
export function turnFromJson(json: Json): ModelTurn {
  return drop({
    text: typeof json.text === "string" ? json.text : "",
    toolCalls: Array.isArray(json.tool_calls)
      ? (json.tool_calls as Json[]).map(callFromJson)
      : undefined,
    usage: json.usage ? usageFromJson(json.usage as Json) : undefined,
    stopReason: json.stop_reason,
    reasoning: json.reasoning,
    providerData: json.provider_data,
  }) as unknown as ModelTurn;
}

/** Convert an error to its stored form. */
export function errorToJson(error: unknown, redact: (text: string) => string): RecordedError {
  const e = error as Partial<BackendError> & { name?: string; message?: string };
  return drop({
    name: typeof e?.name === "string" ? e.name : "Error",
    message: redact(typeof e?.message === "string" ? e.message : String(error)),
    status: e?.status,
    retryable: e?.retryable === true,
    provider_type: e?.providerType,
    retry_after_ms: e?.retryAfterMs,
  }) as unknown as RecordedError;
}

/** Rebuild a stored error as a `BackendError`. */
export function errorFromJson(json: RecordedError): BackendError {
  return new BackendError(json.message, {
    ...(json.status !== undefined ? { status: json.status } : {}),
    retryable: json.retryable,
    ...(json.provider_type !== undefined ? { providerType: json.provider_type } : {}),
    ...(json.retry_after_ms !== undefined ? { retryAfterMs: json.retry_after_ms } : {}),
  });
}

/** Capabilities in stored form. */
export function capabilitiesToJson(capabilities: BackendCapabilities): Json {
  return drop({
    native_tools: capabilities.nativeTools,
    context_window: capabilities.contextWindow,
    streaming: capabilities.streaming,
  });
}

/** Capabilities back from stored form. */
export function capabilitiesFromJson(json: Json): BackendCapabilities {
  return drop({
    nativeTools: json.native_tools === true,
    contextWindow: typeof json.context_window === "number" ? json.context_window : undefined,
    streaming: typeof json.streaming === "boolean" ? json.streaming : undefined,
  }) as unknown as BackendCapabilities;
}
