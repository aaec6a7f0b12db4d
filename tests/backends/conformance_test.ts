/**
 * Runs the one backend conformance suite against both fetch-based backends,
 * over the real recorded traffic in tests/fixtures.
 */
import { AnthropicBackend } from "../../backends/anthropic/backend.ts";
import { OpenAICompatibleBackend } from "../../backends/openai/backend.ts";
import { backendConformance } from "./_conformance.ts";
import {
  anthropicChunksToSse,
  fixtureText,
  openAiChunksToSse,
  recordedResponse,
} from "./_replay_fetch.ts";

// --- OpenAI-compatible ------------------------------------------------------

const openAiText = fixtureText("openai/vercel-ai/openai-text.chunks.txt");
const openAiTextContent = openAiText.split("\n").filter(Boolean)
  .map((line) => JSON.parse(line).choices[0]?.delta?.content ?? "").join("");

// Built from the real deepseek recording (arguments streamed one character at a
// time): the last argument fragments are dropped and the finish reason set to
// "length", as a reply cut by the token limit looks.
const deepseek = fixtureText("openai-compatible/vercel-ai/deepseek-tool-call.chunks.txt")
  .split("\n").filter(Boolean).map((line) => JSON.parse(line));
const argChunks = deepseek.filter((c) => c.choices[0]?.delta?.tool_calls);
const kept = new Set(argChunks.slice(0, -4));
const cutDeepseek = deepseek
  .filter((c) => !c.choices[0]?.delta?.tool_calls || kept.has(c))
  .map((c) =>
    c.choices[0]?.finish_reason
      ? { ...c, choices: [{ ...c.choices[0], finish_reason: "length" }] }
      : c
  );
const cutRaw = [...kept].map((c) => c.choices[0].delta.tool_calls[0].function.arguments ?? "")
  .join("");

const OPENAI_KEY = "sk-test-0123456789abcdef";

backendConformance({
  name: "OpenAICompatibleBackend",
  apiKey: OPENAI_KEY,
  make: (fetch, options = {}) =>
    new OpenAICompatibleBackend({ model: "gpt-4o", apiKey: OPENAI_KEY, fetch, ...options }),
  keyHeader: { name: "authorization", value: `Bearer ${OPENAI_KEY}` },
  textStream: {
    body: openAiChunksToSse(openAiText),
    text: openAiTextContent,
    inputTokens: 16,
    outputTokens: 300,
  },
  textJson: {
    body: fixtureText("openai/vercel-ai/openai-text.json"),
    textStart: "**Holiday Name:** Galaxy Day",
    inputTokens: JSON.parse(fixtureText("openai/vercel-ai/openai-text.json")).usage.prompt_tokens,
  },
  parallelStream: {
    body: fixtureText("openai/pydantic-ai/complex-agent-run-stream.0.response.sse"),
    calls: [
      { id: "call_q2UyBRP7eXNTzAoR8lEhjc9Z", name: "get_country", args: {} },
      { id: "call_b51ijcpFkDiTQG1bQzsrmtW5", name: "get_product_name", args: {} },
    ],
  },
  invalidArgsStream: {
    body: openAiChunksToSse(cutDeepseek.map((c) => JSON.stringify(c)).join("\n")),
    raw: cutRaw,
    stopReason: "max_tokens",
  },
  badRequest: {
    response: recordedResponse("openai/pydantic-ai/error-400-unsupported-value.0"),
    providerType: "unsupported_value",
  },
  notFound: {
    response: recordedResponse("openai/pydantic-ai/error-404-model-not-found.0"),
    providerType: "model_not_found",
  },
  // Real: OpenRouter's 429, whose error.code is the number 429.
  rateLimited: {
    response: recordedResponse("openai-compatible/pydantic-ai/openrouter-error-429.0"),
    providerType: "429",
  },
  // SYNTHETIC: OpenAI 500 in the shape the fixtures README documents (no real recording).
  serverError: {
    response: {
      status: 500,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        error: {
          message: "The server had an error while processing your request. Sorry about that!",
          type: "server_error",
          param: null,
          code: null,
        },
      }),
    },
    providerType: "server_error",
  },
});

// --- Anthropic --------------------------------------------------------------

const anthropicText = JSON.parse(fixtureText("anthropic/vercel-ai/anthropic-text.json"));
const partial = fixtureText(
  "anthropic/anthropic-sdk-typescript/incomplete_partial_json_response.txt",
);
const partialRaw = partial.split("\n").filter((line) => line.startsWith("data:"))
  .map((line) => JSON.parse(line.slice(5)))
  .filter((event) => event.delta?.type === "input_json_delta")
  .map((event) => event.delta.partial_json).join("");

const ANTHROPIC_KEY = "sk-ant-test-0123456789abcdef";
const anthropicError = (status: number, type: string, message: string) => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ type: "error", error: { type, message }, request_id: "req_synthetic" }),
});

backendConformance({
  name: "AnthropicBackend",
  apiKey: ANTHROPIC_KEY,
  make: (fetch, options = {}) =>
    new AnthropicBackend({ model: "claude-haiku-4-5", apiKey: ANTHROPIC_KEY, fetch, ...options }),
  keyHeader: { name: "x-api-key", value: ANTHROPIC_KEY },
  textStream: {
    body: anthropicChunksToSse(fixtureText("anthropic/vercel-ai/anthropic-text.chunks.txt")),
    text: "Hello! I'm doing well, thank you for asking. How are you doing today? " +
      "Is there anything I can help you with?",
    inputTokens: 12,
    outputTokens: 30,
  },
  textJson: {
    body: JSON.stringify(anthropicText),
    textStart: anthropicText.content[0].text,
    inputTokens: 12,
  },
  parallelStream: {
    body: fixtureText("anthropic/llm-anthropic/parallel-tool-use.0.response.sse"),
    calls: [
      { id: "toolu_01LtHJmixrs9NcWQkK8hu8hj", name: "pelican_name_generator", args: {} },
      { id: "toolu_01N8a4jWyf116qKTMqKKmjyt", name: "pelican_name_generator", args: {} },
    ],
  },
  invalidArgsStream: { body: partial, raw: partialRaw, stopReason: "max_tokens" },
  badRequest: {
    response: recordedResponse("anthropic/pydantic-ai/error-400-invalid-request.0"),
    providerType: "invalid_request_error",
  },
  notFound: {
    response: recordedResponse("anthropic/pydantic-ai/error-404-not-found.0"),
    providerType: "not_found_error",
  },
  // SYNTHETIC: documented shape of Anthropic's 429 (no real recording).
  rateLimited: {
    response: anthropicError(
      429,
      "rate_limit_error",
      "Number of requests has exceeded your rate limit",
    ),
    providerType: "rate_limit_error",
  },
  // SYNTHETIC: documented shape of Anthropic's 529 overloaded_error (no real recording).
  serverError: {
    response: anthropicError(529, "overloaded_error", "Overloaded"),
    providerType: "overloaded_error",
  },
});
