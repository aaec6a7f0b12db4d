import assert from "node:assert/strict";
import { z } from "zod";
import {
  type Backend,
  composableLoop,
  type Hook,
  HookError,
  type Message,
  ScriptedBackend,
  tool,
} from "../../mod.ts";
import { add, greet } from "./_tools.ts";

const call = ScriptedBackend.call;

Deno.test("hooks run in slot order, once per start and end", async () => {
  const order: string[] = [];
  const spy: Hook = {
    onLoopStart: () => void order.push("onLoopStart"),
    prePrompt: ({ turn }) => void order.push(`prePrompt:${turn}`),
    preDispatch: ({ call }) => void order.push(`preDispatch:${call.name}`),
    postDispatch: ({ call }) => void order.push(`postDispatch:${call.name}`),
    checkDone: () => void order.push("checkDone"),
    shouldStop: ({ turn }) => void order.push(`shouldStop:${turn}`),
    onLoopEnd: ({ outcome }) => void order.push(`onLoopEnd:${outcome.stopReason}`),
  };
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]);
  await composableLoop({ llm, tools: [greet], task: "x", hooks: [spy] }).complete();
  assert.deepEqual(order, [
    "onLoopStart",
    "prePrompt:1",
    "preDispatch:greet",
    "postDispatch:greet",
    "shouldStop:1",
    "prePrompt:2",
    "checkDone",
    "postDispatch:done",
    "onLoopEnd:done",
  ]);
});

Deno.test("hooks may be async", async () => {
  const hook: Hook = {
    preDispatch: async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { deny: "later" };
    },
  };
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]);
  const steps = await Array.fromAsync(
    composableLoop({ llm, tools: [greet], task: "x", hooks: [hook] }),
  );
  assert.equal(steps[0]!.result.error, "later");
});

Deno.test("sync and async hooks mixed: each slot runs them in array order, awaiting each", async () => {
  const seen: string[] = [];
  const later = () => new Promise((resolve) => setTimeout(resolve, 1));
  const hooks: Hook[] = ["a", "b", "c"].map((name, index) => {
    const isAsync = index === 1;
    const note = (what: string) => {
      seen.push(`${what} ${name}`);
      return isAsync ? later().then(() => void seen.push(`${what} ${name} settled`)) : undefined;
    };
    return {
      name,
      onModelReply: () => note("reply"),
      postDispatch: () => note("post"),
      onEvent: (event) => event.type === "step" ? note("step") : undefined,
    };
  });
  const llm = new ScriptedBackend([call("greet", { name: "A" })]);
  await composableLoop({ llm, tools: [greet], task: "x", maxSteps: 1, hooks }).complete();
  const expected = (what: string) => [
    `${what} a`,
    `${what} b`,
    `${what} b settled`,
    `${what} c`,
  ];
  assert.deepEqual(seen, [...expected("reply"), ...expected("post"), ...expected("step")]);
});

Deno.test("prePrompt inject reaches this request only", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })], {
    recordRequests: true,
  });
  let turn = 0;
  const hook: Hook = {
    prePrompt: () => ++turn === 1 ? { inject: "Remember: be kind" } : undefined,
  };
  const outcome = await composableLoop({ llm, tools: [greet], task: "x", hooks: [hook] })
    .complete();
  assert.deepEqual(llm.requests[0]!.messages.at(-1), {
    role: "user",
    content: "Remember: be kind",
  });
  assert.ok(!llm.requests[1]!.messages.some((m) => m.content === "Remember: be kind"));
  assert.ok(!outcome.state.transcript.some((m) => m.content === "Remember: be kind"));
});

Deno.test("prePrompt inject: each request is the transcript then the context, in one array that only loses its last message and grows", async () => {
  const seen: { messages: readonly Message[]; copy: Message[] }[] = [];
  const scripted = new ScriptedBackend([
    call("greet", { name: "A" }),
    call("greet", { name: "B" }),
    call("greet", { name: "C" }),
    call("done", { answer: "x" }),
  ]);
  const llm: Backend = {
    ...scripted,
    name: "spy",
    capabilities: scripted.capabilities,
    generate(request, options) {
      seen.push({ messages: request.messages, copy: [...request.messages] });
      return scripted.generate(request, options);
    },
  };
  let turn = 0;
  let second: readonly Message[] | undefined;
  const hooks: Hook[] = [{
    prePrompt: ({ state }) => {
      turn++;
      if (turn === 2) second = state.transcript;
      if (turn === 3) return { messages: state.transcript.slice(), inject: "memory 3" };
      return turn === 2 ? undefined : { inject: `memory ${turn}` };
    },
  }];
  const outcome = await composableLoop({ llm, tools: [greet], task: "x", hooks }).complete();
  const transcript = outcome.state.transcript;
  const contents = seen.map(({ copy }) => copy.map((message) => message.content));
  assert.deepEqual(contents[0], [transcript[0]!.content, "memory 1"]);
  assert.deepEqual(contents[1], transcript.slice(0, 3).map((message) => message.content));
  assert.deepEqual(contents[2], [...transcript.slice(0, 5).map((m) => m.content), "memory 3"]);
  assert.deepEqual(contents[3], [...transcript.slice(0, 7).map((m) => m.content), "memory 4"]);
  for (const [index, { copy }] of seen.entries()) {
    assert.ok(
      copy.slice(0, -1).every((message, at) => message === transcript[at]) ||
        copy.every((message, at) => message === transcript[at]),
      `request ${index} holds the transcript's own messages`,
    );
  }
  assert.equal(seen[1]!.messages, second, "no context: the transcript itself");
  assert.notEqual(seen[2]!.messages, seen[0]!.messages, "a new transcript array gets a new array");
  assert.equal(seen[3]!.messages, seen[2]!.messages, "the same transcript keeps its array");
});

Deno.test("prePrompt messages replaces the transcript the model sees", async () => {
  const llm = new ScriptedBackend([
    call("greet", { name: "A" }),
    call("greet", { name: "B" }),
    call("done", { answer: "x" }),
  ], { recordRequests: true });
  const compact: Hook = {
    prePrompt: ({ state }) =>
      state.transcript.length > 3
        ? {
          messages: [state.transcript[0]!, { role: "user", content: "(earlier turns summarised)" }],
        }
        : undefined,
  };
  await composableLoop({ llm, tools: [greet], task: "x", hooks: [compact] }).complete();
  assert.equal(llm.requests[1]!.messages.length, 3);
  assert.equal(llm.requests[2]!.messages.length, 2);
  assert.equal(llm.requests[2]!.messages[1]!.content, "(earlier turns summarised)");
});

Deno.test("preDispatch deny refuses the call and the model reads why", async () => {
  let ran = false;
  const guarded = tool({
    name: "rm",
    description: "Remove.",
    input: z.object({}),
    execute: () => (ran = true),
  });
  const llm = new ScriptedBackend([call("rm"), call("done", { answer: "x" })], {
    recordRequests: true,
  });
  const hook: Hook = {
    name: "no-rm",
    preDispatch: ({ call }) => call.name === "rm" ? { deny: "Removing is not allowed" } : undefined,
  };
  const steps = await Array.fromAsync(
    composableLoop({ llm, tools: [guarded], task: "x", hooks: [hook] }),
  );
  assert.equal(ran, false);
  assert.equal(steps[0]!.result.errorKind, "permission_denied");
  assert.equal(steps[0]!.pretty(), "#1 ✗ rm() → ERROR: Removing is not allowed");
  assert.equal(llm.requests[1]!.messages[2]!.content, "Error: Removing is not allowed");
  assert.equal(llm.requests[1]!.messages[2]!.isError, true);
});

Deno.test("preDispatch args rewrites the call before validation; later hooks see the rewrite", async () => {
  const seen: unknown[] = [];
  const hooks: Hook[] = [
    { preDispatch: ({ call }) => ({ args: { ...call.args, b: 20 } }) },
    { preDispatch: ({ call }) => void seen.push(call.args) },
  ];
  const llm = new ScriptedBackend([call("add", { a: 1, b: 2 }), call("done", { answer: "x" })]);
  const steps = await Array.fromAsync(composableLoop({ llm, tools: [add], task: "x", hooks }));
  assert.deepEqual(steps[0]!.call.args, { a: 1, b: 20 });
  assert.deepEqual(steps[0]!.result.data, { sum: 21 });
  assert.deepEqual(seen, [{ a: 1, b: 20 }]);
});

Deno.test("preDispatch result short-circuits the tool", async () => {
  let ran = false;
  const slow = tool({
    name: "fetch_page",
    description: "Fetch.",
    input: z.object({ url: z.string() }),
    execute: () => (ran = true),
  });
  const llm = new ScriptedBackend([
    call("fetch_page", { url: "u" }),
    call("done", { answer: "x" }),
  ]);
  const hook: Hook = { preDispatch: () => ({ result: { cached: "<html>" } }) };
  const steps = await Array.fromAsync(
    composableLoop({ llm, tools: [slow], task: "x", hooks: [hook] }),
  );
  assert.equal(ran, false);
  assert.deepEqual(steps[0]!.result, { data: { cached: "<html>" }, durationMs: 0 });
});

Deno.test("preDispatch inject and postDispatch inject reach the next request", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })], {
    recordRequests: true,
  });
  const hook: Hook = {
    preDispatch: () => ({ inject: "pre note" }),
    postDispatch: ({ call }) => call.name === "greet" ? { inject: "post note" } : undefined,
  };
  await composableLoop({ llm, tools: [greet], task: "x", hooks: [hook] }).complete();
  assert.deepEqual(llm.requests[1]!.messages.at(-1), {
    role: "user",
    content: "pre note\n\npost note",
  });
});

Deno.test("postDispatch result replaces what the step and the model see", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })], {
    recordRequests: true,
  });
  const hook: Hook = {
    postDispatch: ({ call, result }) =>
      call.name === "greet" ? { result: { wrapped: result.data } } : undefined,
  };
  const steps = await Array.fromAsync(
    composableLoop({ llm, tools: [greet], task: "x", hooks: [hook] }),
  );
  assert.deepEqual(steps[0]!.result.data, { wrapped: { greeting: "Hello, A!" } });
  assert.equal(llm.requests[1]!.messages[2]!.content, '{"wrapped":{"greeting":"Hello, A!"}}');
});

Deno.test("postDispatch stop ends the run after that step with the hook's reason", async () => {
  const llm = new ScriptedBackend([
    call("greet", { name: "A" }),
    call("greet", { name: "B" }),
    call("done", { answer: "x" }),
  ]);
  const run = composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [{ postDispatch: () => ({ stop: "budget_probe" }) }],
  });
  const steps = await Array.fromAsync(run);
  assert.equal(steps.length, 1);
  assert.equal((await run.outcome).stopReason, "budget_probe");
  assert.equal(llm.calls, 1);
});

Deno.test("checkDone deny rejects done; the model reads why and can finish later", async () => {
  let attempts = 0;
  const gate: Hook = {
    checkDone: () => ++attempts === 1 ? { deny: "tests still fail" } : undefined,
  };
  const llm = new ScriptedBackend([
    call("done", { answer: "early" }),
    call("done", { answer: "late" }),
  ], { recordRequests: true });
  const run = composableLoop({ llm, task: "x", hooks: [gate] });
  const steps = await Array.fromAsync(run);
  assert.equal(
    steps[0]!.pretty(),
    "#1 ✗ done(answer=early) → ERROR: Done rejected: tests still fail",
  );
  assert.equal(steps[0]!.result.errorKind, "rejected");
  assert.equal(llm.requests[1]!.messages.at(-1)?.content, "Error: Done rejected: tests still fail");
  const outcome = await run.outcome;
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.finalAnswer, "late");
});

Deno.test("checkDone sees the candidate answer", async () => {
  const gate: Hook = {
    checkDone: ({ call }) => call.args.answer === "42" ? undefined : { deny: "wrong answer" },
  };
  const llm = new ScriptedBackend([call("done", { answer: "41" }), call("done", { answer: "42" })]);
  const outcome = await composableLoop({ llm, task: "x", hooks: [gate] }).complete();
  assert.equal(outcome.finalAnswer, "42");
  assert.equal(outcome.steps, 2);
});

Deno.test("shouldStop true stops with hook_stop; a string is the stop reason", async () => {
  for (
    const [stop, reason] of [[true, "hook_stop"], ["budget_exceeded", "budget_exceeded"]] as const
  ) {
    const llm = new ScriptedBackend([call("greet", { name: "A" }), call("greet", { name: "B" })]);
    const run = composableLoop({
      llm,
      tools: [greet],
      task: "x",
      hooks: [{ shouldStop: () => ({ stop }) }],
    });
    const steps = await Array.fromAsync(run);
    assert.equal(steps.length, 1);
    assert.equal((await run.outcome).stopReason, reason);
  }
});

Deno.test("a decision field the slot cannot honour throws a TypeError naming hook, slot and field", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" })]);
  const run = composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [{ name: "stopper", prePrompt: () => ({ stop: "now" }) }],
  });
  await assert.rejects(
    () => run.complete(),
    new TypeError(
      `Hook "stopper" returned 'stop' from prePrompt, which prePrompt cannot honour; prePrompt honours 'inject', 'messages'`,
    ),
  );
  await assert.rejects(run.outcome, TypeError);
});

Deno.test("an unknown decision field throws with a did-you-mean", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" })]);
  const run = composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [{ preDispatch: () => ({ denied: "x" }) as never }],
  });
  await assert.rejects(
    () => run.complete(),
    /Hook "hooks\[0\]" returned an unknown decision field 'denied' from preDispatch; did you mean 'deny'\?/,
  );
});

Deno.test("a hook returning a wrong type throws a TypeError", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" })]);
  const run = composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [{ postDispatch: () => "stop please" as never }],
  });
  await assert.rejects(
    () => run.complete(),
    /Hook "hooks\[0\]" returned a string from postDispatch; return a decision object with 'result', 'inject', 'stop', or nothing/,
  );
  const wrongField = composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "A" })]),
    tools: [greet],
    task: "x",
    hooks: [{ preDispatch: () => ({ deny: 42 }) as never }],
  });
  await assert.rejects(
    () => wrongField.complete(),
    /returned 'deny' from preDispatch as a number; it must be a string/,
  );
});

Deno.test("a hook that throws ends the run with a HookError; onLoopEnd still runs", async () => {
  let ended = "";
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]);
  const run = composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [
      {
        name: "buggy",
        postDispatch: () => {
          throw new RangeError("oops");
        },
      },
      { onLoopEnd: ({ outcome }) => void (ended = outcome.stopReason) },
    ],
  });
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const step of run) seen.push(step.number);
  }, (error: unknown) => {
    assert.ok(error instanceof HookError);
    assert.equal(error.message, 'Hook "buggy" failed in postDispatch: oops');
    assert.equal(error.hook, "buggy");
    assert.equal(error.slot, "postDispatch");
    assert.ok(error.cause instanceof RangeError);
    return true;
  });
  assert.deepEqual(seen, []);
  assert.equal(ended, "error");
  await assert.rejects(run.outcome, HookError);
});

Deno.test("an onEvent observer that throws surfaces as a HookError", async () => {
  const llm = new ScriptedBackend([call("done", { answer: "x" })]);
  const run = composableLoop({
    llm,
    task: "x",
    hooks: [{
      onEvent: (e) => {
        if (e.type === "model_delta") throw new Error("bad observer");
      },
    }],
  });
  await assert.rejects(() => run.complete(), /Hook "hooks\[0\]" failed in onEvent: bad observer/);
});

Deno.test("a hook's events list filters what onEvent receives; deltas stream only when asked for", async () => {
  const seen: string[] = [];
  let streamed = 0;
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })]);
  const spy = {
    name: "spy",
    capabilities: llm.capabilities,
    generate: (
      request: Parameters<typeof llm.generate>[0],
      options?: Parameters<typeof llm.generate>[1],
    ) => {
      if (options?.onDelta) streamed++;
      return llm.generate(request, options);
    },
  };
  await composableLoop({
    llm: spy,
    tools: [greet],
    task: "x",
    hooks: [{ events: ["step", "loop_end"], onEvent: (event) => void seen.push(event.type) }],
  }).complete();
  assert.deepEqual(seen, ["step", "step", "loop_end"]);
  assert.equal(streamed, 0, "no hook wants model_delta, so the backend is not asked to stream");
  await composableLoop({
    llm: new ScriptedBackend([call("done", { answer: "x" })]),
    task: "x",
    hooks: [{ events: ["model_delta"], onEvent: () => {} }],
  }).complete();
});

Deno.test("an unknown event type in a hook's events list is refused with a did-you-mean", () => {
  assert.throws(
    () =>
      composableLoop({
        llm: new ScriptedBackend([]),
        task: "x",
        hooks: [{ name: "typo", events: ["steps" as never], onEvent: () => {} }],
      }),
    /hook "typo" lists an unknown event type "steps"; did you mean "step"\?/,
  );
});
