import assert from "node:assert/strict";
import { join } from "node:path";
import { composableLoop, ScriptedBackend } from "../../mod.ts";
import { EvalContext } from "../../evals/mod.ts";
import { greet, record, REFERENCE_TRACE, tempDir } from "./_helpers.ts";

Deno.test("EvalContext.fromTraceDir() exposes steps, task, final output, real stop reason and usage", async () => {
  const dir = await tempDir();
  await record(dir);
  const ctx = await EvalContext.fromTraceDir(dir);
  assert.equal(ctx.completed, true);
  assert.equal(ctx.stopReason, "done");
  assert.deepEqual(ctx.toolSequence, ["greet", "greet", "done"]);
  assert.equal(ctx.stepCount, 3);
  assert.deepEqual(ctx.errors, []);
  assert.deepEqual(ctx.task, { description: "Greet Alice and Bob, then finish." });
  assert.equal(ctx.taskText, "Greet Alice and Bob, then finish.");
  assert.equal(ctx.finalOutput, "Greeted Alice and Bob");
  assert.deepEqual(ctx.usage, { inputTokens: 450, outputTokens: 32 });
  assert.equal(ctx.modelCalls, 3);
  assert.match(ctx.metadata.run_id as string, /^[0-9a-f]{12}$/);
  assert.equal(ctx.metadata.termination_reason, "done");
});

Deno.test("EvalContext.fromTraceDir() reads artifacts.json and metrics.json", async () => {
  const dir = await tempDir();
  await record(dir);
  await Deno.writeTextFile(join(dir, "artifacts.json"), JSON.stringify({ files: ["a.txt"] }));
  await Deno.writeTextFile(
    join(dir, "metrics.json"),
    JSON.stringify({ expected_names: ["Alice", "Bob"], other: 1 }),
  );
  const ctx = await EvalContext.fromTraceDir(dir);
  assert.deepEqual(ctx.artifacts, { files: ["a.txt"] });
  assert.deepEqual(ctx.task.expected_names, ["Alice", "Bob"]);
  assert.equal(ctx.task.other, undefined);
  await Deno.writeTextFile(join(dir, "artifacts.json"), "[1, 2");
  await assert.rejects(() => EvalContext.fromTraceDir(dir), /artifacts.json is not valid JSON/);
});

Deno.test("EvalContext.fromTraceDir() reads a reference-format trace", async () => {
  const ctx = await EvalContext.fromTraceDir(REFERENCE_TRACE);
  assert.equal(ctx.completed, true);
  assert.deepEqual(ctx.toolSequence, ["greet", "greet", "done"]);
  assert.equal(ctx.finalOutput, "Greeted Alice and Bob");
});

Deno.test("EvalContext.fromTraceDir() of a missing trace names the directory", async () => {
  await assert.rejects(
    () => EvalContext.fromTraceDir("/no/trace/here"),
    /Cannot read trace "\/no\/trace\/here"/,
  );
});

Deno.test("EvalContext.fromOutcome() gives no final output when done was rejected", async () => {
  const run = composableLoop({
    llm: new ScriptedBackend([
      ScriptedBackend.call("greet", { name: "A" }),
      ScriptedBackend.call("done", { answer: "too early" }),
    ]),
    tools: [greet],
    task: "Greet",
    maxSteps: 2,
    hooks: [{ checkDone: () => ({ deny: "greet Bob too" }) }],
  });
  const ctx = EvalContext.fromOutcome(await run.complete());
  assert.equal(ctx.completed, false);
  assert.equal(ctx.stopReason, "max_steps");
  assert.equal(ctx.finalOutput, null);
  assert.equal(ctx.errors.length, 1);
  assert.match(ctx.steps[1]!.pretty, /^#2 ✗ done/);
});

Deno.test("EvalContext constructor requires steps", () => {
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new EvalContext({} as any), /'steps' must be an array/);
});
