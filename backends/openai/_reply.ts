/**
 * A Chat Completions reply as the loop's `ModelTurn`: text (or refusal), tool
 * calls, reasoning, usage with cached tokens, the stop reason.
 *
 * @module
 */

import type { ModelTurn, ToolCallRequest, Usage } from "../../loop/types.ts";
import { backendError, type HttpContext } from "../_http_context.ts";
import { isRecord, toolCallFromText } from "../_tool_args.ts";
import { errorInBody } from "./_errors.ts";

const STOP_REASONS: Record<string, string> = {
  stop: "end",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  length: "max_tokens",
  content_filter: "refusal",
};

/** The loop's stop reason for a `finish_reason`; unknown reasons pass through. */
export function mapStop(reason: unknown): string | undefined {
  if (typeof reason !== "string" || reason === "") return undefined;
  return STOP_REASONS[reason] ?? reason;
}

/** Usage from a `usage` object: `prompt_tokens`, `completion_tokens`, cached prompt tokens. */
export function usageOf(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  const input = typeof raw.prompt_tokens === "number" ? raw.prompt_tokens : 0;
  const output = typeof raw.completion_tokens === "number" ? raw.completion_tokens : 0;
  const details = raw.prompt_tokens_details;
  const cached = isRecord(details) && typeof details.cached_tokens === "number"
    ? details.cached_tokens
    : undefined;
  return {
    inputTokens: input,
    outputTokens: output,
    ...(cached !== undefined && cached > 0 ? { cacheReadTokens: cached } : {}),
  };
}

/** The reasoning text of a message or delta (`reasoning_content` or `reasoning`). */
export function reasoningOf(record: Record<string, unknown>): string | undefined {
  const value = record.reasoning_content ?? record.reasoning;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A tool call's `arguments` as text: servers send a JSON string, a few an object. */
export function argumentsText(value: unknown): string {
  return typeof value === "string" ? value : isRecord(value) ? JSON.stringify(value) : "";
}

/** A whole Chat Completions reply as a turn, from its first choice. */
export function turnFromCompletion(http: HttpContext, json: unknown): ModelTurn {
  const { reply, choice, message } = readChoice(http, json);
  const refusal = typeof message.refusal === "string" && message.refusal !== ""
    ? message.refusal
    : undefined;
  const text = typeof message.content === "string" ? message.content : refusal ?? "";
  const toolCalls = toolCallsOf(message.tool_calls);
  const usage = usageOf(reply.usage);
  const stopReason = refusal !== undefined ? "refusal" : mapStop(choice.finish_reason);
  const reasoning = reasoningOf(message);
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(typeof reply.model === "string" ? { model: reply.model } : {}),
  };
}

type Json = Record<string, unknown>;

/** The reply's choice with index 0 (else its first), which must hold a message. */
function readChoice(
  http: HttpContext,
  json: unknown,
): { reply: Json; choice: Json; message: Json } {
  if (!isRecord(json)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": expected a JSON object`,
      { status: 200, retryable: true, providerType: "invalid_response", cause: json },
    );
  }
  if (json.error !== undefined && json.error !== null) throw errorInBody(http, json);
  const choices = Array.isArray(json.choices) ? json.choices : [];
  const choice = choices.find((c) => isRecord(c) && (c.index === 0 || c.index === undefined)) ??
    choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": the response has no choices`,
      { status: 200, retryable: false, providerType: "empty_choices", cause: json },
    );
  }
  return { reply: json, choice, message: choice.message };
}

/** A message's `tool_calls`; a call without an id is numbered by its place in the list. */
function toolCallsOf(raw: unknown): ToolCallRequest[] {
  const toolCalls: ToolCallRequest[] = [];
  (Array.isArray(raw) ? raw : []).forEach((call, index) => {
    if (!isRecord(call) || !isRecord(call.function)) return;
    const fn = call.function;
    const id = typeof call.id === "string" && call.id !== "" ? call.id : `call_${index + 1}`;
    const name = typeof fn.name === "string" ? fn.name : "";
    toolCalls.push(toolCallFromText(id, name, argumentsText(fn.arguments)));
  });
  return toolCalls;
}
