/** Redaction and truncation shared by the sink and the loaders (private to provenance/). */
import { toJsonValue } from "../internal/json_value.ts";

/** The marker left where text was cut: `\n... [truncated N chars] ...`. */
export function truncationMarker(removed: number): string {
  return `\n... [truncated ${removed} chars] ...`;
}

/** True when `text` ends with (or contains) a truncation marker. */
export function isTruncated(text: string): boolean {
  return /\n\.\.\. \[truncated \d+ chars\] \.\.\./.test(text);
}

/**
 * Cut `text` to at most `limit` characters, keeping the head and an explicit
 * marker that says how many characters were removed.
 */
export function truncateText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // The marker's own length depends on the number it reports; two passes settle it.
  let keep = Math.max(0, limit - truncationMarker(text.length).length);
  keep = Math.max(0, limit - truncationMarker(text.length - keep).length);
  return text.slice(0, keep) + truncationMarker(text.length - keep);
}

/** A redaction function, checked to return text. */
export type Redactor = (text: string) => string;

/** Wrap the caller's `redact` so a wrong return type fails loudly instead of writing garbage. */
export function checkedRedactor(redact: Redactor | undefined): Redactor | undefined {
  if (redact === undefined) return undefined;
  return (text: string) => {
    const out = redact(text);
    if (typeof out !== "string") {
      throw new TypeError(
        `Cannot record trace: 'redact' must return a string, got ${
          out === null ? "null" : typeof out
        }`,
      );
    }
    return out;
  };
}

/**
 * Apply `redact` to every string in a value (object keys are kept), and cut
 * every string to `limit` characters, through the one JSON-safe walker the
 * loop uses for results (cycles, BigInt and functions come out as the model
 * saw them). The input is never changed; parts with nothing to change are
 * returned as they are (no copy).
 */
export function scrubValue(value: unknown, redact: Redactor | undefined, limit: number): unknown {
  return toJsonValue(value, (text) => {
    const redacted = redact ? redact(text) : text;
    return redacted.length > limit ? truncateText(redacted, limit) : redacted;
  });
}

/**
 * An upper bound of the JSON size of `value`, giving up (returning a number
 * above `limit`) as soon as it passes `limit`. Cheaper than `JSON.stringify`.
 */
function jsonSizeAtMost(value: unknown, limit: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") size += item.length * 2 + 2; // escapes can double a string
    else if (item === null || typeof item !== "object") size += 24;
    else if (Array.isArray(item)) {
      size += 2 + item.length;
      for (const child of item) stack.push(child);
    } else {
      for (const key in item as Record<string, unknown>) {
        size += key.length * 2 + 4;
        stack.push((item as Record<string, unknown>)[key]);
      }
      size += 2;
    }
    if (size > limit) return size;
  }
  return size;
}

/**
 * Scrub a value and make sure its JSON form fits in `limit` characters: when
 * it does not, the value is replaced by its JSON text, cut with a marker.
 */
export function boundedValue(value: unknown, redact: Redactor | undefined, limit: number): unknown {
  const scrubbed = scrubValue(value, redact, limit);
  if (scrubbed === null || typeof scrubbed !== "object") return scrubbed;
  if (jsonSizeAtMost(scrubbed, limit) <= limit) return scrubbed;
  const json = JSON.stringify(scrubbed);
  if (json === undefined || json.length <= limit) return scrubbed;
  return truncateText(json, limit);
}
