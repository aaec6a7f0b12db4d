import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, type LoopEvent, ScriptedBackend, tool, ToolRegistry } from "../../mod.ts";
import { add, greet } from "./_tools.ts";

const call = ScriptedBackend.call;

Deno.test("composableLoop() greets twice, finishes with done, and exposes the outcome", async () => {
  const llm = new ScriptedBackend([
    call("greet", { name: "Alice" }),
    call("greet", { name: "Bob" }),
    call("done", { answer: "Greeted both" }),
  ]);
  const run = composableLoop({ llm, tools: [greet], task: "Greet Alice and Bob" });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.map((step) => step.pretty().replace(/ \[\d+ms\]$/, "")), [
    "#1 ✓ greet(name=Alice) → greeting: Hello, Alice!",
    "#2 ✓ greet(name=Bob) → greeting: Hello, Bob!",
    "#3 ✓ done(answer=Greeted both) → Greeted both",
  ]);
  assert.ok(steps.every((step) => Object.isFrozen(step)));
  const outcome = await run.outcome;
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.finalAnswer, "Greeted both");
  assert.equal(outcome.steps, 3);
  assert.equal(outcome.modelCalls, 3);
  assert.equal(llm.calls, 3);
});

Deno.test("composableLoop() sends a string task as the first user message", async () => {
  const llm = new ScriptedBackend([call("done", { answer: "ok" })], { recordRequests: true });
  await composableLoop({ llm, task: "Say hi", systemPrompt: "Be brief" }).complete();
  assert.deepEqual(llm.requests[0]!.messages, [{ role: "user", content: "Say hi" }]);
  assert.equal(llm.requests[0]!.systemPrompt, "Be brief");
  assert.deepEqual(llm.requests[0]!.tools.map((schema) => schema.name), ["done"]);
});

Deno.test("composableLoop() renders an object task as key: value lines", async () => {
  const llm = new ScriptedBackend([call("done", { answer: "ok" })], { recordRequests: true });
  await composableLoop({ llm, task: { goal: "Audit", files: ["a.ts", "b.ts"], depth: 2 } })
    .complete();
  assert.equal(
    llm.requests[0]!.messages[0]!.content,
    'goal: Audit\nfiles: ["a.ts","b.ts"]\ndepth: 2',
  );
  assert.deepEqual(
    (await composableLoop({
      llm: new ScriptedBackend([call("done", { answer: "x" })]),
      task: { goal: "y" },
    }).complete()).state.task,
    { goal: "y" },
  );
});

Deno.test("composableLoop() records the transcript the model sees, with tool results", async () => {
  const llm = new ScriptedBackend([call("add", { a: 1, b: 2 }), call("done", { answer: "3" })], {
    recordRequests: true,
  });
  await composableLoop({ llm, tools: [add], task: "Add" }).complete();
  const second = llm.requests[1]!.messages;
  assert.equal(second.length, 3);
  assert.deepEqual(second[1]!.toolCalls?.map((c) => [c.name, c.args]), [["add", { a: 1, b: 2 }]]);
  assert.deepEqual(second[2], {
    role: "tool",
    content: '{"sum":3}',
    toolCallId: second[1]!.toolCalls?.[0]?.id,
    toolName: "add",
  });
});

Deno.test("composableLoop() sends tool JSON schemas from Zod, without $schema", async () => {
  const llm = new ScriptedBackend([call("done", { answer: "ok" })], { recordRequests: true });
  await composableLoop({ llm, tools: [add], task: "x" }).complete();
  const schema = llm.requests[0]!.tools.find((t) => t.name === "add")!;
  assert.equal(schema.description, "Add two numbers.");
  assert.deepEqual(schema.inputSchema, {
    type: "object",
    properties: { a: { type: "number" }, b: { type: "number" } },
    required: ["a", "b"],
  });
});

Deno.test("composableLoop() accepts a ToolRegistry and passes ctx to tools", async () => {
  const seen: unknown[] = [];
  const probe = tool({
    name: "probe",
    description: "Report its context.",
    input: z.object({}),
    execute: (_args, ctx) => {
      seen.push([
        ctx.step,
        ctx.turn,
        ctx.call.name,
        ctx.metadata.user,
        ctx.llm.name,
        ctx.signal.aborted,
      ]);
      ctx.metadata.touched = true;
      return "ok";
    },
  });
  const llm = new ScriptedBackend([call("probe"), call("done", { answer: "ok" })]);
  const run = composableLoop({
    llm,
    tools: new ToolRegistry([probe]),
    task: "x",
    metadata: { user: "u1" },
  });
  const outcome = await run.complete();
  assert.deepEqual(seen, [[1, 1, "probe", "u1", "scripted", false]]);
  assert.equal(outcome.state.metadata.touched, true);
});

Deno.test("composableLoop() runs several calls of one turn as consecutive steps", async () => {
  const llm = new ScriptedBackend([
    { toolCalls: [{ name: "greet", args: { name: "A" } }, { name: "add", args: { a: 1, b: 1 } }] },
    call("done", { answer: "ok" }),
  ]);
  const steps = await Array.fromAsync(composableLoop({ llm, tools: [greet, add], task: "x" }));
  assert.deepEqual(steps.map((s) => [s.number, s.turn, s.call.tool]), [[1, 1, "greet"], [
    2,
    1,
    "add",
  ], [3, 2, "done"]]);
});

Deno.test("composableLoop() parses JSON-in-text replies and sends the text protocol", async () => {
  const llm = new ScriptedBackend([
    'Let me greet.\n```json\n{"tool": "greet", "args": {"name": "Zoe"}}\n```',
    '{"tool": "done", "args": {"answer": "hi Zoe"}}',
  ], { recordRequests: true, nativeTools: false });
  const run = composableLoop({ llm, tools: [greet], task: "Greet Zoe", systemPrompt: "S" });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.map((s) => s.call.tool), ["greet", "done"]);
  assert.equal((await run.outcome).finalAnswer, "hi Zoe");
  const system = llm.requests[0]!.systemPrompt;
  assert.ok(system.startsWith("S\n\nTOOLS\n- greet: Greet someone by name."), system);
  assert.match(system, /\{"tool": "<tool_name>", "args": \{\.\.\.all required arguments\.\.\.\}/);
  assert.equal(
    llm.requests[1]!.messages[1]!.content,
    'Let me greet.\n```json\n{"tool": "greet", "args": {"name": "Zoe"}}\n```',
  );
});

Deno.test("composableLoop() sums usage and puts each turn's usage on its first step", async () => {
  const usage = { inputTokens: 10, outputTokens: 4, cacheReadTokens: 2 };
  const llm = new ScriptedBackend([
    {
      toolCalls: [{ name: "add", args: { a: 1, b: 2 } }, { name: "add", args: { a: 3, b: 4 } }],
      usage,
    },
    {
      toolCalls: [{ name: "done", args: { answer: "x" } }],
      usage: { inputTokens: 20, outputTokens: 1 },
    },
  ]);
  const run = composableLoop({ llm, tools: [add], task: "x" });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.map((s) => s.usage.inputTokens), [10, 0, 20]);
  assert.deepEqual((await run.outcome).usage, {
    inputTokens: 30,
    outputTokens: 5,
    cacheReadTokens: 2,
  });
});

Deno.test("composableLoop() emits events in order, including model deltas", async () => {
  const events: LoopEvent["type"][] = [];
  const llm = new ScriptedBackend([call("greet", { name: "A" }), {
    text: "fin",
    toolCalls: [{ name: "done", args: { answer: "a" } }],
  }]);
  await composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [{ onEvent: (event) => void events.push(event.type) }],
  }).complete();
  assert.deepEqual(events, [
    "loop_start",
    "turn_start",
    "model_call_start",
    "model_delta",
    "model_call_end",
    "tool_start",
    "step",
    "turn_start",
    "model_call_start",
    "model_delta",
    "model_delta",
    "model_call_end",
    "step",
    "loop_end",
  ]);
});

Deno.test("composableLoop() delivers tool progress as events", async () => {
  const progress: unknown[] = [];
  const worker = tool({
    name: "work",
    description: "Works in stages.",
    input: z.object({}),
    execute: (_args, ctx) => {
      ctx.progress("half", { pct: 50 });
      ctx.progress("all");
      return "ok";
    },
  });
  await composableLoop({
    llm: new ScriptedBackend([call("work"), call("done", { answer: "ok" })]),
    tools: [worker],
    task: "x",
    hooks: [{
      onEvent: (event) => {
        if (event.type === "tool_progress") progress.push([event.step, event.message, event.data]);
      },
    }],
  }).complete();
  assert.deepEqual(progress, [[1, "half", { pct: 50 }], [1, "all", undefined]]);
});

Deno.test("AgentRun cannot be iterated twice, and complete() drains the rest", async () => {
  const llm = new ScriptedBackend([
    call("greet", { name: "A" }),
    call("greet", { name: "B" }),
    call("done", { answer: "x" }),
  ]);
  const run = composableLoop({ llm, tools: [greet], task: "x" });
  const iterator = run[Symbol.asyncIterator]();
  const first = await iterator.next();
  assert.equal(first.done, false);
  assert.throws(() => run[Symbol.asyncIterator](), /Cannot iterate this run twice/);
  const outcome = await run.complete();
  assert.equal(outcome.steps, 3);
  assert.equal(outcome.stopReason, "done");
});

Deno.test("composableLoop() state is plain JSON that survives a round trip", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]);
  const outcome = await composableLoop({ llm, tools: [greet], task: "x" }).complete();
  const copy = JSON.parse(JSON.stringify(outcome.state));
  assert.deepEqual(copy, outcome.state);
  assert.equal(copy.steps.length, 2);
  assert.equal(copy.version, 1);
});
