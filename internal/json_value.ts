/**
 * The one JSON-safe encoder and redaction walker: what the model, the step,
 * the checkpoint and the trace see of a value is what this function returns
 * (private to the library).
 *
 * @module
 */

/** A value `JSON.stringify` writes and `JSON.parse` reads back unchanged. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** Left where a value refers to one of its own ancestors. */
export const CIRCULAR_MARKER = "[Circular]";
/** Left where a value held a function. */
export const FUNCTION_MARKER = "[Function]";
/** Left where a value held a symbol. */
export const SYMBOL_MARKER = "[Symbol]";
/** Left where a value nests deeper than `MAX_DEPTH`. */
export const DEPTH_MARKER = "[Too deep]";
/** Nesting levels walked before a value is cut with `DEPTH_MARKER`. */
export const MAX_DEPTH = 256;

/**
 * The JSON form of `value`, with every string passed through `text` (object
 * keys are kept): cycles become `"[Circular]"`, a BigInt its decimal text,
 * functions and symbols `"[Function]"` and `"[Symbol]"`, non-finite numbers
 * `null`, a `Map` an object, a `Set` an array, an `Error` `{ name, message }`;
 * `toJSON()` is honoured as `JSON.stringify` does. Parts with nothing to
 * change are returned as they are (no copy), so plain JSON costs one walk
 * and no allocation.
 */
export function toJsonValue(value: unknown, text?: (text: string) => string): JsonValue {
  return walk(value, text, new Set(), 0) ?? null;
}

function walk(
  value: unknown,
  text: ((text: string) => string) | undefined,
  ancestors: Set<object>,
  depth: number,
): JsonValue | undefined {
  switch (typeof value) {
    case "string":
      return text === undefined ? value : text(value);
    case "number":
      return Number.isFinite(value) ? value : null;
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "undefined":
      return undefined;
    case "function":
      return FUNCTION_MARKER;
    case "symbol":
      return SYMBOL_MARKER;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) return CIRCULAR_MARKER;
  if (depth >= MAX_DEPTH) return DEPTH_MARKER;
  ancestors.add(object);
  try {
    const toJson = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJson === "function") {
      return walk(toJson.call(object, ""), text, ancestors, depth + 1) ?? null;
    }
    if (Array.isArray(object)) return walkArray(object, text, ancestors, depth);
    if (object instanceof Map) {
      const entries: Record<string, unknown> = {};
      for (const [key, item] of object) entries[String(key)] = item;
      return walkObject(entries, text, ancestors, depth, true);
    }
    if (object instanceof Set) return walkArray([...object], text, ancestors, depth);
    if (object instanceof Error) {
      return walkObject({ name: object.name, message: object.message }, text, ancestors, depth);
    }
    const prototype = Object.getPrototypeOf(object);
    const plain = prototype === Object.prototype || prototype === null;
    return walkObject(object as Record<string, unknown>, text, ancestors, depth, !plain);
  } finally {
    ancestors.delete(object);
  }
}

function walkArray(
  array: readonly unknown[],
  text: ((text: string) => string) | undefined,
  ancestors: Set<object>,
  depth: number,
): JsonValue[] {
  let out: JsonValue[] | undefined;
  for (const [index, original] of array.entries()) {
    const item = walk(original, text, ancestors, depth + 1) ?? null;
    if (item !== original && out === undefined) out = array.slice(0, index) as JsonValue[];
    out?.push(item);
  }
  return out ?? (array as JsonValue[]);
}

function walkObject(
  object: Record<string, unknown>,
  text: ((text: string) => string) | undefined,
  ancestors: Set<object>,
  depth: number,
  copy = false,
): { [key: string]: JsonValue } {
  const keys = Object.keys(object);
  let out: { [key: string]: JsonValue } | undefined = copy ? {} : undefined;
  for (const [index, key] of keys.entries()) {
    const original = object[key];
    const item = walk(original, text, ancestors, depth + 1);
    if ((item !== original || item === undefined) && out === undefined) {
      out = {};
      for (const before of keys.slice(0, index)) out[before] = object[before] as JsonValue;
    }
    if (out !== undefined && item !== undefined) out[key] = item;
  }
  return out ?? (object as { [key: string]: JsonValue });
}

/**
 * A short, stable digest of a value's JSON form (53-bit cyrb53, as 14 hex
 * digits): enough to tell two argument sets apart in a journal, not a
 * cryptographic hash.
 */
export function jsonDigest(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? "null";
  } catch {
    json = JSON.stringify(toJsonValue(value)); // a cycle or a BigInt
  }
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < json.length; index++) {
    const code = json.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}
