/**
 * The Anthropic request body: the loop's transcript as Messages API content
 * blocks (native `tool_use`/`tool_result`, or the JSON-in-text protocol), the
 * system prompt and tools, prompt-caching breakpoints and extended thinking.
 *
 * @module
 */

import type { Message, ModelRequest, ToolSchema } from "../../loop/types.ts";
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

/** A prompt-caching breakpoint. */
export type CacheControl = { type: "ephemeral"; ttl?: "1h" };

/** What shapes every request body of one backend. */
export interface RequestSettings {
  readonly model: string;
  readonly nativeTools: boolean;
  /** `max_tokens` when the request sets none. */
  readonly maxTokens: number;
  /** The breakpoint put on the tools, the system prompt and the transcript; `false` for none. */
  readonly cache: CacheControl | false;
  readonly thinkingBudget: number | undefined;
  readonly extraBody: Readonly<Record<string, unknown>>;
}

/** The JSON body of one Messages API request. */
export function buildRequestBody(
  settings: RequestSettings,
  request: ModelRequest,
  stream: boolean,
): Record<string, unknown> {
  const { nativeTools: native, cache, thinkingBudget } = settings;
  const messages = native ? nativeMessages(request.messages) : textMessages(request.messages);
  const systemTexts = [
    request.systemPrompt,
    ...request.messages.filter((m) => m.role === "system" && native).map((m) => m.content),
  ].filter((text) => text !== "");
  const body: Record<string, unknown> = {
    model: settings.model,
    max_tokens: request.maxTokens ?? settings.maxTokens,
    messages,
  };
  if (systemTexts.length > 0) body.system = systemBlocks(systemTexts, cache);
  if (native && request.tools.length > 0) body.tools = toolDefinitions(request.tools, cache);
  if (cache) markLastBlock(messages, cache);
  if (thinkingBudget !== undefined) {
    body.thinking = { type: "enabled", budget_tokens: thinkingBudget };
  } else if (request.temperature !== undefined) {
    body.temperature = request.temperature;
  }
  if (stream) body.stream = true;
  return { ...body, ...settings.extraBody };
}

/** The system prompt as text blocks, the breakpoint on the last. */
function systemBlocks(texts: readonly string[], cache: CacheControl | false): Block[] {
  return texts.map((text, index) => ({
    type: "text",
    text,
    ...(cache && index === texts.length - 1 ? { cache_control: cache } : {}),
  }));
}

/** The tools as Anthropic tool definitions, the breakpoint on the last. */
function toolDefinitions(tools: readonly ToolSchema[], cache: CacheControl | false): Block[] {
  return tools.map((tool, index) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema,
    ...(cache && index === tools.length - 1 ? { cache_control: cache } : {}),
  }));
}

function providerBlocks(message: Message): Block[] {
  const data = message.providerData?.anthropic as AnthropicProviderData | undefined;
  return Array.isArray(data?.blocks) ? data.blocks.filter(isRecord).map((b) => ({ ...b })) : [];
}

function nativeMessages(messages: readonly Message[]): WireMessage[] {
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

function textMessages(messages: readonly Message[]): WireMessage[] {
  return renderTextTranscript(messages).map((turn) => ({
    role: turn.role,
    content: [{ type: "text", text: turn.content }],
  }));
}

/** Cache the whole transcript so far: a breakpoint on the last cacheable block. */
function markLastBlock(messages: WireMessage[], control: Block): void {
  const last = messages.at(-1);
  if (!last) return;
  const i = last.content.findLastIndex((block) =>
    block.type !== "thinking" && block.type !== "redacted_thinking"
  );
  const block = last.content[i];
  if (block !== undefined) last.content[i] = { ...block, cache_control: control };
}
