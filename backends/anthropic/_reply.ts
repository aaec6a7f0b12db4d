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

export function usageFrom(parts: UsageParts): Usage | undefined {
  if (!parts.seen) return undefined;
  return {
    inputTokens: parts.input + parts.cacheRead + parts.cacheWrite,
    outputTokens: parts.output,
    ...(parts.cacheRead > 0 ? { cacheReadTokens: parts.cacheRead } : {}),
    ...(parts.cacheWrite > 0 ? { cacheWriteTokens: parts.cacheWrite } : {}),
  };
}

export function emptyUsage(): UsageParts {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, seen: false };
}

/** Assemble a turn from finished content blocks. */
export function turnFromBlocks(
  blocks: readonly Block[],
  rawArgs: ReadonlyMap<Block, string>,
  stopReason: string | undefined,
  usage: Usage | undefined,
): ModelTurn {
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCallRequest[] = [];
  const carried: Block[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "text":
        if (typeof block.text === "string") text += block.text;
        break;
      case "tool_use": {
        const raw = rawArgs.get(block);
        const id = typeof block.id === "string" ? block.id : `toolu_${toolCalls.length + 1}`;
        const name = typeof block.name === "string" ? block.name : "";
        // Streamed arguments win; a block that arrived whole keeps its `input`.
        toolCalls.push(
          raw !== undefined && raw.trim() !== ""
            ? toolCallFromText(id, name, raw)
            : isRecord(block.input)
            ? { id, name, args: block.input }
            : { id, name, args: {} },
        );
        break;
      }
      case "thinking":
        if (typeof block.thinking === "string") reasoning += block.thinking;
        carried.push(block);
        break;
      default: {
        // redacted_thinking, server_tool_use, web_search_tool_result, ...: carry back as is.
        const raw = rawArgs.get(block);
        if (raw !== undefined && raw.trim() !== "") {
          try {
            carried.push({ ...block, input: JSON.parse(raw) });
            break;
          } catch {
            // keep the block as it started
          }
        }
        carried.push(block);
      }
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
  };
}

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
  const blocks = json.content.filter(isRecord);
  const turn = turnFromBlocks(blocks, new Map(), mapStop(json.stop_reason), usageFrom(usage));
  return typeof json.model === "string" ? { ...turn, model: json.model } : turn;
}
