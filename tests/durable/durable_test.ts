import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop } from "../../loop/composable_loop.ts";
import type { Backend, ModelRequest, ModelTurn, StepRecord } from "../../loop/types.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import { tool } from "../../tools/tool.ts";
import {
  decodeStep,
  durableBackend,
  durableHook,
  type DurableSteps,
  durableTools,
  encodeStep,
  hookStepName,
  modelStepName,
  toolStepName,
} from "../../durable/mod.ts";
import { MemoryEngine } from "./_memory_engine.ts";
import { moduleGraph } from "../_module_graph.ts";

/** A model that is a function of the request: `calls` work calls, then done. */
function statelessModel(calls: number, log: string[]): Backend {
  return {
    name: "stateless",
    capabilities: { nativeTools: true },
    generate(request: ModelRequest): Promise<ModelTurn> {
      const done = request.messages.filter((m) => m.role === "tool").length;
      log.push(`model ${done + 1}`);
      const call = done < calls
        ? { id: `c${done + 1}`, name: "work", args: { n: done + 1 } }
        : { id: `c${done + 1}`, name: "done", args: { answer: `did ${done}` } };
      return Promise.resolve({
        text: "",
        toolCalls: [call],
        usage: { inputTokens: 5, outputTokens: 1 },
      });
    },
  };
}

function workTool(log: string[], keys: string[] = []) {
  return tool({
    name: "work",
    description: "Do one unit of work.",
    input: z.object({ n: z.number() }),
    execute: ({ n }, ctx) => {
      keys.push(ctx.idempotencyKey);
      log.push(`tool ${n}`);
      return { n };
    },
  });
}

async function durableRun(engine: MemoryEngine, log: string[], keys: string[] = []) {
  const steps = engine.steps();
  const run = composableLoop({
    llm: durableBackend(statelessModel(3, log), steps),
    tools: durableTools([workTool(log, keys)], steps),
    task: "work",
  });
  const encoded = [];
  for await (const step of run) encoded.push(encodeStep(step));
  const { stopReason, finalAnswer, steps: count, modelCalls } = await run.outcome;
  return { encoded, outcome: { stopReason, finalAnswer, count, modelCalls } };
}

Deno.test("durableBackend() and durableTools() journal each call under its step name", async () => {
  const engine = new MemoryEngine();
  const keys: string[] = [];
  await durableRun(engine, [], keys);
  assert.deepEqual(engine.ran, [
    "model#1",
    "tool#1:work",
    "model#2",
    "tool#2:work",
    "model#3",
    "tool#3:work",
    "model#4",
  ]);
  assert.deepEqual(keys, ["run-1:tool#1:work", "run-1:tool#2:work", "run-1:tool#3:work"]);
});

Deno.test("durableBackend() and durableTools() replay a full journal without calling the model or a tool", async () => {
  const engine = new MemoryEngine();
  const first = await durableRun(engine, []);
  const log: string[] = [];
  const replay = await durableRun(engine, log);
  assert.deepEqual(log, []);
  assert.deepEqual(replay, first);
});

for (const crashAt of ["model#2", "tool#2:work", "model#4"]) {
  Deno.test(`a run that crashed in ${crashAt} resumes with every completed call done once`, async () => {
    const plainLog: string[] = [];
    const expected = await durableRun(new MemoryEngine(), plainLog);
    const engine = new MemoryEngine();
    engine.crashAt = crashAt;
    const log: string[] = [];
    await durableRun(engine, log); // the dead engine fails every later step; nothing is journaled
    const journaled = [...engine.journal.keys()];
    assert.equal(journaled.includes(crashAt), false);
    engine.restart();
    const resumed = await durableRun(engine, log);
    assert.deepEqual(resumed, expected);
    const repeated = log.filter((line, i) => log.indexOf(line) !== i);
    assert.deepEqual(repeated, [
      crashAt.startsWith("model") ? `model ${crashAt.slice(6)}` : "tool 2",
    ]);
  });
}

Deno.test("durableBackend() journals a retryable failure as a value: the loop retries once per policy, a replay too", async () => {
  const engine = new MemoryEngine();
  const script = () =>
    new ScriptedBackend([
      new BackendError("overloaded", { status: 529, retryable: true, retryAfterMs: 0 }),
      ScriptedBackend.call("done", { answer: "ok" }),
    ]);
  const inner = script();
  let calls = 0;
  const counting: Backend = { ...inner, generate: (r, o) => (calls++, inner.generate(r, o)) };
  const first = await composableLoop({
    llm: durableBackend(counting, engine.steps()),
    task: "t",
    retry: { attempts: 3, baseDelayMs: 0 },
  }).complete();
  assert.equal(first.stopReason, "done");
  assert.equal(first.modelCalls, 2);
  assert.equal(calls, 2);
  assert.deepEqual([...engine.journal.keys()], ["model#1", "model#2"]);
  const journaled = engine.journal.get("model#1") as { ok: boolean; error: unknown };
  assert.deepEqual(journaled, {
    ok: false,
    error: {
      name: "BackendError",
      message: "overloaded",
      status: 529,
      retryable: true,
      retryAfterMs: 0,
    },
  });
  const never: Backend = { ...inner, generate: () => Promise.reject(new Error("not on replay")) };
  const replay = await composableLoop({
    llm: durableBackend(never, engine.steps()),
    task: "t",
    retry: { attempts: 3, baseDelayMs: 0 },
  }).complete();
  assert.equal(replay.stopReason, "done");
  assert.equal(replay.modelCalls, 2);
});

Deno.test("durableBackend() rethrows a journaled non-retryable error: the run ends llm_error on replay too", async () => {
  const engine = new MemoryEngine();
  const failing: Backend = {
    name: "f",
    capabilities: { nativeTools: true },
    generate: () => Promise.reject(new BackendError("bad key", { status: 401 })),
  };
  for (let i = 0; i < 2; i++) {
    const outcome = await composableLoop({
      llm: durableBackend(failing, engine.steps()),
      task: "t",
    })
      .complete();
    assert.equal(outcome.stopReason, "llm_error");
    assert.ok(outcome.error instanceof BackendError);
    assert.equal((outcome.error as BackendError).status, 401);
  }
});

Deno.test("durableTools() journals a thrown error, a timeout and a non-JSON result as failed steps", async () => {
  const engine = new MemoryEngine();
  const tools = [
    tool({
      name: "boom",
      description: "Throws.",
      input: z.object({}),
      execute: () => {
        throw new RangeError("out of range");
      },
    }),
    tool({
      name: "slow",
      description: "Never answers.",
      input: z.object({}),
      timeoutMs: 1,
      execute: () => new Promise(() => {}),
    }),
    tool({
      name: "dated",
      description: "Returns a Date.",
      input: z.object({}),
      execute: () => ({ at: [new Date(0)] }),
    }),
  ];
  const llm = () =>
    new ScriptedBackend([
      ScriptedBackend.call("boom", {}),
      ScriptedBackend.call("slow", {}),
      ScriptedBackend.call("dated", {}),
      ScriptedBackend.call("done", { answer: "ok" }),
    ]);
  const results = [];
  for (let i = 0; i < 2; i++) {
    const outcome = await composableLoop({
      llm: llm(),
      tools: durableTools(tools, engine.steps()),
      task: "t",
    }).complete();
    results.push(outcome.state.steps.map((step: StepRecord) => encodeStep(step).result));
  }
  assert.deepEqual(results[0], results[1]);
  assert.deepEqual(results[0]?.slice(0, 3), [
    { data: null, error: "RangeError: out of range", error_kind: "execution" },
    { data: null, error: 'TimeoutError: Tool "slow" timed out after 1ms', error_kind: "timeout" },
    {
      data: null,
      error:
        'TypeError: Tool "dated" returned a value that is not JSON: "result.at[0]" is a Date; return plain JSON (objects, arrays, strings, finite numbers, booleans, null)',
      error_kind: "execution",
    },
  ]);
});

Deno.test("durableTools() gives tools the unwrapped backend, so a model call inside a tool is not a step", async () => {
  const engine = new MemoryEngine();
  const steps = engine.steps();
  const inner = new ScriptedBackend([
    ScriptedBackend.call("ask", {}),
    "sub-answer",
    ScriptedBackend.call("done", { answer: "ok" }),
  ]);
  const ask = tool({
    name: "ask",
    description: "Asks the model.",
    input: z.object({}),
    execute: async (_args, ctx) =>
      (await ctx.llm.generate({ messages: [], systemPrompt: "", tools: [] })).text,
  });
  const outcome = await composableLoop({
    llm: durableBackend(inner, steps),
    tools: durableTools([ask], steps),
    task: "t",
  }).complete();
  assert.equal(outcome.state.steps[0]?.result.data, "sub-answer");
  assert.deepEqual([...engine.journal.keys()], ["model#1", "tool#1:ask", "model#2"]);
});

Deno.test("durableHook() journals decisions: a replay gets the recorded decision, not a new one", async () => {
  const engine = new MemoryEngine();
  let now = 0;
  const deadline = {
    name: "deadline",
    shouldStop: () => now > 100 ? { stop: "deadline" } : undefined,
  };
  const script = () =>
    new ScriptedBackend([
      ScriptedBackend.call("think", { thought: "a" }),
      ScriptedBackend.call("done", { answer: "x" }),
    ]);
  const first = await composableLoop({
    llm: script(),
    hooks: [durableHook(deadline, engine.steps())],
    task: "t",
  }).complete();
  assert.equal(first.stopReason, "done");
  // The turn that ends with done is not asked (the run already stops).
  assert.deepEqual([...engine.journal.keys()], [hookStepName("deadline", "shouldStop", 1)]);
  now = 1000; // the clock moved: without the journal the hook would stop the run
  const replay = await composableLoop({
    llm: script(),
    hooks: [durableHook(deadline, engine.steps())],
    task: "t",
  }).complete();
  assert.equal(replay.stopReason, "done");
  assert.throws(() => durableHook({}, engine.steps()), /the hook needs a 'name'/);
});

Deno.test("durable wrappers throw at once for a bad 'steps'", () => {
  const llm = new ScriptedBackend(["x"]);
  const bad = {} as unknown as DurableSteps;
  assert.throws(
    () => durableBackend(llm, bad),
    /'steps' must be \{ runId: string, run\(name, fn\) \}/,
  );
  assert.throws(() => durableTools([], bad), /Cannot make durable tools/);
  assert.throws(
    () => durableBackend({} as unknown as Backend, new MemoryEngine().steps()),
    /generate\(\) method/,
  );
});

Deno.test("encodeStep() leaves timings out; decodeStep() gives the step back", async () => {
  const run = composableLoop({
    llm: new ScriptedBackend([ScriptedBackend.call("done", { answer: "fine" })]),
    task: "t",
  });
  const [step] = await Array.fromAsync(run);
  assert.ok(step);
  const encoded = encodeStep(step);
  assert.deepEqual(encoded, {
    format: 1,
    number: 1,
    turn: 1,
    call: { tool: "done", args: { answer: "fine" }, id: step.call.id, reasoning: "" },
    result: { data: "fine" },
    usage: { input_tokens: 0, output_tokens: 0 },
  });
  const decoded = decodeStep(JSON.parse(JSON.stringify(encoded)));
  assert.deepEqual(encodeStep(decoded), encoded);
  assert.equal(decoded.durationMs, 0);
  assert.equal(decoded.pretty(), step.pretty().replace(/ \[\d+ms\]$/, ""));
  // @ts-expect-error: testing bad input
  assert.throws(() => decodeStep({ format: 2 }), /expected an encoded step of format 1/);
});

Deno.test("step names are model#<k>, tool#<step>:<name> and hook#<hook>:<slot>#<n>", () => {
  assert.equal(modelStepName(3), "model#3");
  assert.equal(toolStepName(2, "greet"), "tool#2:greet");
  assert.equal(hookStepName("quota", "preDispatch", 1), "hook#quota:preDispatch#1");
});

Deno.test("durable/mod.ts loads no npm package (engine-neutral, no dependency)", async () => {
  const specifiers = (await moduleGraph("durable/mod.ts")).map((module) => module.specifier);
  assert.deepEqual(specifiers.filter((specifier) => !specifier.startsWith("file:")), []);
});
