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
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
/** Levels inside a stretch that does not parse that are tried in its place (bounds the work). */
const MAX_RETRY_DEPTH = 8;
/** Stretches nesting deeper than this are not parsed (no tool call needs it; parsing them is slow). */
const MAX_JSON_DEPTH = 256;
/** How deeply arrays and `tools` lists are searched for calls. */
const MAX_CALL_DEPTH = 32;
const NOT_JSON = Symbol("not JSON");
const JSON_SPACE = new Set([32, 9, 10, 13]);
const ARRAY_START = new Set([...'{[]"-0123456789tfn']);

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
  } catch (error) {
    const repaired = escapeControlCharsInStrings(text);
    if (repaired === text) throw error;
    return JSON.parse(repaired);
  }
}

const ESCAPES: Record<number, string> = { 10: "\\n", 13: "\\r", 9: "\\t" };

function escapeControlCharsInStrings(text: string): string {
  const parts: string[] = [];
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!inString) {
      if (code === QUOTE) inString = true;
    } else if (code === BACKSLASH) i++;
    else if (code === QUOTE) inString = false;
    else if (ESCAPES[code] !== undefined) {
      parts.push(text.slice(from, i), ESCAPES[code]);
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.join("");
}

/**
 * Every JSON object or array that can be read from the text, in order. One
 * pass: each bracketed stretch is scanned once, and when it does not parse
 * (prose in braces, a reply cut off by the token limit) the stretches nested
 * in it are tried instead, down to MAX_RETRY_DEPTH levels.
 */
function* jsonValues(text: string): Generator<unknown> {
  let index = 0;
  while (index < text.length) {
    const start = nextOpening(text, index);
    if (start < 0) return;
    if (!opensJson(text, start)) {
      index = start + 1; // prose in braces: its quotes must not hide a call after it
      continue;
    }
    const { root, next } = scanSpan(text, start);
    yield* spanValues(text, root);
    index = next;
  }
}

/** A bracketed stretch of text; `end` is -1 when the text ends before it closes. */
interface Span {
  readonly start: number;
  end: number;
  /** How many levels of brackets it holds. */
  depth: number;
  readonly children: Span[];
}

/** Read one bracketed stretch from `start`, aware of JSON strings, noting the stretches inside it. */
function scanSpan(text: string, start: number): { root: Span; next: number } {
  const root: Span = { start, end: -1, depth: 0, children: [] };
  const stack: Span[] = [root];
  let hidden = 0; // stretches nested deeper than MAX_RETRY_DEPTH: counted, never tried
  let inString = false;
  const close = (span: Span) => {
    const parent = stack.at(-1);
    if (parent !== undefined) parent.depth = Math.max(parent.depth, span.depth + 1);
  };
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (hidden > 0 || stack.length > MAX_RETRY_DEPTH) {
        hidden++;
        const top = stack.at(-1)!;
        top.depth = Math.max(top.depth, hidden);
      } else {
        const span: Span = { start: i, end: -1, depth: 0, children: [] };
        stack.at(-1)!.children.push(span);
        stack.push(span);
      }
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (hidden > 0) hidden--;
      else {
        const span = stack.pop()!;
        span.end = i;
        close(span);
        if (stack.length === 0) return { root, next: i + 1 };
      }
    }
  }
  while (stack.length > 0) close(stack.pop()!);
  return { root, next: text.length };
}

/** The stretch's value when it parses, else the values of the stretches inside it. */
function* spanValues(text: string, span: Span): Generator<unknown> {
  if (span.end >= 0 && span.depth <= MAX_JSON_DEPTH) {
    let value: unknown = NOT_JSON;
    try {
      value = parseLenient(text.slice(span.start, span.end + 1));
    } catch { /* try the stretches inside */ }
    if (value !== NOT_JSON) {
      yield value;
      return;
    }
  }
  for (const child of span.children) yield* spanValues(text, child);
}

/**
 * Whether the bracket at `start` can open JSON: `{` then `"` or `}`, `[` then
 * a value or `]` (whitespace between). `{Note: it's "odd}` cannot, so its
 * stray quote is never taken as the start of a string.
 */
function opensJson(text: string, start: number): boolean {
  let i = start + 1;
  while (i < text.length && JSON_SPACE.has(text.charCodeAt(i))) i++;
  if (i === text.length) return true; // cut off right after the bracket
  const next = text[i]!;
  return text.charCodeAt(start) === OPEN_BRACE
    ? next === '"' || next === "}"
    : ARRAY_START.has(next);
}

/** Index of the first `{` or `[` at or after `from`; -1 if none. */
function nextOpening(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === OPEN_BRACE || code === OPEN_BRACKET) return i;
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

function collectCalls(
  value: unknown,
  reasoning: string | undefined,
  out: ToolCallRequest[],
  depth = 0,
): void {
  if (depth > MAX_CALL_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) collectCalls(item, reasoning, out, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  const ownReasoning = firstString(value.reasoning, value.thinking, value.thought) ?? reasoning;
  for (const key of MULTI_KEYS) {
    if (Array.isArray(value[key])) {
      for (const item of value[key] as unknown[]) collectCalls(item, ownReasoning, out, depth + 1);
      return;
    }
  }
  if (isObject(value.function)) {
    const name = firstString(value.function.name);
    if (name !== undefined) out.push(toCall(name, value.function.arguments, value, ownReasoning));
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
