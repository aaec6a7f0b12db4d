import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { BackendError, ScriptedBackend, tool } from "../../mod.ts";
import type { Hook } from "../../mod.ts";
import {
  assertReplay,
  loadTrace,
  ProvenanceSink,
  ReplayDivergenceError,
  replayLoop,
  TraceReplayBackend,
} from "../../provenance/mod.ts";
import { greet, record, REFERENCE_TRACE, tempDir } from "./_helpers.ts";

Deno.test("replayLoop() reproduces a recorded run step for step without the original backend", async () => {
  const dir = await tempDir();
  const { outcome: recorded } = await record(dir);
  const trace = await loadTrace(dir);
  const run = await replayLoop(dir, { tools: [greet] });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(
    steps.map((step) => step.pretty().replace(/ \[\d+ms\]$/, "")),
    trace.steps.map((step) => step.pretty.replace(/ \[\d+ms\]$/, "")),
  );
  const outcome = await run.outcome;
  assert.equal(outcome.stopReason, recorded.stopReason);
  assert.equal(outcome.finalAnswer, recorded.finalAnswer);
  assert.deepEqual(outcome.usage, recorded.usage);
});

Deno.test("replayLoop() runs the given hooks for real", async () => {
  const dir = await tempDir();
  await record(dir);
  const seen: string[] = [];
  const hook: Hook = { postDispatch: ({ call }) => void seen.push(call.name) };
  await (await replayLoop(dir, { tools: [greet], hooks: [hook] })).complete();
  assert.deepEqual(seen, ["greet", "greet", "done"]);
});

Deno.test("assertReplay() passes for an unchanged agent: a regression test in one line", async () => {
  const dir = await tempDir();
  await record(dir);
  const outcome = await assertReplay(dir, { tools: [greet] });
  assert.equal(outcome.stopReason, "done");
});

Deno.test("assertReplay() reports a changed tool result, naming the step and both sides", async () => {
  const dir = await tempDir();
  await record(dir);
  const rude = tool({
    name: "greet",
    description: "Greet someone by name.",
    input: z.object({ name: z.string() }),
    execute: ({ name }) => ({ greeting: `Go away, ${name}` }),
  });
  const error = await assertReplay(dir, { tools: [rude] }).catch((e) => e);
  assert.ok(error instanceof ReplayDivergenceError);
  assert.match(
    error.message,
    /^Replay of trace ".*" diverged: step 1: the results differ\n {2}recorded: greet\(name=Alice\) → \{"greeting":"Hello, Alice!"\}\n {2}replayed: greet\(\.\.\.\) → \{"greeting":"Go away, Alice"\}$/,
  );
});

Deno.test("assertReplay() reports a call that now fails", async () => {
  const dir = await tempDir();
  await record(dir);
  const deny: Hook = {
    preDispatch: ({ call }) => call.args.name === "Bob" ? { deny: "no Bob" } : undefined,
  };
  await assert.rejects(
    () => assertReplay(dir, { tools: [greet], hooks: [deny] }),
    /step 2: the replayed call failed, the recorded one did not/,
  );
});

Deno.test("replayLoop() throws ReplayDivergenceError when the run asks for more calls than recorded", async () => {
  const dir = await tempDir();
  await record(dir);
  const rejectDone: Hook = { checkDone: () => ({ deny: "not yet" }) };
  const run = await replayLoop(dir, { tools: [greet], hooks: [rejectDone], maxSteps: 10 });
  const error = await Array.fromAsync(run).catch((e) => e);
  assert.ok(error instanceof ReplayDivergenceError);
  assert.match(
    error.message,
    /the run asked for model call 3, but the trace recorded only 3 calls/,
  );
  await assert.rejects(() => run.outcome, ReplayDivergenceError);
});

Deno.test("replayLoop() detects a call of a different shape (a tool's call where the loop calls)", async () => {
  const dir = await tempDir();
  const summarize = tool({
    name: "summarize",
    description: "Summarize with the model.",
    input: z.object({}),
    execute: async (_args, ctx) => {
      const reply = await ctx.llm.generate({
        messages: [{ role: "user", content: "sum" }],
        systemPrompt: "",
        tools: [],
      });
      return reply.text;
    },
  });
  await record(dir, {
    tools: [summarize],
    script: [
      ScriptedBackend.call("summarize"),
      "short",
      ScriptedBackend.call("done", { answer: "x" }),
    ],
  });
  await assertReplay(dir, { tools: [summarize] });
  const lazy = tool({
    name: "summarize",
    description: "No model.",
    input: z.object({}),
    execute: () => "short",
  });
  const error = await (await replayLoop(dir, { tools: [lazy] })).complete().catch((e) => e);
  assert.ok(error instanceof ReplayDivergenceError);
  assert.match(
    error.message,
    /model call 1 was made by tool "summarize" in the recording, but by the loop in the replay/,
  );
});

Deno.test("replayLoop() can record the replay as a new trace through 'wrap'", async () => {
  const dir = await tempDir();
  await record(dir);
  const again = await tempDir();
  const sink = new ProvenanceSink(again);
  await (await replayLoop(dir, { tools: [greet], wrap: (b) => sink.wrap(b), hooks: [sink.hook()] }))
    .complete();
  const copy = await loadTrace(again);
  assert.equal(copy.calls.length, 3);
  assert.deepEqual(copy.steps.map((step) => step.tool), ["greet", "greet", "done"]);
  await assertReplay(again, { tools: [greet] });
});

Deno.test("replayLoop() with strict checks the tools offered to the model", async () => {
  const dir = await tempDir();
  await record(dir);
  const extra = tool({
    name: "wave",
    description: "Wave.",
    input: z.object({}),
    execute: () => "hi",
  });
  await assert.rejects(
    () => assertReplay(dir, { tools: [greet, extra], strict: true }),
    /model call 0 offered tools \[greet, done\] in the recording, but \[greet, wave, done\] in the replay/,
  );
  await assertReplay(dir, { tools: [greet, extra] }); // lenient by default
});

Deno.test("replayLoop() replays a recorded model error as the same llm_error stop", async () => {
  const dir = await tempDir();
  await record(dir, {
    script: [
      ScriptedBackend.call("greet", { name: "A" }),
      new BackendError("overloaded", { status: 529 }),
    ],
  });
  const outcome = await assertReplay(dir, { tools: [greet] });
  assert.equal(outcome.stopReason, "llm_error");
  assert.match(outcome.error?.message ?? "", /BackendError: overloaded/);
});

Deno.test("replayLoop() replays a retried call without waiting for the backoff", async () => {
  const dir = await tempDir();
  const sink = new (await import("../../provenance/mod.ts")).ProvenanceSink(dir);
  const { composableLoop } = await import("../../mod.ts");
  await composableLoop({
    llm: sink.wrap(
      new ScriptedBackend([
        new BackendError("rate limited", { status: 429, retryable: true }),
        ScriptedBackend.call("done", { answer: "ok" }),
      ]),
    ),
    task: "t",
    hooks: [sink.hook()],
    retry: { attempts: 2, baseDelayMs: 5 },
  }).complete();
  const trace = await loadTrace(dir);
  assert.deepEqual(trace.calls.map((call) => call.errorRetryable), [true, false]);
  const delays: number[] = [];
  const watch: Hook = {
    onEvent: (event) => void (event.type === "model_retry" && delays.push(event.delayMs)),
  };
  const outcome = await assertReplay(dir, { retry: { attempts: 2 }, hooks: [watch] });
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.modelCalls, 2);
  assert.deepEqual(delays, [0], "the replay retried at once instead of backing off");
});

Deno.test("replayLoop() replays a trace in the reference's text-protocol format", async () => {
  const done = tool({
    name: "done",
    description: "Finish.",
    input: z.object({ answer: z.string() }),
    execute: ({ answer }) => ({ status: "done", summary: answer }),
  });
  const run = await replayLoop(REFERENCE_TRACE, { tools: [greet, done] });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.map((step) => step.call.tool), ["greet", "greet", "done"]);
  assert.deepEqual(steps[1]!.result.data, { greeting: "Hello, Bob!" });
  assert.equal((await run.outcome).stopReason, "done");
  await assertReplay(REFERENCE_TRACE, { tools: [greet, done] });
});

Deno.test("replayLoop() of a trace without model calls or directory fails clearly", async () => {
  const dir = await tempDir();
  await record(dir);
  await Deno.writeTextFile(join(dir, "manifest.jsonl"), "");
  await assert.rejects(
    () => replayLoop(dir, { tools: [greet] }),
    /the trace recorded no model calls/,
  );
  await assert.rejects(() => replayLoop(join(dir, "missing"), {}), /the directory does not exist/);
});

Deno.test("TraceReplayBackend refuses a trace loaded without bodies", async () => {
  const dir = await tempDir();
  await record(dir);
  assert.throws(
    () => new TraceReplayBackend(Object.freeze(loadTraceSync(dir))),
    /loaded without response bodies/,
  );
});

function loadTraceSync(dir: string) {
  return { dir, calls: [{ index: 0 }], metadata: {} } as unknown as Awaited<
    ReturnType<typeof loadTrace>
  >;
}
