// Replies a provider (or a proxy in front of it) may send that must not leak
// the key, hide what happened, or exhaust memory.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { AnthropicBackend } from "../../backends/anthropic/backend.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { OpenAICompatibleBackend } from "../../backends/openai/backend.ts";
import type { ModelRequest } from "../../loop/types.ts";
import { type CannedResponse, replayFetch } from "./_replay_fetch.ts";

const KEY = "sk-test-abcdef0123456789";
const request: ModelRequest = {
  systemPrompt: "",
  messages: [{ role: "user", content: "hi" }],
  tools: [],
};
const openai = (response: CannedResponse, options: Record<string, unknown> = {}) =>
  new OpenAICompatibleBackend({
    model: "gpt-4o",
    apiKey: KEY,
    fetch: replayFetch(response),
    ...options,
  });
const anthropic = (response: CannedResponse, options: Record<string, unknown> = {}) =>
  new AnthropicBackend({
    model: "claude-sonnet-4-5",
    apiKey: KEY,
    fetch: replayFetch(response),
    ...options,
  });

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BackendError, `expected a BackendError, got ${error}`);
    return error;
  }
  throw new assert.AssertionError({ message: "expected the call to fail" });
}

/** Everything `console.log(error)` would print: message, own fields and the cause chain. */
function printed(error: unknown): string {
  return inspect(error, { depth: Infinity });
}

Deno.test("BackendError keeps the key out of its cause when a 200 JSON body is an error echoing it", async () => {
  const body = { error: { code: 401, message: `bad key ${KEY}`, echo: { authorization: KEY } } };
  const error = await failure(
    openai({ body: JSON.stringify(body), headers: { "content-type": "application/json" } })
      .generate(request),
  );
  assert.match(error.message, /bad key \[redacted\]/);
  assert.ok(!printed(error).includes(KEY), printed(error));
  assert.match(printed(error), /\[redacted\]/);
});

Deno.test("BackendError keeps the key out of its cause for a stream error event (both backends)", async () => {
  const event = { error: { code: 500, message: `upstream saw ${KEY}` } };
  const fromOpenAi = await failure(
    openai({
      body: `data: ${JSON.stringify(event)}\n\n`,
      headers: { "content-type": "text/event-stream" },
    }).generate(request, { onDelta: () => {} }),
  );
  assert.ok(!printed(fromOpenAi).includes(KEY), printed(fromOpenAi));
  const anthropicEvent = {
    type: "error",
    error: { type: "api_error", message: `upstream saw ${KEY}`, key: KEY },
  };
  const fromAnthropic = await failure(
    anthropic({
      body: `event: error\ndata: ${JSON.stringify(anthropicEvent)}\n\n`,
      headers: { "content-type": "text/event-stream" },
    }).generate(request, { onDelta: () => {} }),
  );
  assert.equal(fromAnthropic.providerType, "api_error");
  assert.ok(!printed(fromAnthropic).includes(KEY), printed(fromAnthropic));
});

Deno.test("BackendError redacts a stream event that is not JSON in its message and cause", async () => {
  const error = await failure(
    openai({
      body: `data: {"oops": "${KEY}"\n\n`,
      headers: { "content-type": "text/event-stream" },
    }).generate(request, { onDelta: () => {} }),
  );
  assert.equal(error.providerType, "invalid_stream");
  assert.ok(!printed(error).includes(KEY), printed(error));
});

Deno.test("an HTML page answered with status 200 in stream mode is reported as HTML, not as a cut stream", async () => {
  const page = {
    body: "<!doctype html><html><head><title>Sign in</title></head><body>login</body></html>",
    headers: { "content-type": "text/html; charset=utf-8" },
  };
  for (const make of [openai, anthropic]) {
    const error = await failure(make(page).generate(request, { onDelta: () => {} }));
    assert.match(error.message, /HTML page instead of JSON \(title "Sign in"\)/);
    assert.doesNotMatch(error.message, /stream ended/);
  }
});

Deno.test("a reply or a streamed event longer than maxReplyLength fails naming the option", async () => {
  const long = JSON.stringify({ choices: [{ message: { content: "x".repeat(5000) } }] });
  const body = await failure(
    openai({ body: long, headers: { "content-type": "application/json" } }, {
      maxReplyLength: 1000,
    }).generate(request),
  );
  assert.equal(body.providerType, "reply_too_large");
  assert.match(body.message, /longer than 1000 characters; raise 'maxReplyLength'/);
  const event = await failure(
    anthropic({
      body: `data: ${"y".repeat(5000)}\n\n`,
      headers: { "content-type": "text/event-stream" },
    }, { maxReplyLength: 1000 }).generate(request, { onDelta: () => {} }),
  );
  assert.equal(event.providerType, "reply_too_large");
  assert.match(event.message, /an event is longer than 1000 characters; raise 'maxReplyLength'/);
});
