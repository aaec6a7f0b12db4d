// Budgets, concurrency, cancellation, model failures and resume.
import assert from "node:assert/strict";
import { z } from "zod";
import {
  BackendError,
  composableLoop,
  type Hook,
  type LoopEvent,
  ScriptedBackend,
  tool,
} from "../../mod.ts";
import { add, greet, sleeper } from "./_tools.ts";

const call = ScriptedBackend.call;

Deno.test("maxSteps stops a model that never calls done", async () => {
  const llm = new ScriptedBackend([
    call("greet", { name: "A" }),
    call("greet", { name: "B" }),
    call("greet", { name: "C" }),
  ]);
  const run = composableLoop({ llm, tools: [greet], task: "x", maxSteps: 2 });
  const steps = await Array.fromAsync(run);
  assert.equal(steps.length, 2);
  assert.equal((await run.outcome).stopReason, "max_steps");
  assert.equal(llm.calls, 2);
});

Deno.test("maxSteps is never exceeded by a multi-call turn; skipped calls are answered", async () => {
  const llm = new ScriptedBackend([{
    toolCalls: [1, 2, 3, 4].map((a) => ({ name: "add", args: { a, b: 0 } })),
  }]);
  const run = composableLoop({ llm, tools: [add], task: "x", maxSteps: 3 });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.map((s) => s.call.args.a), [1, 2, 3]);
  const outcome = await run.outcome;
  assert.equal(outcome.stopReason, "max_steps");
  const toolMessages = outcome.state.transcript.filter((m) => m.role === "tool");
  assert.equal(toolMessages.length, 4, "every call in the assistant message has a result");
  assert.equal(toolMessages[3]!.content, "Error: Not run: the step budget (3) is used up");
  assert.deepEqual(outcome.state.queue, []);
});

Deno.test("concurrencySafe calls run together, within the concurrency limit", async () => {
  const record = { running: 0, peak: 0 };
  const llm = new ScriptedBackend([
    { toolCalls: [1, 2, 3, 4, 5].map((id) => ({ name: "sleep", args: { id } })) },
    call("done", { answer: "x" }),
  ]);
  const steps = await Array.fromAsync(
    composableLoop({ llm, tools: [sleeper(record)], task: "x", concurrency: 3 }),
  );
  assert.equal(record.peak, 3);
  assert.deepEqual(
    steps.slice(0, 5).map((s) => s.result.data),
    [1, 2, 3, 4, 5].map((id) => ({ id })),
  );
  assert.deepEqual(steps.slice(0, 5).map((s) => s.number), [1, 2, 3, 4, 5]);
});

Deno.test("calls that are not concurrencySafe run one at a time", async () => {
  const record = { running: 0, peak: 0 };
  const serial = tool({
    name: "serial",
    description: "Not safe to run together.",
    input: z.object({}),
    execute: async () => {
      record.running++;
      record.peak = Math.max(record.peak, record.running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      record.running--;
    },
  });
  const llm = new ScriptedBackend([
    { toolCalls: [{ name: "serial" }, { name: "serial" }] },
    call("done", { answer: "x" }),
  ]);
  await composableLoop({ llm, tools: [serial], task: "x" }).complete();
  assert.equal(record.peak, 1);
});

Deno.test("aborting the signal during a tool cancels it, records it as interrupted and ends with cancelled", async () => {
  const controller = new AbortController();
  let toolSignal: AbortSignal | undefined;
  const wait = tool({
    name: "wait",
    description: "Waits for abort.",
    input: z.object({}),
    execute: (_args, ctx) => {
      toolSignal = ctx.signal;
      setTimeout(() => controller.abort(), 5);
      return new Promise(() => {});
    },
  });
  const llm = new ScriptedBackend([call("wait"), call("done", { answer: "x" })]);
  const run = composableLoop({ llm, tools: [wait], task: "x", signal: controller.signal });
  const steps = await Array.fromAsync(run);
  assert.equal(steps.length, 1);
  assert.equal(steps[0]!.result.errorKind, "interrupted");
  assert.match(steps[0]!.result.error!, /may or may not have taken effect/);
  assert.equal((await run.outcome).stopReason, "cancelled");
  assert.equal(toolSignal?.aborted, true);
  assert.equal(llm.calls, 1);
});

Deno.test("aborting the signal during a model call ends with cancelled at once", async () => {
  const controller = new AbortController();
  const llm = new ScriptedBackend([call("done", { answer: "x" })], { delayMs: 10_000 });
  const run = composableLoop({ llm, task: "x", signal: controller.signal });
  setTimeout(() => controller.abort(), 5);
  const started = performance.now();
  const outcome = await run.complete();
  assert.equal(outcome.stopReason, "cancelled");
  assert.ok(performance.now() - started < 1000);
});

Deno.test("an already aborted signal ends the run before any model call", async () => {
  const llm = new ScriptedBackend([call("done", { answer: "x" })]);
  const outcome = await composableLoop({ llm, task: "x", signal: AbortSignal.abort() }).complete();
  assert.equal(outcome.stopReason, "cancelled");
  assert.equal(llm.calls, 0);
});

Deno.test("breaking out of for await ends the run, runs onLoopEnd and aborts the run's signal", async () => {
  let ended = "";
  let seenSignal: AbortSignal | undefined;
  const hook: Hook = {
    onLoopStart: ({ signal }) => void (seenSignal = signal),
    onLoopEnd: ({ outcome }) => void (ended = outcome.stopReason),
  };
  const llm = new ScriptedBackend([
    call("greet", { name: "A" }),
    call("greet", { name: "B" }),
    call("done", { answer: "x" }),
  ]);
  const run = composableLoop({ llm, tools: [greet], task: "x", hooks: [hook] });
  for await (const step of run) if (step.number === 1) break;
  const outcome = await run.outcome;
  assert.equal(outcome.stopReason, "cancelled");
  assert.equal(outcome.steps, 1);
  assert.equal(ended, "cancelled");
  assert.equal(seenSignal?.aborted, true);
  assert.equal(llm.calls, 1);
});

Deno.test("a non-retryable model error ends the run with llm_error and the error", async () => {
  const error = new BackendError('Cannot call backend "x": status is 401', { status: 401 });
  const llm = new ScriptedBackend([error]);
  const outcome = await composableLoop({ llm, task: "x" }).complete();
  assert.equal(outcome.stopReason, "llm_error");
  assert.equal(outcome.error, error);
  assert.equal(llm.calls, 1);
});

Deno.test("a retryable model error is retried with backoff, honouring retryAfterMs", async () => {
  const events: LoopEvent[] = [];
  const llm = new ScriptedBackend([
    new BackendError("overloaded", { status: 529, retryable: true }),
    new BackendError("slow down", { status: 429, retryable: true, retryAfterMs: 3 }),
    call("done", { answer: "x" }),
  ]);
  const outcome = await composableLoop({
    llm,
    task: "x",
    retry: { attempts: 3, baseDelayMs: 1, jitter: 0 },
    hooks: [{ onEvent: (event) => void events.push(event) }],
  }).complete();
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.modelCalls, 3);
  const retries = events.filter((event) => event.type === "model_retry");
  assert.deepEqual(
    retries.map((event) => event.type === "model_retry" && [event.attempt, event.delayMs]),
    [[1, 1], [2, 3]],
  );
});

Deno.test("retries that run out end the run with llm_error", async () => {
  const llm = new ScriptedBackend([
    new BackendError("down", { status: 503, retryable: true }),
    new BackendError("still down", { status: 503, retryable: true }),
  ]);
  const outcome = await composableLoop({ llm, task: "x", retry: { attempts: 2, baseDelayMs: 1 } })
    .complete();
  assert.equal(outcome.stopReason, "llm_error");
  assert.equal(outcome.error?.message, "still down");
});

Deno.test("a scripted backend that runs out of responses fails clearly, never cycles", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" })]);
  const outcome = await composableLoop({ llm, tools: [greet], task: "x" }).complete();
  assert.equal(outcome.stopReason, "llm_error");
  assert.equal(
    outcome.error?.message,
    'Scripted backend "scripted" ran out of responses after 1 replies; add responses to the script or lower maxSteps',
  );
});

Deno.test("preDispatch pause ends the run awaiting approval; resuming with approve runs exactly that call", async () => {
  const ran: string[] = [];
  const rm = tool({
    name: "rm",
    description: "Remove a file.",
    input: z.object({ path: z.string() }),
    execute: ({ path }) => ran.push(path),
  });
  const approval: Hook = {
    preDispatch: ({ call }) =>
      call.name === "rm" ? { pause: `Remove ${call.args.path}?` } : undefined,
  };
  const script = () =>
    new ScriptedBackend([
      {
        toolCalls: [
          { name: "greet", args: { name: "A" } },
          { name: "rm", args: { path: "a.txt" } },
          { name: "greet", args: { name: "B" } },
        ],
      },
      call("done", { answer: "x" }),
    ]);
  const first = composableLoop({ llm: script(), tools: [greet, rm], task: "x", hooks: [approval] });
  const steps = await Array.fromAsync(first);
  assert.deepEqual(steps.map((s) => s.pretty().replace(/ \[\d+ms\]$/, "")), [
    "#1 ✓ greet(name=A) → greeting: Hello, A!",
    "#2 · rm(path=a.txt) → ⏸ awaiting approval: Remove a.txt?",
  ]);
  const paused = await first.outcome;
  assert.equal(paused.stopReason, "awaiting_approval");
  assert.equal(paused.pending?.call.name, "rm");
  assert.equal(paused.steps, 1, "the paused call is not a recorded step yet");
  assert.deepEqual(ran, []);

  const saved = JSON.parse(JSON.stringify(paused.state));
  const llm = new ScriptedBackend([call("done", { answer: "x" })]);
  const resumed = composableLoop({
    llm,
    tools: [greet, rm],
    task: "x",
    hooks: [approval],
    resume: saved,
    approval: { approve: true },
  });
  const more = await Array.fromAsync(resumed);
  assert.deepEqual(more.map((s) => [s.number, s.call.tool]), [[2, "rm"], [3, "greet"], [
    4,
    "done",
  ]]);
  assert.deepEqual(ran, ["a.txt"]);
  assert.equal(llm.calls, 1, "the rest of the paused turn runs without asking the model again");
  assert.equal((await resumed.outcome).stopReason, "done");
});

Deno.test("resuming a paused run with a denial refuses exactly that call", async () => {
  const rm = tool({
    name: "rm",
    description: "Remove.",
    input: z.object({}),
    execute: () => "removed",
  });
  const approval: Hook = {
    preDispatch: ({ call }) => call.name === "rm" ? { pause: "sure?" } : undefined,
  };
  const paused = await composableLoop({
    llm: new ScriptedBackend([call("rm")]),
    tools: [rm],
    task: "x",
    hooks: [approval],
  }).complete();
  const llm = new ScriptedBackend([call("done", { answer: "gave up" })], { recordRequests: true });
  const resumed = composableLoop({
    llm,
    tools: [rm],
    task: "x",
    hooks: [approval],
    resume: paused.state,
    approval: { approve: false, reason: "not today" },
  });
  const steps = await Array.fromAsync(resumed);
  assert.equal(steps[0]!.pretty(), "#1 ✗ rm() → ERROR: Denied by the approver: not today");
  assert.equal(steps[0]!.result.errorKind, "permission_denied");
  assert.equal(
    llm.requests[0]!.messages.at(-1)?.content,
    "Error: Denied by the approver: not today",
  );
});

Deno.test("resume continues numbering and the remaining budget", async () => {
  const first = await composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "A" }), call("greet", { name: "B" })]),
    tools: [greet],
    task: "x",
    maxSteps: 2,
  }).complete();
  assert.equal(first.stopReason, "max_steps");
  const llm = new ScriptedBackend([
    call("greet", { name: "C" }),
    call("greet", { name: "D" }),
    call("done", { answer: "x" }),
  ], { recordRequests: true });
  const run = composableLoop({ llm, tools: [greet], task: "x", maxSteps: 3, resume: first.state });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps.map((s) => s.number), [3]);
  assert.equal((await run.outcome).stopReason, "max_steps");
  assert.equal(llm.requests[0]!.messages.length, 5, "the transcript is restored");
  assert.equal(first.state.steps.length, 2, "the saved state is not mutated by the resumed run");
});

Deno.test("resuming a paused run requires an approval decision", async () => {
  const approval: Hook = { preDispatch: () => ({ pause: "?" }) };
  const paused = await composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "A" })]),
    tools: [greet],
    task: "x",
    hooks: [approval],
  }).complete();
  assert.throws(
    () =>
      composableLoop({
        llm: new ScriptedBackend([]),
        tools: [greet],
        task: "x",
        resume: paused.state,
      }),
    /'approval' is required: the run is paused awaiting approval of "greet"; pass approval: \{ approve: true \} or \{ approve: false, reason \}/,
  );
});
