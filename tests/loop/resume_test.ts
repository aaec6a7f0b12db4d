import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, type LoopState, ScriptedBackend, tool } from "../../mod.ts";
import { add, greet } from "./_tools.ts";

const call = ScriptedBackend.call;

Deno.test("composableLoop({ resume }) continues numbering, budget, transcript and usage", async () => {
  const first = await composableLoop({
    llm: new ScriptedBackend([
      {
        toolCalls: [{ name: "greet", args: { name: "A" } }],
        usage: { inputTokens: 5, outputTokens: 1 },
      },
      call("greet", { name: "B" }),
      call("greet", { name: "C" }),
    ]),
    tools: [greet],
    task: "Greet people",
    maxSteps: 2,
  }).complete();
  assert.equal(first.stopReason, "max_steps");
  const llm = new ScriptedBackend([call("greet", { name: "D" }), call("done", { answer: "ok" })], {
    recordRequests: true,
  });
  const run = composableLoop({
    llm,
    tools: [greet],
    task: "ignored",
    maxSteps: 3,
    resume: first.state,
  });
  const steps = await Array.fromAsync(run);
  const outcome = await run.outcome;
  // budget carries on: 2 steps were used, so only 1 more fits in maxSteps 3
  assert.deepEqual(steps.map((step) => [step.number, step.turn, step.call.tool]), [[
    3,
    3,
    "greet",
  ]]);
  assert.equal(outcome.stopReason, "max_steps");
  assert.equal(outcome.steps, 3);
  assert.deepEqual(outcome.usage, { inputTokens: 5, outputTokens: 1 });
  // the transcript was restored: the resumed model saw the first run's messages
  assert.ok(llm.requests[0]!.messages.some((m) => m.content.includes("Hello, B!")));
  assert.equal(llm.requests[0]!.messages[0]!.content.includes("Greet people"), true);
  assert.equal(first.state.steps.length, 2, "resuming must not change the saved state");
});

Deno.test("composableLoop({ resume }) runs the queued calls of a turn without calling the model", async () => {
  let saved: LoopState | undefined;
  const first = composableLoop({
    llm: new ScriptedBackend([{
      toolCalls: [
        { id: "a", name: "add", args: { a: 1, b: 2 } },
        { id: "b", name: "add", args: { a: 3, b: 4 } },
      ],
      usage: { inputTokens: 7, outputTokens: 3 },
    }]),
    tools: [add],
    task: "Add",
    concurrency: 1,
    hooks: [{ onModelReply: ({ state }) => void (saved = structuredClone(state)) }],
  });
  for await (const _ of first) break; // stop right after the first step
  assert.ok(saved !== undefined);
  assert.deepEqual(saved.queue.map((c) => c.id), ["a", "b"]);
  assert.deepEqual(saved.queueUsage, { inputTokens: 7, outputTokens: 3 });
  const llm = new ScriptedBackend([call("done", { answer: "7" })], { recordRequests: true });
  const run = composableLoop({ llm, tools: [add], task: "Add", resume: saved });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.map((s) => [s.number, s.turn, s.call.id]), [[1, 1, "a"], [2, 1, "b"], [
    3,
    2,
    "call_1_1",
  ]]);
  assert.deepEqual(
    steps[0]!.usage,
    { inputTokens: 7, outputTokens: 3 },
    "the reply's usage stays on its first step",
  );
  assert.deepEqual(steps[1]!.usage, { inputTokens: 0, outputTokens: 0 });
  assert.equal(llm.requests.length, 1, "the model was asked only for turn 2");
  const outcome = await run.outcome;
  assert.equal(outcome.modelCalls, 2);
  assert.deepEqual(outcome.usage, { inputTokens: 7, outputTokens: 3 });
});

Deno.test("composableLoop({ resume }) refuses a run that finished with done", async () => {
  const done = await composableLoop({
    llm: new ScriptedBackend([call("done", { answer: "x" })]),
    task: "x",
  }).complete();
  assert.throws(
    () => composableLoop({ llm: new ScriptedBackend([]), task: "x", resume: done.state }),
    new TypeError(
      "Cannot start loop: 'resume' is a run that already finished with done; start a new run instead",
    ),
  );
});

function pausingRun(
  resume?: LoopState,
  approval?: { approve: true } | { approve: false; reason?: string },
) {
  const executed: string[] = [];
  const drop = tool({
    name: "drop_table",
    description: "Drop a table.",
    input: z.object({ table: z.string() }),
    execute: ({ table }) => {
      executed.push(table);
      return { dropped: table };
    },
  });
  let preDispatchCalls = 0;
  const llm = new ScriptedBackend([
    call("drop_table", { table: "users" }),
    call("done", { answer: "finished" }),
  ]);
  const run = composableLoop({
    llm: resume === undefined ? llm : new ScriptedBackend([call("done", { answer: "finished" })]),
    tools: [drop],
    task: "Clean up",
    resume,
    approval,
    hooks: [{
      preDispatch: ({ call }) => {
        preDispatchCalls++;
        return call.name === "drop_table"
          ? { pause: "Dropping a table needs approval" }
          : undefined;
      },
    }],
  });
  return { run, executed, preDispatchCalls: () => preDispatchCalls };
}

Deno.test("composableLoop() pause, then resume approved runs exactly the paused call once", async () => {
  const paused = pausingRun();
  const steps = await Array.fromAsync(paused.run);
  const outcome = await paused.run.outcome;
  assert.equal(outcome.stopReason, "awaiting_approval");
  assert.equal(outcome.pending?.call.name, "drop_table");
  assert.equal(outcome.pending?.reason, "Dropping a table needs approval");
  assert.equal(steps.at(-1)?.result.awaitingApproval, "Dropping a table needs approval");
  assert.deepEqual(paused.executed, []);
  assert.equal(outcome.state.steps.length, 0, "a paused call is not a recorded step");

  const approved = pausingRun(outcome.state, { approve: true });
  const resumedSteps = await Array.fromAsync(approved.run);
  assert.deepEqual(approved.executed, ["users"]);
  assert.equal(approved.preDispatchCalls(), 0, "the approved call skips preDispatch");
  assert.deepEqual(resumedSteps.map((s) => [s.number, s.call.tool]), [[1, "drop_table"], [
    2,
    "done",
  ]]);
  assert.equal((await approved.run.outcome).stopReason, "done");
});

Deno.test("composableLoop() resume denied refuses the paused call and tells the model why", async () => {
  const paused = await pausingRun().run.complete();
  const denied = pausingRun(paused.state, { approve: false, reason: "production data" });
  const steps = await Array.fromAsync(denied.run);
  assert.deepEqual(denied.executed, []);
  assert.equal(steps[0]!.result.error, "Denied by the approver: production data");
  assert.equal(steps[0]!.result.errorKind, "permission_denied");
  assert.equal((await denied.run.outcome).stopReason, "done");
});

Deno.test("composableLoop() requires an approval to resume a paused run, and only then", async () => {
  const paused = await pausingRun().run.complete();
  assert.throws(
    () => composableLoop({ llm: new ScriptedBackend([]), task: "x", resume: paused.state }),
    /'approval' is required: the run is paused awaiting approval of "drop_table"/,
  );
  const done = await composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "x" })]),
    tools: [greet],
    task: "x",
    maxSteps: 1,
  }).complete();
  assert.throws(
    () =>
      composableLoop({
        llm: new ScriptedBackend([]),
        task: "x",
        resume: done.state,
        approval: { approve: true },
      }),
    /'approval' was given, but the resumed run is not awaiting approval/,
  );
});

Deno.test("ToolContext.addUsage() adds a tool's usage to the step and the run totals", async () => {
  const spender = tool({
    name: "spend",
    description: "Spends tokens.",
    input: z.object({}),
    execute: (_args, ctx) => {
      ctx.addUsage({ inputTokens: 100, outputTokens: 20 });
      ctx.addUsage({ inputTokens: 1, outputTokens: 1, cost: 0.5 });
      return "ok";
    },
  });
  const bad = tool({
    name: "bad",
    description: "Adds garbage usage.",
    input: z.object({}),
    execute: (_args, ctx) => ctx.addUsage({ inputTokens: Number.NaN, outputTokens: 0 }),
  });
  const run = composableLoop({
    llm: new ScriptedBackend([
      { toolCalls: [{ name: "spend", args: {} }], usage: { inputTokens: 10, outputTokens: 2 } },
      call("bad"),
      call("done", { answer: "x" }),
    ]),
    tools: [spender, bad],
    task: "x",
  });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps[0]!.usage, { inputTokens: 111, outputTokens: 23, cost: 0.5 });
  assert.match(
    steps[1]!.result.error ?? "",
    /Cannot add usage: pass \{ inputTokens, outputTokens \}/,
  );
  assert.deepEqual((await run.outcome).usage, { inputTokens: 111, outputTokens: 23, cost: 0.5 });
});

Deno.test("onModelReply sees the reply recorded and its calls queued, before any runs", async () => {
  const seen: unknown[] = [];
  await composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]),
    tools: [greet],
    task: "x",
    hooks: [{
      onModelReply: ({ state, turn, calls }) =>
        void seen.push([
          turn,
          calls.map((c) => c.name),
          state.queue.length,
          state.steps.length,
          state.transcript.at(-1)?.role,
        ]),
    }],
  }).complete();
  assert.deepEqual(seen, [[1, ["greet"], 1, 0, "assistant"], [2, ["done"], 1, 1, "assistant"]]);
});

Deno.test("composableLoop({ resume }) ends a resumed turn like any other: shouldStop runs, context is flushed", async () => {
  let saved: LoopState | undefined;
  const first = composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "A" })]),
    tools: [greet],
    task: "x",
    hooks: [{ onModelReply: ({ state }) => void (saved = structuredClone(state)) }],
  });
  for await (const _ of first) break;
  const turns: number[] = [];
  const outcome = await composableLoop({
    llm: new ScriptedBackend([]),
    tools: [greet],
    task: "x",
    resume: saved,
    hooks: [{
      postDispatch: () => ({ inject: "remember this" }),
      shouldStop: ({ turn }) => (turns.push(turn), { stop: "enough" }),
    }],
  }).complete();
  assert.deepEqual(turns, [1]);
  assert.equal(outcome.stopReason, "enough");
  assert.deepEqual(outcome.state.transcript.at(-1), { role: "user", content: "remember this" });
  assert.equal(outcome.modelCalls, 1, "the resumed turn did not call the model");
});
