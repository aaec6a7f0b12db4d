import type { ToolCallRequest } from "./types.ts";

const ARG_KEYS = ["args", "arguments", "input", "parameters"] as const;
const NON_ARG_KEYS = new Set([
  "tool",
  "name",
  "id",
  "type",
  "reasoning",
  "thinking",
  "thought",
  "theory",
  ...ARG_KEYS,
]);
const MULTI_KEYS = ["tools", "tool_calls", "calls"] as const;
const FENCE = /```[a-zA-Z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/g;

/**
 * Read tool calls written as JSON in a model's text reply.
 *
 * Accepts fenced blocks, prose around the JSON, several calls in one reply
 * (several objects, an array, or `{"tools": [...]}`), arguments under `args`,
 * `arguments`, `input` or `parameters`, or flat arguments beside `tool`.
 * Raw newlines inside JSON strings are repaired.
 *
 * @param text The model's reply.
 * @param idPrefix Prefix for generated call ids.
 * @returns The calls found, in order (empty when none).
 * @example
 * ```ts
 * import { parseToolCalls } from "jsr:@looplet/looplet";
 * const calls = parseToolCalls('Sure: {"tool": "greet", "args": {"name": "Bob"}}');
 * // [{ id: "call_1", name: "greet", args: { name: "Bob" }, reasoning: undefined }]
 * ```
 */
export function parseToolCalls(text: string, idPrefix = "call_"): ToolCallRequest[] {
  if (text.trim() === "") return [];
  const calls: ToolCallRequest[] = [];
  const fenced = [...text.matchAll(FENCE)].map((match) => match[1] ?? "");
  const sources = fenced.length > 0 ? fenced : [text];
  for (const source of sources) {
    for (const value of jsonValues(source)) collectCalls(value, undefined, calls);
  }
  if (calls.length === 0 && fenced.length > 0) {
    for (const value of jsonValues(text.replace(FENCE, " "))) collectCalls(value, undefined, calls);
  }
  return calls.map((call, index) => ({ ...call, id: call.id || `${idPrefix}${index + 1}` }));
}

/** Parse a JSON text, repairing raw control characters inside strings. */
function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(escapeControlCharsInStrings(text));
  }
}

function escapeControlCharsInStrings(text: string): string {
  let out = "";
  let inString = false;
  let escaped = false;
  for (const char of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
      else if (char === "\n") {
        out += "\\n";
        continue;
      } else if (char === "\r") {
        out += "\\r";
        continue;
      } else if (char === "\t") {
        out += "\\t";
        continue;
      }
    } else if (char === '"') inString = true;
    out += char;
  }
  return out;
}

/** Every top-level JSON object or array that can be read from the text, in order. */
function* jsonValues(text: string): Generator<unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      yield parseLenient(trimmed);
      return;
    } catch { /* fall through to scanning */ }
  }
  let index = 0;
  while (index < text.length) {
    const start = nextOpening(text, index);
    if (start < 0) return;
    const end = matchingClose(text, start);
    if (end < 0) {
      index = start + 1;
      continue;
    }
    try {
      yield parseLenient(text.slice(start, end + 1));
      index = end + 1;
    } catch {
      index = start + 1;
    }
  }
}

function nextOpening(text: string, from: number): number {
  const brace = text.indexOf("{", from);
  const bracket = text.indexOf("[", from);
  if (brace < 0) return bracket;
  if (bracket < 0) return brace;
  return Math.min(brace, bracket);
}

/** Index of the bracket closing the one at `start`, aware of JSON strings; -1 if none. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === "string" && value !== "") return value;
  return undefined;
}

function collectCalls(value: unknown, reasoning: string | undefined, out: ToolCallRequest[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectCalls(item, reasoning, out);
    return;
  }
  if (!isObject(value)) return;
  const ownReasoning = firstString(value.reasoning, value.thinking, value.thought) ?? reasoning;
  for (const key of MULTI_KEYS) {
    if (Array.isArray(value[key])) {
      for (const item of value[key] as unknown[]) collectCalls(item, ownReasoning, out);
      return;
    }
  }
  if (isObject(value.function) && typeof value.function.name === "string") {
    out.push(toCall(value.function.name, value.function.arguments, value, ownReasoning));
    return;
  }
  const name = firstString(value.tool, value.name);
  if (name === undefined) return;
  const argsKey = ARG_KEYS.find((key) => value[key] !== undefined);
  if (argsKey !== undefined) {
    out.push(toCall(name, value[argsKey], value, ownReasoning));
    return;
  }
  const flat: Record<string, unknown> = {};
  for (const [key, arg] of Object.entries(value)) if (!NON_ARG_KEYS.has(key)) flat[key] = arg;
  out.push(toCall(name, flat, value, ownReasoning));
}

function toCall(
  name: string,
  rawArgs: unknown,
  source: Record<string, unknown>,
  reasoning: string | undefined,
): ToolCallRequest {
  const id = typeof source.id === "string" ? source.id : "";
  const base = { id, name, ...(reasoning !== undefined ? { reasoning } : {}) };
  if (isObject(rawArgs)) return { ...base, args: rawArgs };
  if (rawArgs === null || rawArgs === undefined || rawArgs === "") return { ...base, args: {} };
  if (typeof rawArgs === "string") {
    try {
      const parsed = parseLenient(rawArgs);
      if (isObject(parsed)) return { ...base, args: parsed };
    } catch { /* reported below */ }
  }
  return {
    ...base,
    args: {},
    argsError: typeof rawArgs === "string" ? rawArgs : JSON.stringify(rawArgs),
  };
}
