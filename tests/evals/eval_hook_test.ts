import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, ScriptedBackend, tool } from "../../mod.ts";
import { EvalHook } from "../../evals/mod.ts";
import { greet } from "./_helpers.ts";

Deno.test("EvalHook scores the run as it ends, with the real stop reason and final answer", async () => {
  const finish = tool({
    name: "finish",
    description: "Finish.",
    input: z.object({ answer: z.string() }),
    execute: ({ answer }) => answer,
  });
  let seen: readonly unknown[] = [];
  const hook = new EvalHook({
    evalCompleted: (ctx) => ctx.completed,
    evalAnswer: (ctx) => ctx.finalOutput === "hi Bob",
    evalTask: (ctx) => ctx.taskText === "Greet Bob",
  }, { onResults: (results) => void (seen = results) });
  await composableLoop({
    llm: new ScriptedBackend([
      ScriptedBackend.call("greet", { name: "Bob" }),
      ScriptedBackend.call("finish", { answer: "hi Bob" }),
    ]),
    tools: [greet, finish],
    doneTool: "finish",
    task: "Greet Bob",
    hooks: [hook],
  }).complete();
  assert.deepEqual(hook.results.map((r) => [r.name, r.status]), [["evalCompleted", "pass"], [
    "evalAnswer",
    "pass",
  ], ["evalTask", "pass"]]);
  assert.equal(seen, hook.results);
  assert.equal(hook.passed, true);
  assert.equal(hook.summary(), "3 passed, 0 failed (avg score 1.00)");
  assert.match(hook.report(), /^✓ evalCompleted +1\.00 {2}pass\n/);
});

Deno.test("EvalHook merges collector artifacts and reports collectors that fail", async () => {
  const hook = new EvalHook({ evalHasFiles: (ctx) => Array.isArray(ctx.artifacts.files) }, {
    collectors: [
      () => ({ files: ["a"], note: "first" }),
      () => {
        throw new Error("pytest missing");
      },
      () => [] as unknown as Record<string, unknown>,
      (state) => ({ note: `steps ${state.steps.length}` }),
    ],
  });
  await composableLoop({
    llm: new ScriptedBackend([ScriptedBackend.call("done", { answer: "x" })]),
    task: "t",
    hooks: [hook],
  }).complete();
  assert.deepEqual(hook.artifacts, { files: ["a"], note: "steps 1" });
  assert.deepEqual(hook.collectorErrors, [
    "collectors[1] threw: pytest missing",
    "collectors[2] returned an array, not an object",
  ]);
  assert.equal(hook.results[0]!.status, "pass");
});

Deno.test("EvalHook sees a failed run as not completed", async () => {
  const hook = new EvalHook([function evalCompleted(ctx) {
    return ctx.completed;
  }]);
  await composableLoop({
    llm: new ScriptedBackend([ScriptedBackend.call("greet", { name: "A" })]),
    tools: [greet],
    task: "t",
    maxSteps: 1,
    hooks: [hook],
  }).complete();
  assert.equal(hook.context?.stopReason, "max_steps");
  assert.equal(hook.results[0]!.status, "fail");
  assert.equal(hook.passed, false);
});
