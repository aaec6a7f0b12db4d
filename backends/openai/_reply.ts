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

export function mapStop(reason: unknown): string | undefined {
  if (typeof reason !== "string" || reason === "") return undefined;
  return STOP_REASONS[reason] ?? reason;
}

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

export function reasoningOf(record: Record<string, unknown>): string | undefined {
  const value = record.reasoning_content ?? record.reasoning;
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function turnFromCompletion(http: HttpContext, json: unknown): ModelTurn {
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
  const message = choice.message;
  const refusal = typeof message.refusal === "string" && message.refusal !== ""
    ? message.refusal
    : undefined;
  const text = typeof message.content === "string" ? message.content : refusal ?? "";
  const rawCalls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  const toolCalls: ToolCallRequest[] = [];
  rawCalls.forEach((raw, index) => {
    if (!isRecord(raw) || !isRecord(raw.function)) return;
    const fn = raw.function;
    const args = typeof fn.arguments === "string"
      ? fn.arguments
      : isRecord(fn.arguments)
      ? JSON.stringify(fn.arguments)
      : "";
    toolCalls.push(
      toolCallFromText(
        typeof raw.id === "string" && raw.id !== "" ? raw.id : `call_${index + 1}`,
        typeof fn.name === "string" ? fn.name : "",
        args,
      ),
    );
  });
  const usage = usageOf(json.usage);
  const stopReason = refusal !== undefined ? "refusal" : mapStop(choice.finish_reason);
  const reasoning = reasoningOf(message);
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(typeof json.model === "string" ? { model: json.model } : {}),
  };
}
