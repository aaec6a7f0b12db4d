import { toJsonValue } from "../internal/json_value.ts";
import type { Backend, Message, ModelRequest, ToolCallRequest } from "../loop/types.ts";
import { RedactedTranscript } from "./redacted_transcript.ts";

/**
 * Wrap a backend so every request is redacted before it leaves the process:
 * the system prompt, every message's text, and every string in tool-call
 * arguments. Replies are not changed. Each message is redacted once, so a
 * turn costs the messages it added. Use the same `redact` for checkpoints
 * and traces.
 *
 * @param backend The backend to wrap.
 * @param redact The redaction function, for example `redactSecrets()`.
 * @returns A backend with the same name and capabilities.
 * @throws {TypeError} When `backend` is not a backend or `redact` not a function.
 * @example
 * ```ts ignore
 * const llm = redactingBackend(openai, redactSecrets({ values: [Deno.env.get("DB_PASSWORD")!] }));
 * ```
 */
export function redactingBackend(backend: Backend, redact: (text: string) => string): Backend {
  if (typeof backend?.generate !== "function") {
    throw new TypeError("Cannot wrap backend for redaction: 'backend' must be a Backend");
  }
  if (typeof redact !== "function") {
    throw new TypeError("Cannot wrap backend for redaction: 'redact' must be a (text) => string");
  }
  const call = (item: ToolCallRequest): ToolCallRequest => ({
    ...item,
    args: toJsonValue(item.args, redact) as Record<string, unknown>,
    ...(item.reasoning !== undefined ? { reasoning: redact(item.reasoning) } : {}),
    ...(item.argsError !== undefined ? { argsError: redact(item.argsError) } : {}),
  });
  const message = (item: Message): Message => ({
    ...item,
    content: redact(item.content),
    ...(item.toolCalls !== undefined ? { toolCalls: item.toolCalls.map(call) } : {}),
  });
  const transcript = new RedactedTranscript(message);
  return {
    name: backend.name,
    capabilities: backend.capabilities,
    generate(request: ModelRequest, options) {
      return backend.generate({
        ...request,
        systemPrompt: redact(request.systemPrompt),
        messages: transcript.of(request.messages),
      }, options);
    },
  };
}
