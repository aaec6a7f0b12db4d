const MARKERS = [
  "prompt is too long",
  "context_length_exceeded",
  "maximum context length",
  "too many tokens",
  "request too large",
  "context window",
  "input is too long",
];

/**
 * Whether a backend error says the prompt did not fit the model's context:
 * status 413, or a message (of the error or its cause) with one of the usual
 * markers ("prompt is too long", "context_length_exceeded", "maximum context
 * length", "too many tokens", "request too large").
 *
 * @param error What the backend threw.
 * @returns True when compacting the prompt and retrying may help.
 * @example
 * ```ts
 * import { BackendError, isPromptTooLong } from "jsr:@looplet/looplet";
 * isPromptTooLong(new BackendError("prompt is too long: 210000 tokens > 200000 maximum", { status: 400 })); // true
 * isPromptTooLong(new BackendError("overloaded", { status: 529 })); // false
 * ```
 */
export function isPromptTooLong(error: unknown): boolean {
  for (let current = error, depth = 0; current != null && depth < 4; depth++) {
    if (typeof current !== "object") return matches(String(current));
    const { status, message, cause } = current as {
      status?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (status === 413) return true;
    if (typeof message === "string" && matches(message)) return true;
    current = cause;
  }
  return false;
}

function matches(text: string): boolean {
  const lower = text.toLowerCase();
  return MARKERS.some((marker) => lower.includes(marker));
}
