/**
 * Full composableLoop runs over recorded multi-turn traffic: the backend
 * replays each recorded response in turn, and the request the loop makes for
 * the next turn must match the recorded next request in the parts that
 * matter (tool calls, ids, tool results, thinking blocks).
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop } from "../../loop/composable_loop.ts";
import { tool } from "../../tools/tool.ts";
import type { LoopEvent } from "../../loop/types.ts";
import { AnthropicBackend } from "../../backends/anthropic/backend.ts";
import { OpenAICompatibleBackend } from "../../backends/openai/backend.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { chatRequestErrors } from "./_openai_schema.ts";
import { fixtureJson, recordedResponse, replayFetch } from "./_replay_fetch.ts";

type Json = Record<string, unknown>;

Deno.test("composableLoop() over the recorded gpt-4o 3-turn stream sends the recorded follow-up requests", async () => {
  const base = "openai/pydantic-ai/complex-agent-run-stream";
  const fetch = replayFetch(
    recordedResponse(`${base}.0`),
    recordedResponse(`${base}.1`),
    recordedResponse(`${base}.2`),
  );
  const llm = new OpenAICompatibleBackend({ model: "gpt-4o", apiKey: "sk-test-key-1234", fetch });
  const Answer = z.object({ label: z.string(), answer: z.string() });
  const tools = [
    tool({
      name: "get_country",
      description: "A recorded tool.",
      input: z.object({}),
      execute: () => "Mexico",
    }),
    tool({
      name: "get_product_name",
      description: "A recorded tool.",
      input: z.object({}),
      execute: () => "Pydantic AI",
    }),
    tool({
      name: "get_weather",
      description: "A recorded tool.",
      input: z.object({ city: z.string() }),
      execute: () => "sunny",
    }),
    tool({
      name: "final_result",
      description: "The final response which ends this conversation",
      input: z.object({ answers: z.array(Answer) }),
      execute: ({ answers }) => answers,
    }),
  ];
  const events: LoopEvent[] = [];
  const run = composableLoop({
    llm,
    tools,
    doneTool: "final_result",
    task: "Tell me: the capital of the country; the weather there; the product name",
    hooks: [{ onEvent: (event) => void events.push(event) }],
  });
  const steps = await Array.fromAsync(run);
  const outcome = await run.outcome;

  assert.equal(outcome.stopReason, "done");
  assert.deepEqual(steps.map((s) => s.call.tool), [
    "get_country",
    "get_product_name",
    "get_weather",
    "final_result",
  ]);
  assert.deepEqual(outcome.usage, { inputTokens: 364 + 423 + 448, outputTokens: 40 + 15 + 62 });
  assert.deepEqual(steps[0]!.usage, { inputTokens: 364, outputTokens: 40 });
  assert.ok(events.some((e) => e.type === "model_delta" && e.delta.type === "tool_call"));

  assert.equal(fetch.requests.length, 3);
  for (const [n, seen] of fetch.requests.entries()) {
    assert.deepEqual(chatRequestErrors(seen.body), [], `request ${n} follows the OpenAPI schema`);
    const recorded = fixtureJson<Json>(`${base}.${n}.request.json`);
    const ours = seen.body.messages as Json[];
    assert.equal(ours[0]!.role, "system");
    assert.deepEqual(ours.slice(1), recorded.messages, `messages of request ${n}`);
    assert.equal(seen.body.stream, true);
    assert.deepEqual(seen.body.stream_options, recorded.stream_options);
  }
});

Deno.test("composableLoop() over recorded Claude parallel tool use sends both tool results back", async () => {
  const base = "anthropic/llm-anthropic/parallel-tool-use";
  const fetch = replayFetch(recordedResponse(`${base}.0`), recordedResponse(`${base}.1`));
  const llm = new AnthropicBackend({
    model: "claude-haiku-4-5-20251001",
    apiKey: "sk-ant-test-1234",
    fetch,
  });
  const names = ["Charles", "Sammy"];
  const pelican = tool({
    name: "pelican_name_generator",
    description: "A recorded tool.",
    input: z.object({}),
    execute: () => names.shift(),
  });
  const run = composableLoop({
    llm,
    tools: [pelican],
    task: "Two names for a pet pelican",
    maxSteps: 3, // two calls, then the recorded final text (no tool call) uses the last step
    hooks: [{ onEvent: () => {} }],
  });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.slice(0, 2).map((s) => s.result.data), ["Charles", "Sammy"]);

  const recorded = fixtureJson<{ messages: { role: string; content: Json[] }[] }>(
    `${base}.1.request.json`,
  );
  const ours = fetch.requests[1]!.body.messages as { role: string; content: Json[] }[];
  assert.deepEqual(ours.map((m) => m.role), recorded.messages.map((m) => m.role));
  const toolUses = (m: { content: Json[] }) => m.content.filter((b) => b.type === "tool_use");
  assert.deepEqual(toolUses(ours[1]!), toolUses(recorded.messages[1]!));
  const strip = ({ cache_control: _c, ...block }: Json) => block;
  assert.deepEqual(ours[2]!.content.map(strip), recorded.messages[2]!.content);
  assert.equal(fetch.requests[1]!.body.stream, true);
});

Deno.test("composableLoop() over recorded Claude thinking + tool use sends the signed thinking block back", async () => {
  const base = "anthropic/llm-anthropic/thinking-tool-chain";
  const fetch = replayFetch(recordedResponse(`${base}.0`), recordedResponse(`${base}.1`));
  const llm = new AnthropicBackend({
    model: "claude-haiku-4-5-20251001",
    apiKey: "sk-ant-test-1234",
    fetch,
    thinkingBudget: 1024,
    maxTokens: 64000,
    cache: false,
  });
  const fixedVersion = tool({
    name: "fixed_version",
    description: "Return a fixed test version string",
    input: z.object({}),
    execute: () => "0.32a0",
  });
  const run = composableLoop({
    llm,
    tools: [fixedVersion],
    task:
      "Use the fixed_version tool. Then tell me the version and make one short joke about it. " +
      "Think about it first.",
    maxSteps: 2,
    hooks: [{ onEvent: () => {} }],
  });
  await Array.fromAsync(run);
  const recorded = fixtureJson<{ messages: unknown[]; thinking: Json }>(`${base}.1.request.json`);
  const ours = fetch.requests[1]!.body;
  assert.deepEqual(ours.messages, recorded.messages);
  assert.equal((ours.thinking as Json).budget_tokens, recorded.thinking.budget_tokens);
});

Deno.test("composableLoop() retries a retryable backend failure and then succeeds", async () => {
  // SYNTHETIC first answer: Anthropic's documented 529 overloaded_error body.
  const overloaded = {
    status: 529,
    headers: { "content-type": "application/json", "retry-after-ms": "1" },
    body: JSON.stringify({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    }),
  };
  const base = "anthropic/llm-anthropic/thinking-tool-chain";
  const fetch = replayFetch(overloaded, recordedResponse(`${base}.0`));
  const llm = new AnthropicBackend({
    model: "claude-haiku-4-5",
    apiKey: "sk-ant-test-1234",
    fetch,
  });
  const events: LoopEvent[] = [];
  const run = composableLoop({
    llm,
    tools: [
      tool({
        name: "fixed_version",
        description: "A recorded tool.",
        input: z.object({}),
        execute: () => "1",
      }),
    ],
    task: "Version?",
    maxSteps: 1,
    hooks: [{ onEvent: (e) => void events.push(e) }],
  });
  const steps = await Array.fromAsync(run);
  assert.equal(steps[0]!.call.tool, "fixed_version");
  const retry = events.find((e) => e.type === "model_retry");
  assert.ok(
    retry && retry.type === "model_retry" && retry.delayMs === 1,
    "waited as retry-after-ms asked",
  );
});

Deno.test("composableLoop() ends with llm_error and the BackendError when retries run out", async () => {
  const quota = recordedResponse("openai-compatible/pydantic-ai/openrouter-error-429.0");
  const fetch = replayFetch(quota, quota);
  const llm = new OpenAICompatibleBackend({ model: "m", baseUrl: "http://127.0.0.1:1/v1", fetch });
  const run = composableLoop({ llm, task: "hi", retry: { attempts: 2, baseDelayMs: 1 } });
  const outcome = await run.complete();
  assert.equal(outcome.stopReason, "llm_error");
  assert.ok(outcome.error instanceof BackendError);
  assert.equal(outcome.error.status, 429);
  assert.equal(fetch.requests.length, 2);
});

Deno.test("composableLoop() cancels an in-flight streamed model call at once", async () => {
  const controller = new AbortController();
  const body = new ReadableStream<Uint8Array>({ start() {} }); // the server never answers
  const fetch = replayFetch({ body, headers: { "content-type": "text/event-stream" } });
  const llm = new OpenAICompatibleBackend({ model: "m", baseUrl: "http://127.0.0.1:1/v1", fetch });
  const run = composableLoop({
    llm,
    task: "hi",
    signal: controller.signal,
    hooks: [{ onEvent: () => {} }],
  });
  setTimeout(() => controller.abort(), 20);
  const started = performance.now();
  const outcome = await run.complete();
  assert.equal(outcome.stopReason, "cancelled");
  assert.ok(performance.now() - started < 1000);
  assert.equal(fetch.requests[0]!.signal?.aborted, true);
});

Deno.test("composableLoop() drives a JSON-in-text model end to end (synthetic replies)", async () => {
  const reply = (content: string) => ({
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    }),
  });
  const fetch = replayFetch(
    reply('{"tool": "greet", "args": {"name": "Bob"}}'),
    reply('{"tool": "done", "args": {"answer": "Greeted Bob"}}'),
  );
  const llm = new OpenAICompatibleBackend({
    model: "m",
    baseUrl: "http://127.0.0.1:1/v1",
    fetch,
    nativeTools: false,
  });
  const greet = tool({
    name: "greet",
    description: "Greet someone.",
    input: z.object({ name: z.string() }),
    execute: ({ name }) => `Hello, ${name}!`,
  });
  const outcome = await composableLoop({ llm, tools: [greet], task: "Greet Bob" }).complete();
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.finalAnswer, "Greeted Bob");
  const second = fetch.requests[1]!.body as { messages: Json[]; tools?: unknown };
  assert.equal(second.tools, undefined);
  assert.match(String(second.messages[0]!.content), /To call a tool, reply with JSON only/);
  assert.deepEqual(second.messages.slice(1).map((m) => m.role), ["user", "assistant", "user"]);
  assert.match(
    String(second.messages[3]!.content),
    /Tool "greet" \(call call_1_1\) returned:\nHello, Bob!/,
  );
  assert.deepEqual(chatRequestErrors(second), []);
});
