// What the loop does with model mistakes: each becomes a failed step the model reads.
import assert from "node:assert/strict";
import { z } from "zod";
import {
  type AnyTool,
  composableLoop,
  ScriptedBackend,
  type ScriptedResponse,
  type Step,
  tool,
  ToolInputError,
} from "../../mod.ts";
import { OpenAICompatibleBackend } from "../../backends/mod.ts";
import { add, boom, greet, hang } from "./_tools.ts";

const call = ScriptedBackend.call;

async function firstStep(reply: ScriptedResponse, tools: AnyTool[] = [greet, add, boom, hang]) {
  const llm = new ScriptedBackend([reply, call("done", { answer: "x" })], { recordRequests: true });
  const steps: Step[] = await Array.fromAsync(composableLoop({ llm, tools, task: "x" }));
  return { step: steps[0], llm, steps };
}

Deno.test("an unknown tool fails with a did-you-mean and the tool list", async () => {
  const { step, llm } = await firstStep(call("gret", { name: "A" }));
  assert.equal(step!.result.errorKind, "unknown_tool");
  assert.equal(
    step!.result.error,
    'Unknown tool "gret". Did you mean "greet"? Available tools: greet, add, boom, hang, done',
  );
  assert.match(llm.requests[1]!.messages[2]!.content, /^Error: Unknown tool "gret"/);
});

Deno.test("invalid arguments fail with Zod's prettified error and a did-you-mean", async () => {
  const { step } = await firstStep(call("add", { a: "one", bb: 2 }));
  assert.equal(step!.result.errorKind, "validation");
  assert.equal(
    step!.result.error,
    'Invalid arguments for tool "add":\n✖ Invalid input: expected number, received string\n  → at a\n' +
      "✖ Invalid input: expected number, received undefined\n  → at b\n" +
      'Unexpected argument "bb"; did you mean "b"?\nExpected arguments: a, b',
  );
});

Deno.test("arguments that are not JSON fail as a parse error", async () => {
  const text = await firstStep('{"tool": "greet", "args": "Alice"}');
  assert.equal(text.step!.result.errorKind, "parse");
  assert.equal(text.step!.result.error, 'The arguments of "greet" are not a JSON object: Alice');
});

Deno.test("native calls whose arguments failed to parse become parse errors", async () => {
  const backend = {
    name: "broken-args",
    capabilities: { nativeTools: true },
    calls: 0,
    generate() {
      return Promise.resolve(
        this.calls++ === 0
          ? {
            text: "",
            toolCalls: [{ id: "c1", name: "greet", args: {}, argsError: '{"name": "Al' }],
          }
          : { text: "", toolCalls: [{ id: "c2", name: "done", args: { answer: "x" } }] },
      );
    },
  };
  const steps = await Array.fromAsync(composableLoop({ llm: backend, tools: [greet], task: "x" }));
  assert.equal(
    steps[0]!.result.error,
    'The arguments of "greet" are not a JSON object: {"name": "Al',
  );
  assert.equal(steps[1]!.call.tool, "done");
});

Deno.test("a tool that throws fails as an execution error with the error's name", async () => {
  const { step } = await firstStep(call("boom"));
  assert.deepEqual([step!.result.errorKind, step!.result.error], ["execution", "Error: kaboom"]);
  assert.ok(step!.result.durationMs >= 0);
});

Deno.test("ToolInputError passes its message through verbatim as a validation error", async () => {
  const picky = tool({
    name: "picky",
    description: "Refuses odd numbers.",
    input: z.object({ n: z.number() }),
    execute: ({ n }) => {
      if (n % 2) throw new ToolInputError(`n must be even, got ${n}`);
      return n;
    },
  });
  const { step } = await firstStep(call("picky", { n: 3 }), [picky]);
  assert.deepEqual([step!.result.errorKind, step!.result.error], [
    "validation",
    "n must be even, got 3",
  ]);
});

Deno.test("a tool that never returns times out through its AbortSignal", async () => {
  const started = performance.now();
  const { step } = await firstStep(call("hang"));
  assert.deepEqual([step!.result.errorKind, step!.result.error], [
    "timeout",
    'Tool "hang" timed out after 30ms',
  ]);
  assert.ok(performance.now() - started < 2000);
});

Deno.test("a tool that ignores its signal still times out, and its late failure is contained", async () => {
  const stubborn = tool({
    name: "stubborn",
    description: "Ignores abort, then fails late.",
    input: z.object({}),
    timeoutMs: 10,
    execute: () => new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 40)),
  });
  const { step } = await firstStep(call("stubborn"), [stubborn]);
  assert.equal(step!.result.errorKind, "timeout");
  await new Promise((resolve) => setTimeout(resolve, 60)); // the late rejection must not be unhandled
});

Deno.test("a reply with no tool call is a parse-error step and the model is told how to reply", async () => {
  const llm = new ScriptedBackend(["I think I am finished.", call("done", { answer: "x" })], {
    recordRequests: true,
  });
  const run = composableLoop({ llm, task: "x" });
  const steps = await Array.fromAsync(run);
  assert.equal(
    steps[0]!.pretty(),
    "#1 ✗ __parse_error__() → ERROR: The reply had no tool call that could be read",
  );
  assert.equal(steps[0]!.result.errorKind, "parse");
  assert.equal(steps[0]!.call.reasoning, "I think I am finished.");
  const last = llm.requests[1]!.messages.at(-1)!;
  assert.equal(last.role, "user");
  assert.match(
    last.content,
    /Reply with a tool call\. Call "done" with your answer when the task is complete\./,
  );
  assert.equal((await run.outcome).stopReason, "done");
});

Deno.test("an empty reply is a parse-error step; text-protocol models are shown the JSON shape", async () => {
  const llm = new ScriptedBackend(["", '{"tool":"done","args":{"answer":"x"}}'], {
    recordRequests: true,
    nativeTools: false,
  });
  const steps = await Array.fromAsync(composableLoop({ llm, task: "x" }));
  assert.equal(steps[0]!.result.error, "The reply was empty: it had no text and no tool call");
  assert.match(
    llm.requests[1]!.messages.at(-1)!.content,
    /as JSON: \{"tool": "<name>", "args": \{\.\.\.\}\}/,
  );
});

Deno.test("a model that only writes prose ends at maxSteps, never loops forever", async () => {
  const llm = new ScriptedBackend(["hmm", "hmm", "hmm"]);
  const run = composableLoop({ llm, task: "x", maxSteps: 3 });
  const steps = await Array.fromAsync(run);
  assert.equal(steps.length, 3);
  assert.equal((await run.outcome).stopReason, "max_steps");
  assert.equal((await run.outcome).state.parseFailures, 3);
});

Deno.test("done with invalid arguments is not accepted; the run goes on", async () => {
  const llm = new ScriptedBackend([call("done", { result: "x" }), call("done", { answer: "ok" })]);
  const run = composableLoop({ llm, task: "x" });
  const steps = await Array.fromAsync(run);
  assert.equal(steps[0]!.result.errorKind, "validation");
  assert.match(steps[0]!.result.error!, /Unexpected argument "result"/);
  assert.equal((await run.outcome).finalAnswer, "ok");
});

Deno.test("calls after an accepted done are not run, but answered in the transcript", async () => {
  let ran = false;
  const side = tool({
    name: "side",
    description: "Side effect.",
    input: z.object({}),
    execute: () => (ran = true),
  });
  const llm = new ScriptedBackend([{
    toolCalls: [{ name: "done", args: { answer: "x" } }, { name: "side" }],
  }]);
  const run = composableLoop({ llm, tools: [side], task: "x" });
  const steps = await Array.fromAsync(run);
  assert.equal(steps.length, 1);
  assert.equal(ran, false);
  const transcript = (await run.outcome).state.transcript;
  assert.equal(transcript.at(-1)?.content, "Error: Not run: the run finished with done first");
});

Deno.test("a backend that returns a malformed turn ends the run with llm_error", async () => {
  const llm = {
    name: "weird",
    capabilities: { nativeTools: true },
    generate: () => Promise.resolve({ toolCalls: [] } as never),
  };
  const outcome = await composableLoop({ llm, task: "x" }).complete();
  assert.equal(outcome.stopReason, "llm_error");
  assert.equal(
    outcome.error?.message,
    'Backend "weird" returned an invalid turn: expected { text, toolCalls? }',
  );
});

Deno.test('a native call with an empty tool name fails as such, not as unknown tool ""', async () => {
  const replies = [
    { id: "c1", type: "function", function: { name: "", arguments: "{}" } },
    { id: "c2", type: "function", function: { name: "done", arguments: '{"answer":"x"}' } },
  ].map((toolCall) => ({
    choices: [{
      message: { role: "assistant", content: null, tool_calls: [toolCall] },
      finish_reason: "tool_calls",
    }],
  }));
  const fetch = () =>
    Promise.resolve(
      new Response(JSON.stringify(replies.shift()), {
        headers: { "content-type": "application/json" },
      }),
    );
  const llm = new OpenAICompatibleBackend({ model: "m", apiKey: "k", fetch, stream: false });
  const steps = await Array.fromAsync(composableLoop({ llm, tools: [greet], task: "x" }));
  assert.equal(steps[0]!.result.errorKind, "unknown_tool");
  assert.equal(
    steps[0]!.result.error,
    "The model called a tool with an empty name; call one of: greet, done",
  );
  assert.equal(steps[1]!.call.tool, "done");
});
