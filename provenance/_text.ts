/** Redaction and truncation shared by the sink and the loaders (private to provenance/). */

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
 * Apply `redact` to every string in a JSON-like value (object keys are kept),
 * and cut every string to `limit` characters. Returns a new value; the input
 * is never changed.
 */
export function scrubValue(value: unknown, redact: Redactor | undefined, limit: number): unknown {
  if (typeof value === "string") return truncateText(redact ? redact(value) : value, limit);
  if (value === null || typeof value !== "object") {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "function" || typeof value === "symbol") return String(value);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, redact, limit));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    return scrubValue({ name: value.name, message: value.message }, redact, limit);
  }
  const toJson = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJson === "function") return scrubValue(toJson.call(value), redact, limit);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = scrubValue(item, redact, limit);
  }
  return out;
}

/**
 * Scrub a value and make sure its JSON form fits in `limit` characters: when
 * it does not, the value is replaced by its JSON text, cut with a marker.
 */
export function boundedValue(value: unknown, redact: Redactor | undefined, limit: number): unknown {
  const scrubbed = scrubValue(value, redact, limit);
  if (scrubbed === null || typeof scrubbed !== "object") return scrubbed;
  const json = JSON.stringify(scrubbed);
  if (json === undefined || json.length <= limit) return scrubbed;
  return truncateText(json, limit);
}
