/**
 * An Anthropic message (a whole reply, or the blocks a stream assembled) as
 * the loop's `ModelTurn`: text, tool calls, thinking, usage with cache tokens,
 * and the blocks that must travel back in `providerData`.
 *
 * @module
 */

import type { ModelTurn, ToolCallRequest, Usage } from "../../loop/types.ts";
import { backendError, type HttpContext } from "../_http_context.ts";
import { isRecord, toolCallFromText } from "../_tool_args.ts";
import type { AnthropicProviderData, Block } from "./_messages.ts";
import { streamError } from "./_errors.ts";

const STOP_REASONS: Record<string, string> = {
  end_turn: "end",
  stop_sequence: "end",
  tool_use: "tool_calls",
  max_tokens: "max_tokens",
  refusal: "refusal",
};

/** The loop's stop reason for a `stop_reason`; unknown reasons pass through. */
export function mapStop(reason: unknown): string | undefined {
  if (typeof reason !== "string" || reason === "") return undefined;
  return STOP_REASONS[reason] ?? reason;
}

/** Usage counts as a message and its stream events report them. */
export interface UsageParts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  seen: boolean;
}

/** Merge a usage object into the running parts (fields present win). */
export function mergeUsage(parts: UsageParts, raw: unknown): void {
  if (!isRecord(raw)) return;
  const num = (value: unknown) => typeof value === "number" ? value : undefined;
  parts.input = num(raw.input_tokens) ?? parts.input;
  parts.output = num(raw.output_tokens) ?? parts.output;
  parts.cacheRead = num(raw.cache_read_input_tokens) ?? parts.cacheRead;
  parts.cacheWrite = num(raw.cache_creation_input_tokens) ?? parts.cacheWrite;
  parts.seen = true;
}

/** The usage the parts add up to, or undefined when no event reported any. */
export function usageFrom(parts: UsageParts): Usage | undefined {
  if (!parts.seen) return undefined;
  return {
    inputTokens: parts.input + parts.cacheRead + parts.cacheWrite,
    outputTokens: parts.output,
    ...(parts.cacheRead > 0 ? { cacheReadTokens: parts.cacheRead } : {}),
    ...(parts.cacheWrite > 0 ? { cacheWriteTokens: parts.cacheWrite } : {}),
  };
}

/** Parts before any usage was reported. */
export function emptyUsage(): UsageParts {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, seen: false };
}

/** How a message ended: what its last events or its reply said. */
export interface MessageEnd {
  readonly stopReason: string | undefined;
  readonly usage: Usage | undefined;
  readonly model: string | undefined;
}

/** Assemble a turn from finished content blocks and the arguments streamed into them. */
export function turnFromBlocks(
  blocks: readonly Block[],
  rawArgs: ReadonlyMap<Block, string>,
  end: MessageEnd,
): ModelTurn {
  const { stopReason, usage, model } = end;
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCallRequest[] = [];
  const carried: Block[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "text":
        if (typeof block.text === "string") text += block.text;
        break;
      case "tool_use":
        toolCalls.push(toolCallOf(block, rawArgs.get(block), toolCalls.length + 1));
        break;
      case "thinking":
        if (typeof block.thinking === "string") reasoning += block.thinking;
        carried.push(block);
        break;
      default:
        // redacted_thinking, server_tool_use, web_search_tool_result, ...: carry back as is.
        carried.push(withStreamedInput(block, rawArgs.get(block)));
    }
  }
  const data: AnthropicProviderData = { blocks: carried };
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reasoning !== "" ? { reasoning } : {}),
    ...(carried.length > 0 ? { providerData: { anthropic: data } } : {}),
    ...(model !== undefined ? { model } : {}),
  };
}

/** A `tool_use` block as a call: streamed arguments win, a block that arrived whole keeps its `input`. */
function toolCallOf(block: Block, raw: string | undefined, number: number): ToolCallRequest {
  const id = typeof block.id === "string" ? block.id : `toolu_${number}`;
  const name = typeof block.name === "string" ? block.name : "";
  if (raw !== undefined && raw.trim() !== "") return toolCallFromText(id, name, raw);
  return { id, name, args: isRecord(block.input) ? block.input : {} };
}

/** A carried block with the input streamed into it, when that input is JSON. */
function withStreamedInput(block: Block, raw: string | undefined): Block {
  if (raw === undefined || raw.trim() === "") return block;
  try {
    return { ...block, input: JSON.parse(raw) };
  } catch {
    return block; // keep the block as it started
  }
}

/** A whole Messages API reply as a turn. */
export function turnFromMessage(http: HttpContext, json: unknown): ModelTurn {
  if (!isRecord(json)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": expected a JSON object`,
      { status: 200, retryable: true, providerType: "invalid_response", cause: json },
    );
  }
  if (json.type === "error" || isRecord(json.error)) throw streamError(http, json);
  if (!Array.isArray(json.content)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": the message has no 'content' array`,
      { status: 200, retryable: false, providerType: "invalid_response", cause: json },
    );
  }
  const usage = emptyUsage();
  mergeUsage(usage, json.usage);
  return turnFromBlocks(json.content.filter(isRecord), new Map(), {
    stopReason: mapStop(json.stop_reason),
    usage: usageFrom(usage),
    model: typeof json.model === "string" ? json.model : undefined,
  });
}
