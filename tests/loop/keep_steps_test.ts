import assert from "node:assert/strict";
import { composableLoop, ScriptedBackend } from "../../mod.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../hooks/mod.ts";
import { greet } from "./_tools.ts";

const call = ScriptedBackend.call;

function greeter(names: string[], done = true) {
  return new ScriptedBackend([
    ...names.map((name) => call("greet", { name })),
    ...(done ? [call("done", { answer: "all greeted" })] : []),
  ]);
}

Deno.test("composableLoop({ keepSteps }) keeps the newest records; numbering and outcome.steps stay exact", async () => {
  const run = composableLoop({
    llm: greeter(["A", "B", "C", "D"]),
    tools: [greet],
    task: "Greet everyone",
    keepSteps: 2,
  });
  const steps = await Array.fromAsync(run);
  const outcome = await run.outcome;
  assert.deepEqual(steps.map((step) => step.number), [1, 2, 3, 4, 5]);
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.steps, 5);
  assert.equal(outcome.state.stepsDropped, 3);
  assert.deepEqual(outcome.state.steps.map((step) => step.number), [4, 5]);
});

Deno.test("composableLoop({ keepSteps }) stops at maxSteps counting the dropped steps", async () => {
  const outcome = await composableLoop({
    llm: greeter(["A", "B", "C", "D", "E"], false),
    tools: [greet],
    task: "Greet everyone",
    maxSteps: 3,
    keepSteps: 1,
  }).complete();
  assert.equal(outcome.stopReason, "max_steps");
  assert.equal(outcome.steps, 3);
  assert.equal(outcome.state.stepsDropped, 2);
  assert.deepEqual(outcome.state.steps.map((step) => step.call.args), [{ name: "C" }]);
});

Deno.test("composableLoop({ keepSteps, resume }) carries numbering and budget on; it trims a resumed state", async () => {
  const first = await composableLoop({
    llm: greeter(["A", "B", "C"], false),
    tools: [greet],
    task: "Greet everyone",
    maxSteps: 3,
  }).complete();
  assert.equal(first.state.steps.length, 3);
  const run = composableLoop({
    llm: greeter(["D", "E", "F"], false),
    tools: [greet],
    task: "Greet everyone",
    maxSteps: 5,
    keepSteps: 2,
    resume: first.state,
  });
  const steps = await Array.fromAsync(run);
  const outcome = await run.outcome;
  assert.deepEqual(steps.map((step) => step.number), [4, 5]);
  assert.equal(outcome.stopReason, "max_steps");
  assert.equal(outcome.steps, 5);
  assert.equal(outcome.state.stepsDropped, 3);
  assert.deepEqual(outcome.state.steps.map((step) => step.number), [4, 5]);
  // The caller's state is not changed.
  assert.equal(first.state.steps.length, 3);
  assert.equal(first.state.stepsDropped, undefined);
});

Deno.test("encodeCheckpoint() writes steps_dropped; decodeCheckpoint() restores it", async () => {
  const outcome = await composableLoop({
    llm: greeter(["A", "B", "C"], false),
    tools: [greet],
    task: "Greet everyone",
    maxSteps: 3,
    keepSteps: 1,
  }).complete();
  const document = encodeCheckpoint(outcome.state);
  assert.equal(document.step_count, 3);
  assert.equal(document.steps_dropped, 2);
  assert.equal((document.steps as unknown[]).length, 1);
  const state = decodeCheckpoint(JSON.parse(JSON.stringify(document)), "memory");
  assert.equal(state.stepsDropped, 2);
  assert.deepEqual(state.steps.map((step) => step.number), [3]);
  assert.throws(
    () => decodeCheckpoint({ ...document, steps_dropped: 1 }, "memory"),
    /'step_count' is 3 but 1 steps were found after 1 dropped/,
  );
});

Deno.test("composableLoop() refuses keepSteps that is not a positive integer", () => {
  for (const keepSteps of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => composableLoop({ llm: greeter([]), task: "x", keepSteps }),
      (error) =>
        error instanceof RangeError && /'keepSteps' must be a positive integer/.test(error.message),
    );
  }
});
