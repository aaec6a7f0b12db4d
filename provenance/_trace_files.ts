/**
 * File names and text layouts of a trace directory (private to provenance/).
 *
 * Layout (the reference implementation's, plus `format_version`):
 * `trajectory.json`, `steps/step_NN.json`, `call_NN_prompt.txt`,
 * `call_NN_response.txt`, `manifest.jsonl`.
 */

import type { Message, ModelTurn, ToolCallRequest, ToolSchema, Usage } from "../loop/types.ts";
import { usageToJson } from "../loop/usage.ts";

/** The trace format this module writes and the newest it reads. */
export const TRACE_FORMAT_VERSION = 1;

/** Zero-padded (at least two digits) index, as in `call_03_prompt.txt`. */
export function pad(index: number): string {
  return String(index).padStart(2, "0");
}

/** `steps/step_NN.json`. */
export function stepFileName(number: number): string {
  return `step_${pad(number)}.json`;
}

/** `call_NN_prompt.txt`. */
export function promptFileName(index: number): string {
  return `call_${pad(index)}_prompt.txt`;
}

/** `call_NN_response.txt`. */
export function responseFileName(index: number): string {
  return `call_${pad(index)}_response.txt`;
}

/** Round to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Usage as snake_case JSON. */
export function usageJson(usage: Usage | undefined): Record<string, number> | null {
  if (usage === undefined) return null;
  return usageToJson(usage);
}

/** Usage from snake_case JSON (a manifest line or a step record); undefined when absent. */
export function usageFromJson(json: unknown): Usage | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const record = json as Record<string, unknown>;
  if (typeof record.input_tokens !== "number" && typeof record.output_tokens !== "number") {
    return undefined;
  }
  const usage: { -readonly [K in keyof Usage]: Usage[K] } = {
    inputTokens: typeof record.input_tokens === "number" ? record.input_tokens : 0,
    outputTokens: typeof record.output_tokens === "number" ? record.output_tokens : 0,
  };
  if (typeof record.cache_read_tokens === "number") {
    usage.cacheReadTokens = record.cache_read_tokens;
  }
  if (typeof record.cache_write_tokens === "number") {
    usage.cacheWriteTokens = record.cache_write_tokens;
  }
  if (typeof record.cost === "number") usage.cost = record.cost;
  return usage;
}

/** What the prompt file of one call shows. */
export interface PromptFileInput {
  readonly index: number;
  readonly stepNum: number | null;
  readonly turn: number | null;
  readonly scope: string | null;
  readonly purpose: string | undefined;
  readonly temperature: number | undefined;
  readonly maxTokens: number | undefined;
  readonly systemPrompt: string;
  /** The call whose system prompt was identical, when there is one. */
  readonly systemSameAs: number | undefined;
  /** The messages from `messageOffset` on. */
  readonly messages: readonly Message[];
  /** Messages before this offset are the same as in call `messagesSameAs`. */
  readonly messageOffset: number;
  /** All messages of the request. */
  readonly messageCount: number;
  readonly messagesSameAs: number | undefined;
  readonly tools: readonly ToolSchema[];
  readonly toolsSameAs: number | undefined;
  /** Applied to the rendered tool schemas. */
  readonly redact?: (text: string) => string;
}

function renderMessage(message: Message, position: number): string {
  const lines = [
    `### [${position}] ${message.role}${
      message.toolName !== undefined
        ? ` (${message.toolName}${message.isError ? ", error" : ""})`
        : ""
    }`,
  ];
  lines.push(message.content === "" ? "(empty)" : message.content);
  if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
    lines.push(
      `tool calls: ${
        JSON.stringify(message.toolCalls.map((call) => ({
          id: call.id,
          name: call.name,
          args: call.args,
        })))
      }`,
    );
  }
  return lines.join("\n");
}

/** Render `call_NN_prompt.txt` (before truncation). */
export function renderPromptFile(input: PromptFileInput): string {
  const head = [`# call ${pad(input.index)} — method=generate`];
  const where: string[] = [];
  if (input.stepNum !== null) where.push(`step=${input.stepNum}`);
  if (input.turn !== null) where.push(`turn=${input.turn}`);
  where.push(`scope=${input.scope ?? "loop"}`);
  if (input.purpose !== undefined) where.push(`purpose=${input.purpose}`);
  head.push(`# ${where.join(" ")}`);
  head.push(
    `# temperature=${input.temperature ?? "default"} max_tokens=${
      input.maxTokens ?? "default"
    } tools=${input.tools.length} messages=${input.messageCount}`,
  );
  const sections = [head.join("\n")];
  if (input.systemPrompt !== "") {
    sections.push(
      input.systemSameAs !== undefined
        ? `## SYSTEM PROMPT (same as call ${pad(input.systemSameAs)})`
        : `## SYSTEM PROMPT\n${input.systemPrompt}`,
    );
  }
  const shown = input.messages;
  const note = input.messageOffset > 0 && input.messagesSameAs !== undefined
    ? `; [1]–[${input.messageOffset}] as in call ${pad(input.messagesSameAs)}`
    : "";
  sections.push(
    `## MESSAGES (${input.messageCount}${note})\n` +
      shown.map((message, i) => renderMessage(message, input.messageOffset + i + 1)).join("\n\n"),
  );
  if (input.tools.length > 0) {
    sections.push(
      input.toolsSameAs !== undefined
        ? `## TOOLS (same as call ${pad(input.toolsSameAs)})`
        : `## TOOLS\n${
          (input.redact ?? String)(JSON.stringify(
            input.tools.map((tool) => ({
              name: tool.name,
              description: tool.description,
              input_schema: tool.inputSchema,
            })),
            null,
            2,
          ))
        }`,
    );
  }
  return sections.join("\n\n") + "\n";
}

/** A content block, in the reference's (Anthropic-shaped) form. */
export type ContentBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** The blocks of a model turn; `undefined` when plain text says it all. */
export function responseBlocks(turn: ModelTurn): ContentBlock[] | undefined {
  const calls = turn.toolCalls ?? [];
  if (calls.length === 0 && turn.reasoning === undefined) return undefined;
  const blocks: ContentBlock[] = [];
  if (turn.reasoning !== undefined) blocks.push({ type: "thinking", thinking: turn.reasoning });
  if (turn.text !== "") blocks.push({ type: "text", text: turn.text });
  for (const call of calls) {
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input: { ...call.args } });
  }
  return blocks;
}

/** Render `call_NN_response.txt`. */
export function renderResponseFile(
  index: number,
  durationMs: number,
  turn: ModelTurn | undefined,
  error: string | undefined,
): string {
  const parts = [
    `# call ${pad(index)} — duration=${durationMs.toFixed(1)}ms error=${
      error !== undefined ? "yes" : "no"
    }`,
  ];
  if (error !== undefined) parts.push(`## ERROR\n${error}`);
  const blocks = turn === undefined ? undefined : responseBlocks(turn);
  if (blocks !== undefined) {
    parts.push(`## RESPONSE (content blocks)\n${JSON.stringify(blocks, null, 2)}`);
  } else {
    parts.push(`## RESPONSE\n${turn === undefined || turn.text === "" ? "(empty)" : turn.text}`);
  }
  return parts.join("\n\n") + "\n";
}

/** What a response file holds, read back. */
export interface ParsedResponse {
  readonly text: string;
  readonly toolCalls: ToolCallRequest[];
  readonly reasoning?: string;
  readonly error?: string;
  /** True when the body is content blocks (native tool calls). */
  readonly blocks: boolean;
}

/**
 * Read a response file written by this module or by the reference
 * implementation. Throws an `Error` naming the problem (the caller adds the file).
 */
export function parseResponseFile(text: string): ParsedResponse {
  const errorMatch = /^## ERROR\n([\s\S]*?)(?=\n\n## RESPONSE|\n## RESPONSE|$)/m.exec(text);
  const error = errorMatch?.[1]?.trim();
  const blockHeader = text.indexOf("## RESPONSE (content blocks)\n");
  if (blockHeader !== -1) {
    const body = text.slice(blockHeader + "## RESPONSE (content blocks)\n".length).trim();
    let blocks: unknown;
    try {
      blocks = JSON.parse(body);
    } catch (cause) {
      throw new Error(
        `its content blocks are not valid JSON (${(cause as Error).message})`,
        { cause },
      );
    }
    if (!Array.isArray(blocks)) throw new Error("its content blocks are not a JSON array");
    let out = "";
    let reasoning: string | undefined;
    const toolCalls: ToolCallRequest[] = [];
    blocks.forEach((block, i) => {
      if (typeof block !== "object" || block === null) return;
      const b = block as Record<string, unknown>;
      if (b.type === "text" && typeof b.text === "string") out += b.text;
      else if (b.type === "thinking" && typeof b.thinking === "string") reasoning = b.thinking;
      else if (b.type === "tool_use" && typeof b.name === "string") {
        toolCalls.push({
          id: typeof b.id === "string" ? b.id : `call_${i + 1}`,
          name: b.name,
          args: typeof b.input === "object" && b.input !== null && !Array.isArray(b.input)
            ? b.input as Record<string, unknown>
            : {},
        });
      }
    });
    return {
      text: out,
      toolCalls,
      ...(reasoning !== undefined ? { reasoning } : {}),
      ...(error ? { error } : {}),
      blocks: true,
    };
  }
  const header = /^## RESPONSE(?: \(repr\))?\n/m.exec(text);
  if (header === null) {
    if (error) return { text: "", toolCalls: [], error, blocks: false };
    throw new Error('it has no "## RESPONSE" section');
  }
  let body = text.slice(header.index + header[0].length);
  if (body.endsWith("\n")) body = body.slice(0, -1);
  if (body === "(empty)") body = "";
  return { text: body, toolCalls: [], ...(error ? { error } : {}), blocks: false };
}
