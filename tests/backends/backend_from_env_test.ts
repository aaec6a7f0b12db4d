import assert from "node:assert/strict";
import { backendFromEnv } from "../../backends/backend_from_env.ts";
import { AnthropicBackend } from "../../backends/anthropic/backend.ts";
import { OpenAICompatibleBackend } from "../../backends/openai/backend.ts";

Deno.test("backendFromEnv() returns undefined when nothing is set", () => {
  assert.equal(backendFromEnv({}), undefined);
  assert.equal(backendFromEnv({ OPENAI_MODEL: "  " }), undefined);
});

Deno.test("backendFromEnv() picks OpenAI-compatible for Ollama settings, even with an Anthropic key", () => {
  const llm = backendFromEnv({
    OPENAI_BASE_URL: "http://localhost:11434/v1",
    OPENAI_MODEL: "llama3.2",
    ANTHROPIC_API_KEY: "sk-ant-xyz-123",
  });
  assert.ok(llm instanceof OpenAICompatibleBackend);
  assert.equal(llm.model, "llama3.2");
  assert.equal(llm.baseUrl, "http://localhost:11434/v1");
});

Deno.test("backendFromEnv() picks Anthropic when only ANTHROPIC_API_KEY is set", () => {
  const llm = backendFromEnv({
    ANTHROPIC_API_KEY: "sk-ant-xyz-123",
    ANTHROPIC_MODEL: "claude-haiku-4-5",
  });
  assert.ok(llm instanceof AnthropicBackend);
  assert.equal(llm.model, "claude-haiku-4-5");
});

Deno.test("backendFromEnv() names the missing variable and never echoes a key", () => {
  const secret = "sk-proj-very-secret-1234";
  assert.throws(
    () => backendFromEnv({ OPENAI_BASE_URL: "http://localhost:11434/v1" }),
    /OPENAI_MODEL is not set/,
  );
  assert.throws(() => backendFromEnv({ OPENAI_API_KEY: secret }), (error: Error) => {
    assert.match(error.message, /OPENAI_MODEL is not/);
    assert.ok(!error.message.includes(secret));
    return true;
  });
  assert.throws(() => backendFromEnv({ OPENAI_MODEL: "gpt-4o" }), /OPENAI_API_KEY is not set/);
  assert.throws(
    () => backendFromEnv({ ANTHROPIC_MODEL: "claude-haiku-4-5" }),
    /ANTHROPIC_API_KEY is not set/,
  );
});
