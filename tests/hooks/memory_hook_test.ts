import assert from "node:assert/strict";
import { composableLoop, ScriptedBackend } from "../../mod.ts";
import { memoryHook } from "../../hooks/mod.ts";
import { greet } from "../loop/_tools.ts";

const call = ScriptedBackend.call;

Deno.test("memoryHook() injects static and callable memory into every prompt, skipping empty sources", async () => {
  const llm = new ScriptedBackend([call("greet", { name: "A" }), call("done", { answer: "x" })], {
    recordRequests: true,
  });
  await composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [memoryHook([
      "  The user prefers metric units.  ",
      (state) => `Steps so far: ${state.steps.length}`,
      async () => await Promise.resolve(undefined),
      () => "   ",
    ])],
  }).complete();
  const last = (i: number) => llm.requests[i]!.messages.at(-1)!;
  assert.equal(last(0).content, "Memory:\nThe user prefers metric units.\n\nSteps so far: 0");
  assert.equal(last(1).content, "Memory:\nThe user prefers metric units.\n\nSteps so far: 1");
  // memory is per-prompt context, not stored in the transcript
  assert.equal(llm.requests[1]!.messages.filter((m) => m.content.startsWith("Memory:")).length, 1);
});

Deno.test("memoryHook() injects nothing when every source is empty, and rejects bad sources", async () => {
  const llm = new ScriptedBackend([call("done", { answer: "x" })], { recordRequests: true });
  await composableLoop({ llm, task: "x", hooks: [memoryHook([() => null], { heading: "M" })] })
    .complete();
  assert.equal(llm.requests[0]!.messages.length, 1);
  assert.throws(
    () => memoryHook([3 as never]),
    /sources\[0\] must be a string or a \(state\) => string/,
  );
});
