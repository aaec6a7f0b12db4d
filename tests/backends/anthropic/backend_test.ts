import assert from "node:assert/strict";
import { AnthropicBackend } from "../../../backends/anthropic/backend.ts";
import { BackendError } from "../../../backends/backend_error.ts";
import type { Message, ModelDelta, ModelRequest } from "../../../loop/types.ts";
import {
  anthropicChunksToSse,
  fixtureJson,
  fixtureText,
  type ReplayFetch,
  replayFetch,
} from "../_replay_fetch.ts";

const KEY = "sk-ant-test-abcdef0123456789";
const make = (fetch: ReplayFetch, options: Record<string, unknown> = {}) =>
  new AnthropicBackend({ model: "claude-haiku-4-5", apiKey: KEY, fetch, ...options });
const sse = (body: string) => ({ body, headers: { "content-type": "text/event-stream" } });
const chunks = (name: string) =>
  sse(anthropicChunksToSse(fixtureText(`anthropic/vercel-ai/${name}.chunks.txt`)));
const REQUEST: ModelRequest = {
  systemPrompt: "Be brief.",
  messages: [{ role: "user", content: "Hi" }],
  tools: [],
};

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof BackendError, `expected a BackendError, got ${error}`);
  return error;
}

// --- Requests -----------------------------------------------------------------

Deno.test("AnthropicBackend sends parallel tool results in one user turn, as recorded by the SDK's tool runner", () => {
  // ToolRunner.json call #3 is the follow-up to a reply with two parallel tool_use blocks.
  const recorded = fixtureJson<{ body: { messages: unknown[] } }[]>(
    "anthropic/anthropic-sdk-typescript/ToolRunner.json",
  )[3]!.body;
  const assistant = (recorded.messages[1] as { content: Record<string, unknown>[] }).content;
  const results = (recorded.messages[2] as { content: Record<string, unknown>[] }).content;
  const messages: Message[] = [
    { role: "user", content: (recorded.messages[0] as { content: string }).content },
    {
      role: "assistant",
      content: assistant.filter((b) => b.type === "text").map((b) => b.text).join(""),
      toolCalls: assistant.filter((b) => b.type === "tool_use").map((b) => ({
        id: b.id as string,
        name: b.name as string,
        args: b.input as Record<string, unknown>,
      })),
    },
    ...results.map((r): Message => ({
      role: "tool",
      content: r.content as string,
      toolCallId: r.tool_use_id as string,
      toolName: "test_tool",
    })),
  ];
  const body = make(replayFetch(), { cache: false }).requestBody({ ...REQUEST, messages });
  const sent = body.messages as { role: string; content: unknown }[];
  assert.equal(sent.length, 3);
  assert.deepEqual(sent[1], recorded.messages[1]);
  assert.deepEqual(sent[2], recorded.messages[2]);
});

Deno.test("AnthropicBackend puts cache breakpoints on the tools, the system prompt and the transcript end", () => {
  const body = make(replayFetch()).requestBody({
    systemPrompt: "Be brief.",
    messages: [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: "", toolCalls: [{ id: "t1", name: "weather", args: {} }] },
      { role: "tool", content: "sunny", toolCallId: "t1", toolName: "weather" },
      { role: "user", content: "Injected note" },
    ],
    tools: [
      { name: "a", description: "A", inputSchema: { type: "object" } },
      { name: "weather", description: "W", inputSchema: { type: "object" } },
    ],
  });
  const marked = JSON.stringify(body).match(/cache_control/g)?.length;
  assert.equal(marked, 3);
  const tools = body.tools as Record<string, unknown>[];
  assert.equal(tools[0]!.cache_control, undefined);
  assert.deepEqual(tools[1]!.cache_control, { type: "ephemeral" });
  assert.deepEqual((body.system as Record<string, unknown>[])[0]!.cache_control, {
    type: "ephemeral",
  });
  const last = (body.messages as { role: string; content: Record<string, unknown>[] }[]).at(-1)!;
  assert.equal(last.role, "user");
  assert.deepEqual(last.content.map((b) => b.type), ["tool_result", "text"]);
  assert.deepEqual(last.content[1]!.cache_control, { type: "ephemeral" });
  assert.equal(
    JSON.stringify(make(replayFetch(), { cache: false }).requestBody(REQUEST)).includes(
      "cache_control",
    ),
    false,
  );
  assert.deepEqual(
    (make(replayFetch(), { cache: "1h" }).requestBody(REQUEST).system as Record<string, unknown>[])[
      0
    ]!.cache_control,
    { type: "ephemeral", ttl: "1h" },
  );
});

Deno.test("AnthropicBackend sends thinking when configured and drops temperature with it", () => {
  const body = make(replayFetch(), { thinkingBudget: 1024, maxTokens: 4096 })
    .requestBody({ ...REQUEST, temperature: 0.3 });
  assert.deepEqual(body.thinking, { type: "enabled", budget_tokens: 1024 });
  assert.equal(body.temperature, undefined);
  assert.equal(body.max_tokens, 4096);
  assert.throws(
    () => make(replayFetch(), { thinkingBudget: 9000, maxTokens: 8192 }),
    /'thinkingBudget' \(9000\) must be below 'maxTokens' \(8192\)/,
  );
});

Deno.test("AnthropicBackend posts to /v1/messages with the version header", async () => {
  const fetch = replayFetch(chunks("anthropic-text"));
  await make(fetch, { baseUrl: "https://proxy.example/v1/" }).generate(REQUEST, {
    onDelta: () => {},
  });
  assert.equal(fetch.requests[0]!.url, "https://proxy.example/v1/messages");
  assert.equal(fetch.requests[0]!.headers.get("anthropic-version"), "2023-06-01");
});

// --- Streams from real recordings ----------------------------------------------

Deno.test("AnthropicBackend carries a signed thinking block in providerData and streams reasoning deltas", async () => {
  const deltas: ModelDelta[] = [];
  const turn = await make(replayFetch(chunks("anthropic-clear-thinking.1")))
    .generate(REQUEST, { onDelta: (d) => deltas.push(d) });
  const blocks = (turn.providerData?.anthropic as { blocks: Record<string, unknown>[] }).blocks;
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.type, "thinking");
  assert.ok(
    String(blocks[0]!.signature).startsWith(
      "EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKY",
    ),
  );
  assert.equal(turn.reasoning, blocks[0]!.thinking);
  assert.equal(
    deltas.filter((d) => d.type === "reasoning").map((d) => (d as { text: string }).text).join(""),
    turn.reasoning,
  );
  assert.equal(turn.text, "925 ÷ 5 = 185");
});

Deno.test("AnthropicBackend merges usage from message_start and message_delta", async () => {
  const turn = await make(replayFetch(chunks("anthropic-message-delta-input-tokens")))
    .generate(REQUEST, { onDelta: () => {} });
  assert.deepEqual(turn.usage, { inputTokens: 61, outputTokens: 2 });
});

Deno.test("AnthropicBackend counts cache reads and writes into input tokens", async () => {
  const body = {
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    usage: {
      input_tokens: 10,
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 300,
      output_tokens: 5,
    },
  };
  const turn = await make(
    replayFetch({ body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  )
    .generate(REQUEST);
  assert.deepEqual(turn.usage, {
    inputTokens: 2310,
    outputTokens: 5,
    cacheReadTokens: 2000,
    cacheWriteTokens: 300,
  });
});

Deno.test("AnthropicBackend survives a duplicated message_start", async () => {
  const turn = await make(replayFetch(chunks("duplicate-message-start"))).generate(REQUEST, {
    onDelta: () => {},
  });
  assert.equal(turn.text, "Hello, World!");
  assert.equal(turn.stopReason, "end");
});

Deno.test("AnthropicBackend keeps only the second message when one is spliced in mid-stream", async () => {
  const turn = await make(replayFetch(chunks("spliced-message-start"))).generate(REQUEST, {
    onDelta: () => {},
  });
  assert.deepEqual(turn.toolCalls, [{
    id: "toolu_second",
    name: "test-tool",
    args: { value: "Sparkle Day" },
  }]);
  const blocks = (turn.providerData?.anthropic as { blocks: Record<string, unknown>[] }).blocks;
  assert.deepEqual(blocks.map((b) => b.signature), ["sig-second"]);
});

Deno.test("AnthropicBackend reports a refusal with no content", async () => {
  const turn = await make(replayFetch(chunks("anthropic-refusal"))).generate(REQUEST, {
    onDelta: () => {},
  });
  assert.equal(turn.stopReason, "refusal");
  assert.equal(turn.text, "");
  assert.equal(turn.toolCalls, undefined);
});

Deno.test("AnthropicBackend reads a tool_use with no arguments and ping events", async () => {
  const turn = await make(replayFetch(chunks("anthropic-tool-no-args"))).generate(REQUEST, {
    onDelta: () => {},
  });
  assert.deepEqual(turn.toolCalls, [{
    id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP",
    name: "updateIssueList",
    args: {},
  }]);
  assert.equal(turn.text, "I'll update the issue list for you.");
});

Deno.test("AnthropicBackend carries server tool blocks back with their streamed input", async () => {
  const turn = await make(
    replayFetch(
      sse(
        fixtureText("anthropic/anthropic-sdk-typescript/fable-fallback/stream-a-toolrefusal.sse"),
      ),
    ),
  )
    .generate(REQUEST, { onDelta: () => {} });
  const blocks = (turn.providerData?.anthropic as { blocks: Record<string, unknown>[] }).blocks;
  assert.equal(blocks[0]!.type, "server_tool_use");
  assert.deepEqual(blocks[0]!.input, { query: "solar eclipse viewing safety news 2026" });
  assert.equal(blocks[1]!.type, "web_search_tool_result");
  assert.equal(turn.toolCalls, undefined, "server tools are not ours to run");
  // They are sent back before the text on the next request.
  const body = make(replayFetch()).requestBody({
    ...REQUEST,
    messages: [...REQUEST.messages, {
      role: "assistant",
      content: turn.text,
      providerData: turn.providerData,
    }],
  });
  const assistant = (body.messages as { content: Record<string, unknown>[] }[])[1]!.content;
  assert.deepEqual(assistant.map((b) => b.type), [
    "server_tool_use",
    "web_search_tool_result",
    "text",
  ]);
});

// --- Errors -------------------------------------------------------------------

const midStream = (type: string) =>
  sse(
    anthropicChunksToSse(
      fixtureText("anthropic/vercel-ai/anthropic-text.chunks.txt").split("\n").slice(0, 4).join(
        "\n",
      ),
    ) +
      `event: error\ndata: {"type":"error","error":{"type":"${type}","message":"Overloaded"}}\n\n`,
  );

Deno.test("AnthropicBackend maps a mid-stream overloaded_error (synthetic, documented shape) to a retryable 529", async () => {
  const error = await failure(
    make(replayFetch(midStream("overloaded_error"))).generate(REQUEST, { onDelta: () => {} }),
  );
  assert.equal(error.retryable, true);
  assert.equal(error.status, 529);
  assert.equal(error.providerType, "overloaded_error");
  assert.match(error.message, /the stream reported an error \(overloaded_error\): Overloaded/);
});

Deno.test("AnthropicBackend maps a mid-stream invalid_request_error (synthetic) to a final error", async () => {
  const error = await failure(
    make(replayFetch(midStream("invalid_request_error"))).generate(REQUEST, { onDelta: () => {} }),
  );
  assert.equal(error.retryable, false);
  assert.equal(error.status, 400);
});

Deno.test("AnthropicBackend treats a 401 authentication_error as final", async () => {
  const error401 = await failure(
    make(
      replayFetch({
        status: 401,
        body: JSON.stringify({
          type: "error",
          error: { type: "authentication_error", message: "invalid x-api-key" },
        }),
        headers: { "content-type": "application/json" },
      }),
    )
      .generate(REQUEST),
  );
  assert.equal(error401.retryable, false);
  assert.equal(error401.providerType, "authentication_error");
});

// --- Construction and environment ----------------------------------------------

Deno.test("AnthropicBackend.fromEnv() needs ANTHROPIC_API_KEY and reads the model and base URL", () => {
  assert.throws(() => AnthropicBackend.fromEnv({}), /ANTHROPIC_API_KEY is not set/);
  const backend = AnthropicBackend.fromEnv({
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_MODEL: "claude-opus-4-1",
    ANTHROPIC_BASE_URL: "https://gateway.example",
  });
  assert.equal(backend.model, "claude-opus-4-1");
  assert.equal(backend.baseUrl, "https://gateway.example");
  assert.equal(AnthropicBackend.fromEnv({ ANTHROPIC_API_KEY: KEY }).model, "claude-sonnet-4-5");
});

Deno.test("AnthropicBackend rejects a missing key before any request, without echoing input", () => {
  assert.throws(() => new AnthropicBackend({ model: "m", apiKey: "" }), /'apiKey' is missing/);
  assert.throws(
    () => new AnthropicBackend({ model: "", apiKey: KEY }),
    /'model' must be a model name/,
  );
});

Deno.test("AnthropicBackend keeps the input of a tool_use block that arrives whole in the stream", async () => {
  const events = [
    { type: "message_start", message: { id: "m1", usage: { input_tokens: 5, output_tokens: 1 } } },
    {
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: "t1", name: "greet", input: { name: "Bob" } },
    },
    { type: "content_block_stop", index: 0 },
    { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } },
    { type: "message_stop" },
  ].map((e) => JSON.stringify(e)).join("\n");
  const turn = await make(replayFetch(sse(anthropicChunksToSse(events)))).generate(REQUEST, {
    onDelta: () => {},
  });
  assert.deepEqual(turn.toolCalls, [{ id: "t1", name: "greet", args: { name: "Bob" } }]);
});
