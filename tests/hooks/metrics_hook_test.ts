import assert from "node:assert/strict";
import { BackendError, composableLoop, ScriptedBackend } from "../../mod.ts";
import { metricsHook } from "../../hooks/mod.ts";
import { boom, greet } from "../loop/_tools.ts";

const call = ScriptedBackend.call;

Deno.test("metricsHook() counts steps, errors by kind, tools, model calls, retries and tokens", async () => {
  const metrics = metricsHook();
  await composableLoop({
    llm: new ScriptedBackend([
      {
        toolCalls: [{ name: "greet", args: { name: "A" } }],
        usage: { inputTokens: 10, outputTokens: 2 },
      },
      new BackendError("overloaded", { status: 529, retryable: true, retryAfterMs: 0 }),
      {
        toolCalls: [{ name: "boom", args: {} }, { name: "nope", args: {} }],
        usage: { inputTokens: 20, outputTokens: 3 },
      },
      call("greet", { name: 5 }),
      call("done", { answer: "x" }),
    ]),
    tools: [greet, boom],
    task: "x",
    hooks: [metrics],
  }).complete();
  const snapshot = metrics.snapshot();
  assert.equal(snapshot.steps, 5);
  assert.equal(snapshot.errors, 3);
  assert.deepEqual(snapshot.errorsByKind, { execution: 1, unknown_tool: 1, validation: 1 });
  assert.deepEqual(snapshot.toolCalls, { greet: 2, boom: 1, nope: 1, done: 1 });
  assert.equal(snapshot.llmCalls, 5);
  assert.equal(snapshot.llmErrors, 1);
  assert.equal(snapshot.llmRetries, 1);
  assert.equal(snapshot.inputTokens, 30);
  assert.equal(snapshot.outputTokens, 5);
  assert.equal(snapshot.llmLatencyMs.count, 5);
  assert.ok(snapshot.llmLatencyMs.p50 <= snapshot.llmLatencyMs.p99);
  assert.ok(snapshot.llmLatencyMs.p99 <= snapshot.llmLatencyMs.max);
  metrics.reset();
  assert.equal(metrics.snapshot().steps, 0);
});

Deno.test("metricsHook() latency percentiles stay right with a bounded sample", () => {
  const metrics = metricsHook();
  for (let i = 1; i <= 10_000; i++) {
    metrics.onEvent!({ type: "model_call_end", turn: i, durationMs: i % 100 });
  }
  const { llmLatencyMs } = metrics.snapshot();
  assert.equal(llmLatencyMs.count, 10_000);
  assert.equal(llmLatencyMs.max, 99);
  assert.ok(Math.abs(llmLatencyMs.p50 - 50) <= 6, `p50 ${llmLatencyMs.p50}`);
  assert.ok(Math.abs(llmLatencyMs.p90 - 90) <= 6, `p90 ${llmLatencyMs.p90}`);
});
