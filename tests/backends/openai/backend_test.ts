import assert from "node:assert/strict";
import { OpenAICompatibleBackend } from "../../../backends/openai/backend.ts";
import { BackendError } from "../../../backends/backend_error.ts";
import type { Message, ModelDelta, ModelRequest } from "../../../loop/types.ts";
import { chatRequestErrors } from "../_openai_schema.ts";
import {
  fixtureText,
  openAiChunksToSse,
  recordedResponse,
  type ReplayFetch,
  replayFetch,
} from "../_replay_fetch.ts";

const KEY = "sk-test-abcdef0123456789";
const make = (fetch: ReplayFetch, options: Record<string, unknown> = {}) =>
  new OpenAICompatibleBackend({ model: "gpt-4o", apiKey: KEY, fetch, ...options });

const TOOLS = [{
  name: "get_weather",
  description: "Weather in a city.",
  inputSchema: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
}];
const TRANSCRIPT: Message[] = [
  { role: "user", content: "Weather in Paris and Rome?" },
  {
    role: "assistant",
    content: "",
    toolCalls: [
      { id: "call_1", name: "get_weather", args: { city: "Paris" } },
      { id: "call_2", name: "get_weather", args: { city: "Rome" } },
    ],
  },
  { role: "tool", content: "sunny", toolCallId: "call_1", toolName: "get_weather" },
  {
    role: "tool",
    content: "Error: timeout",
    toolCallId: "call_2",
    toolName: "get_weather",
    isError: true,
  },
  { role: "user", content: "Remember: be brief." },
  { role: "assistant", content: "Paris is sunny." },
];
const request = (overrides: Partial<ModelRequest> = {}): ModelRequest => ({
  systemPrompt: "You are terse.",
  messages: TRANSCRIPT,
  tools: TOOLS,
  ...overrides,
});
const sse = (body: string) => ({ body, headers: { "content-type": "text/event-stream" } });
const json = (body: unknown, status = 200) => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});
const chunks = (path: string) => sse(openAiChunksToSse(fixtureText(path)));

// --- Request bodies against the official OpenAPI schema ----------------------

Deno.test("OpenAICompatibleBackend.requestBody() validates against CreateChatCompletionRequest in every mode", () => {
  const variants: [string, OpenAICompatibleBackend, ModelRequest, boolean][] = [
    ["native tools, streamed", make(replayFetch()), request(), true],
    [
      "native tools, not streamed",
      make(replayFetch()),
      request({ maxTokens: 50, temperature: 0.2 }),
      false,
    ],
    ["tool_choice required", make(replayFetch(), { toolChoice: "required" }), request(), true],
    [
      "no tools, no system prompt",
      make(replayFetch()),
      request({ tools: [], systemPrompt: "" }),
      false,
    ],
    [
      "max_tokens field",
      make(replayFetch(), { baseUrl: "http://localhost:11434/v1", maxTokens: 99 }),
      request(),
      true,
    ],
    ["JSON-in-text protocol", make(replayFetch(), { nativeTools: false }), request(), true],
  ];
  for (const [label, backend, req, stream] of variants) {
    const body = backend.requestBody(req, { stream });
    assert.deepEqual(chatRequestErrors(body), [], label);
  }
});

Deno.test("chatRequestErrors() rejects a body that breaks the schema (the check can fail)", () => {
  const body = make(replayFetch()).requestBody(request());
  const broken = structuredClone(body) as { messages: { tool_calls?: { type?: string }[] }[] };
  delete broken.messages[2]!.tool_calls![0]!.type;
  (broken as Record<string, unknown>).temperature = "hot";
  assert.ok(chatRequestErrors(broken).length > 0);
});

Deno.test("OpenAICompatibleBackend sends tool calls, tool results and context in the recorded wire shape", () => {
  const body = make(replayFetch()).requestBody(request());
  assert.deepEqual(body.messages, [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Weather in Paris and Rome?" },
    {
      role: "assistant",
      tool_calls: [
        {
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
        {
          id: "call_2",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Rome"}' },
        },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "sunny" },
    { role: "tool", tool_call_id: "call_2", content: "Error: timeout" },
    { role: "user", content: "Remember: be brief." },
    { role: "assistant", content: "Paris is sunny." },
  ]);
  assert.deepEqual(body.tools, [{
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather in a city.",
      parameters: TOOLS[0]!.inputSchema,
    },
  }]);
  assert.equal(body.max_completion_tokens, undefined);
});

Deno.test("OpenAICompatibleBackend picks max_completion_tokens for OpenAI and max_tokens elsewhere", () => {
  const openai = make(replayFetch()).requestBody(request({ maxTokens: 10 }));
  const local = make(replayFetch(), { baseUrl: "http://localhost:11434/v1/" })
    .requestBody(request({ maxTokens: 10 }));
  assert.equal(openai.max_completion_tokens, 10);
  assert.equal(openai.max_tokens, undefined);
  assert.equal(local.max_tokens, 10);
});

Deno.test("OpenAICompatibleBackend posts to <baseUrl>/chat/completions and asks for usage in streams", async () => {
  const fetch = replayFetch(chunks("openai/vercel-ai/openai-text.chunks.txt"));
  await make(fetch, { baseUrl: "http://127.0.0.1:8000/v1/" }).generate(request(), {
    onDelta: () => {},
  });
  assert.equal(fetch.requests[0]!.url, "http://127.0.0.1:8000/v1/chat/completions");
  assert.deepEqual(fetch.requests[0]!.body.stream_options, { include_usage: true });
});

// --- Real recordings from OpenAI-compatible servers ---------------------------

Deno.test("OpenAICompatibleBackend reads xAI reasoning deltas, one-chunk tool call and cached tokens", async () => {
  const deltas: ModelDelta[] = [];
  const turn = await make(
    replayFetch(chunks("openai-compatible/vercel-ai/xai-tool-call.chunks.txt")),
  )
    .generate(request(), { onDelta: (d) => deltas.push(d) });
  assert.deepEqual(turn.toolCalls, [{
    id: "call_79382389",
    name: "weather",
    args: { location: "San Francisco" },
  }]);
  assert.ok(turn.reasoning?.startsWith("First, the user is asking"));
  assert.ok(deltas.filter((d) => d.type === "reasoning").length > 100);
  assert.deepEqual(turn.usage, { inputTokens: 307, outputTokens: 26, cacheReadTokens: 306 });
});

Deno.test("OpenAICompatibleBackend reassembles DeepSeek arguments streamed one character at a time", async () => {
  const turn = await make(
    replayFetch(chunks("openai-compatible/vercel-ai/deepseek-tool-call.chunks.txt")),
  )
    .generate(request(), { onDelta: () => {} });
  assert.deepEqual(turn.toolCalls?.[0]?.args, { location: "San Francisco" });
  assert.equal(turn.toolCalls?.[0].id, "call_00_ioIn7yN9p1ZOMNpDLwd4MgAF");
  assert.deepEqual(turn.usage, { inputTokens: 339, outputTokens: 83, cacheReadTokens: 320 });
});

Deno.test("OpenAICompatibleBackend keeps the first id when Alibaba repeats an empty one", async () => {
  const turn = await make(
    replayFetch(chunks("openai-compatible/vercel-ai/alibaba-tool-call.chunks.txt")),
  )
    .generate(request(), { onDelta: () => {} });
  assert.equal(turn.toolCalls?.length, 1);
  assert.equal(turn.toolCalls?.[0]?.id, "call_eee11723464a4b9eb8cee71d");
  assert.deepEqual(turn.toolCalls?.[0].args, { location: "San Francisco" });
});

Deno.test("OpenAICompatibleBackend reads Groq's whole call in one chunk", async () => {
  const turn = await make(
    replayFetch(chunks("openai-compatible/vercel-ai/groq-tool-call.chunks.txt")),
  )
    .generate(request(), { onDelta: () => {} });
  assert.deepEqual(turn.toolCalls, [{ id: "tk85n1k4m", name: "weather", args: {} }]);
  assert.deepEqual(turn.usage, { inputTokens: 210, outputTokens: 15 });
});

Deno.test("OpenAICompatibleBackend reads Mistral calls without index and an empty repeated name", async () => {
  const plain = await make(
    replayFetch(chunks("openai-compatible/vercel-ai/mistral-tool-call.chunks.txt")),
  )
    .generate(request(), { onDelta: () => {} });
  assert.deepEqual(plain.toolCalls, [{
    id: "gSIMJiOkT",
    name: "weather",
    args: { location: "San Francisco" },
  }]);
  const incremental = await make(
    replayFetch(chunks("openai-compatible/vercel-ai/mistral-incremental-tool-call.chunks.txt")),
  ).generate(request(), { onDelta: () => {} });
  assert.equal(incremental.toolCalls?.[0]?.name, "webSearchTool");
  assert.deepEqual(incremental.toolCalls?.[0].args, { query: "current Berlin weather" });
});

Deno.test("OpenAICompatibleBackend reads a proxied Claude stream whose tool call starts at index 1", async () => {
  const deltas: ModelDelta[] = [];
  const turn = await make(
    replayFetch(sse(fixtureText("openai-compatible/vercel-ai/anthropic-fallback-tool-call.sse"))),
  )
    .generate(request(), { onDelta: (d) => deltas.push(d) });
  assert.equal(turn.text, "Reading it.");
  assert.deepEqual(turn.toolCalls, [{
    id: "toolu_sanitized",
    name: "read_file",
    args: { path: "a.txt" },
  }]);
  assert.ok(
    deltas.every((d) => d.type !== "tool_call" || d.index === 0),
    "indexes are ours, from 0",
  );
});

Deno.test("OpenAICompatibleBackend skips Azure's leading chunk with empty choices", async () => {
  const turn = await make(replayFetch(chunks("openai/vercel-ai/azure-model-router.1.chunks.txt")))
    .generate(request(), { onDelta: () => {} });
  assert.equal(turn.text, "Capital of Denmark.");
  assert.equal(turn.stopReason, "end");
});

Deno.test("OpenAICompatibleBackend reads recorded non-streamed parallel tool calls", async () => {
  const turn = await make(
    replayFetch(recordedResponse("openai/pydantic-ai/parallel-tools-nonstream.0")),
  )
    .generate(request());
  assert.deepEqual(turn.toolCalls?.map((c) => c.name), ["delete_file", "create_file"]);
  assert.equal(turn.stopReason, "tool_calls");
  assert.ok((turn.usage?.inputTokens ?? 0) > 0);
});

Deno.test("OpenAICompatibleBackend streams a non-streamed reply as deltas when a server ignores stream: true", async () => {
  const deltas: ModelDelta[] = [];
  const turn = await make(
    replayFetch({
      body: fixtureText("openai/vercel-ai/openai-text.json"),
      headers: { "content-type": "application/json" },
    }),
  )
    .generate(request(), { onDelta: (d) => deltas.push(d) });
  assert.ok(turn.text.startsWith("**Holiday Name:** Galaxy Day"));
  assert.deepEqual(deltas, [{ type: "text", text: turn.text }]);
});

// --- Errors -------------------------------------------------------------------

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof BackendError, `expected a BackendError, got ${error}`);
  return error;
}

Deno.test("OpenAICompatibleBackend does not retry OpenAI's real 429 insufficient_quota", async () => {
  const error = await failure(
    make(
      replayFetch({
        status: 429,
        body: fixtureText("openai/vercel-ai/openai-error.1.json"),
        headers: { "content-type": "application/json" },
      }),
    )
      .generate(request()),
  );
  assert.equal(error.status, 429);
  assert.equal(error.retryable, false);
  assert.equal(error.providerType, "insufficient_quota");
  assert.match(error.message, /You exceeded your current quota/);
});

Deno.test("OpenAICompatibleBackend retries a 429 rate_limit_exceeded (synthetic, documented shape)", async () => {
  const body = {
    error: {
      message: "Rate limit reached for gpt-4o. Please try again in 1.146s.",
      type: "tokens",
      param: null,
      code: "rate_limit_exceeded",
    },
  };
  const error = await failure(make(replayFetch(json(body, 429))).generate(request()));
  assert.equal(error.retryable, true);
  assert.equal(error.providerType, "rate_limit_exceeded");
});

Deno.test("OpenAICompatibleBackend reports Groq's real 400 tool_use_failed as final", async () => {
  const error = await failure(
    make(
      replayFetch(
        recordedResponse("openai-compatible/pydantic-ai/groq-error-400-tool-use-failed.0"),
      ),
    )
      .generate(request()),
  );
  assert.equal(error.status, 400);
  assert.equal(error.retryable, false);
  assert.equal(error.providerType, "tool_use_failed");
});

Deno.test("OpenAICompatibleBackend reports a real 400 unsupported_parameter with the server's words", async () => {
  const body = fixtureText("openai/vercel-ai/reasoning-model-legacy-parameter-error.json");
  const error = await failure(
    make(replayFetch({ status: 400, body, headers: { "content-type": "application/json" } }))
      .generate(request()),
  );
  assert.equal(error.providerType, "unsupported_parameter");
  assert.match(error.message, /max_tokens/);
});

Deno.test("OpenAICompatibleBackend turns a 200 with an error body into a BackendError", async () => {
  const body = { error: { code: 502, message: "Upstream provider failed" } };
  const error = await failure(make(replayFetch(json(body))).generate(request()));
  assert.equal(error.status, 502);
  assert.equal(error.retryable, true);
  assert.match(error.message, /Upstream provider failed/);
});

Deno.test("OpenAICompatibleBackend turns an error event in the middle of a stream into a BackendError", async () => {
  const lines = fixtureText("openai/vercel-ai/openai-text.chunks.txt").split("\n").slice(0, 5);
  lines.push(JSON.stringify({ error: { code: 429, message: "Provider returned error" } }));
  const error = await failure(
    make(replayFetch(sse(openAiChunksToSse(lines.join("\n"), false)))).generate(request(), {
      onDelta: () => {},
    }),
  );
  assert.equal(error.status, 429);
  assert.equal(error.retryable, true);
});

Deno.test("OpenAICompatibleBackend reports a reply with empty choices", async () => {
  const error = await failure(
    make(replayFetch(json({ id: "x", choices: [], usage: null }))).generate(request()),
  );
  assert.equal(error.providerType, "empty_choices");
  assert.equal(error.retryable, false);
  const streamed = await failure(
    make(replayFetch(sse(openAiChunksToSse(JSON.stringify({ choices: [] }))))).generate(request(), {
      onDelta: () => {},
    }),
  );
  assert.equal(streamed.providerType, "empty_choices");
});

Deno.test("OpenAICompatibleBackend passes an unknown finish reason through", async () => {
  const body = {
    choices: [{
      index: 0,
      message: { role: "assistant", content: "hi" },
      finish_reason: "eos_token",
    }],
  };
  const turn = await make(replayFetch(json(body))).generate(request());
  assert.equal(turn.stopReason, "eos_token");
  assert.equal(turn.text, "hi");
});

Deno.test("OpenAICompatibleBackend reports a refusal as the text with stop reason refusal", async () => {
  const body = {
    choices: [{
      index: 0,
      message: { role: "assistant", content: null, refusal: "I can't help with that." },
      finish_reason: "stop",
    }],
  };
  const turn = await make(replayFetch(json(body))).generate(request());
  assert.equal(turn.stopReason, "refusal");
  assert.equal(turn.text, "I can't help with that.");
});

Deno.test("OpenAICompatibleBackend reports invalid non-streamed arguments as argsError", async () => {
  const body = {
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "c1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city": "Par' },
        }],
      },
      finish_reason: "tool_calls",
    }],
  };
  const turn = await make(replayFetch(json(body))).generate(request());
  assert.deepEqual(turn.toolCalls, [{
    id: "c1",
    name: "get_weather",
    args: {},
    argsError: '{"city": "Par',
  }]);
});

// --- Construction and environment ----------------------------------------------

Deno.test("OpenAICompatibleBackend.fromEnv() names the missing variable", () => {
  assert.throws(() => OpenAICompatibleBackend.fromEnv({}), /OPENAI_MODEL is not set/);
  assert.throws(
    () => OpenAICompatibleBackend.fromEnv({ OPENAI_MODEL: "gpt-4o" }),
    /OPENAI_API_KEY is not set/,
  );
});

Deno.test("OpenAICompatibleBackend.fromEnv() needs no key for a local server and sends none", async () => {
  const fetch = replayFetch(chunks("openai/vercel-ai/openai-text.chunks.txt"));
  const backend = OpenAICompatibleBackend.fromEnv(
    { OPENAI_BASE_URL: "http://localhost:11434/v1", OPENAI_MODEL: "llama3.2" },
    { fetch },
  );
  await backend.generate(request(), { onDelta: () => {} });
  assert.equal(fetch.requests[0]!.url, "http://localhost:11434/v1/chat/completions");
  assert.equal(fetch.requests[0]!.headers.get("authorization"), null);
  assert.equal(fetch.requests[0]!.body.model, "llama3.2");
});

Deno.test("OpenAICompatibleBackend rejects a bad model, base URL or timeout before any request", () => {
  assert.throws(() => new OpenAICompatibleBackend({ model: "" }), /'model' must be a model name/);
  assert.throws(
    () => new OpenAICompatibleBackend({ model: "m", baseUrl: "localhost:11434" }),
    /'baseUrl' must use http or https|'baseUrl' is not a URL/,
  );
  assert.throws(() => new OpenAICompatibleBackend({ model: "m", timeoutMs: 0 }), RangeError);
});
