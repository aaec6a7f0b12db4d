import type { ToolCallRequest } from "../loop/types.ts";

/**
 * Build a tool call from its raw argument text. Arguments that are not a JSON
 * object give `args: {}` and `argsError: <raw text>`, which the loop turns into
 * a failed step the model sees.
 */
export function toolCallFromText(id: string, name: string, raw: string): ToolCallRequest {
  if (raw.trim() === "") return { id, name, args: {} };
  try {
    const value = JSON.parse(raw);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return { id, name, args: value as Record<string, unknown> };
    }
  } catch {
    // fall through
  }
  return { id, name, args: {}, argsError: raw };
}

/** Read a JSON object out of an unknown value (for non-streamed replies). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
