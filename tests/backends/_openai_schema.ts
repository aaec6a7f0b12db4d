/**
 * Validates request bodies against the official OpenAI OpenAPI spec
 * (`components.schemas.CreateChatCompletionRequest`) with ajv's 2020 dialect.
 * Dev-only: used from tests, never from library code.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { fixtureJson } from "./_replay_fetch.ts";

let validator: ((body: unknown) => string[]) | undefined;

/** Errors of a Chat Completions request body (empty when it is valid). */
export function chatRequestErrors(body: unknown): string[] {
  if (validator === undefined) {
    const spec = fixtureJson<{ components: unknown }>(
      "openai/openapi/chat-completions-request.json",
    );
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({
      $id: "https://openai.test/chat-completions-request.json",
      components: dropUntypedNullable(spec.components),
    });
    const validate = ajv.compile({
      $ref:
        "https://openai.test/chat-completions-request.json#/components/schemas/CreateChatCompletionRequest",
    });
    validator = (value) =>
      validate(value)
        ? []
        : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  }
  return validator(body);
}

/**
 * The spec keeps some OpenAPI 3.0 `nullable: true` beside a `$ref` with no
 * `type`, which ajv rejects at compile time; drop those annotations.
 */
function dropUntypedNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUntypedNullable);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (key === "nullable" && record.type === undefined) continue;
    out[key] = dropUntypedNullable(child);
  }
  return out;
}
