import { toJsonValue } from "../internal/json_value.ts";
import type { AnyTool, Message, StepResult, ToolSchema } from "./types.ts";

/** The system prompt used when the caller gives none. */
export const DEFAULT_SYSTEM_PROMPT =
  "You are an agent that completes the user's task by calling tools. Work step by step: " +
  'call one or more tools, read their results, and call "done" with your final answer ' +
  "when the task is complete.";

/** Render a task (string or object) as the first user message. */
export function renderTask(task: string | Record<string, unknown>): string {
  if (typeof task === "string") return task;
  return Object.entries(task)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join("\n");
}

/** JSON Schema of each tool's input, built once per run. */
export function toolSchemas(tools: readonly AnyTool[]): ToolSchema[] {
  return tools.map((tool) => {
    let schema: unknown;
    try {
      schema = tool.input.toJSONSchema({ io: "input" });
    } catch (error) {
      throw new TypeError(
        `Cannot start loop: the input schema of tool "${tool.name}" has no JSON Schema form ` +
          `(${
            error instanceof Error ? error.message : String(error)
          }); use JSON-representable types`,
        { cause: error },
      );
    }
    const { $schema: _ignored, ...inputSchema } = schema as Record<string, unknown>;
    return Object.freeze({ name: tool.name, description: tool.description, inputSchema });
  });
}

/**
 * The tool protocol for models without native tool calling: a catalogue and
 * the JSON reply format the loop parses.
 *
 * @param tools The tools' schemas.
 * @param doneTool The name of the finishing tool.
 * @returns Text to append to the system prompt.
 * @example
 * ```ts
 * import { textToolProtocol } from "jsr:@looplet/looplet";
 * const text = textToolProtocol([
 *   { name: "done", description: "Finish", inputSchema: { type: "object" } },
 * ]);
 * ```
 */
export function textToolProtocol(tools: readonly ToolSchema[], doneTool = "done"): string {
  const catalogue = tools
    .map((tool) =>
      `- ${tool.name}: ${tool.description}\n  arguments: ${JSON.stringify(tool.inputSchema)}`
    )
    .join("\n");
  return [
    "TOOLS",
    catalogue,
    "",
    "To call a tool, reply with JSON only, no prose:",
    '{"tool": "<tool_name>", "args": {...all required arguments...}, "reasoning": "<short>"}',
    'To call several tools at once: {"tools": [{"tool": "...", "args": {...}}, ...]}',
    `When the task is complete, call "${doneTool}".`,
  ].join("\n");
}

/** The text a tool result shows the model. */
export function resultContent(result: StepResult): string {
  if (result.error !== undefined) return `Error: ${result.error}`;
  const data = result.data;
  if (typeof data === "string") return data;
  if (data === undefined || data === null) return "null";
  try {
    return JSON.stringify(data);
  } catch {
    // The loop stores results in their JSON-safe form; a hand-made one may not be.
    return JSON.stringify(toJsonValue(data));
  }
}

/** A tool message answering one call. */
export function toolMessage(callId: string, toolName: string, result: StepResult): Message {
  return {
    role: "tool",
    content: resultContent(result),
    toolCallId: callId,
    toolName,
    ...(result.error !== undefined ? { isError: true } : {}),
  };
}
