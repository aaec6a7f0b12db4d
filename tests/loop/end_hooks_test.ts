import assert from "node:assert/strict";
import { composableLoop, HookError, ScriptedBackend } from "../../mod.ts";
import { closeMcpServers } from "../../tools/mcp/mod.ts";

Deno.test("end-of-run hooks all run when earlier ones throw; the run rejects naming each hook", async () => {
  let closed = 0;
  const server = { close: () => Promise.resolve(void closed++) };
  const ended: string[] = [];
  const run = composableLoop({
    llm: new ScriptedBackend([ScriptedBackend.call("done", { answer: "x" })]),
    task: "x",
    hooks: [
      {
        name: "trace-writer",
        events: ["loop_end"],
        onEvent: () => {
          throw new Error("disk full");
        },
      },
      {
        name: "reporter",
        onLoopEnd: () => {
          throw new RangeError("no report");
        },
      },
      {
        name: "auditor",
        onLoopEnd: () => Promise.reject(new Error("audit failed")),
      },
      { name: "last", onLoopEnd: ({ outcome }) => void ended.push(outcome.stopReason) },
      closeMcpServers([server as never]),
    ],
  });
  await assert.rejects(run.complete(), (error: unknown) => {
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(
      error.errors.map((e: HookError) => [e.hook, e.slot]),
      [["trace-writer", "onEvent"], ["reporter", "onLoopEnd"], ["auditor", "onLoopEnd"]],
    );
    assert.equal(
      error.message,
      'Hook "trace-writer" failed in onEvent: disk full; Hook "reporter" failed in onLoopEnd: ' +
        'no report; Hook "auditor" failed in onLoopEnd: audit failed',
    );
    return true;
  });
  assert.equal(closed, 1, "the servers are closed");
  assert.deepEqual(ended, ["done"]);
});

Deno.test("one end-of-run hook that throws: the run rejects with its HookError", async () => {
  let closed = 0;
  const run = composableLoop({
    llm: new ScriptedBackend([ScriptedBackend.call("done", { answer: "x" })]),
    task: "x",
    hooks: [
      { name: "a", onLoopEnd: () => Promise.reject(new Error("a broke")) },
      closeMcpServers([{ close: () => Promise.resolve(void closed++) } as never]),
    ],
  });
  await assert.rejects(
    run.complete(),
    (error: unknown) =>
      error instanceof HookError && error.message === 'Hook "a" failed in onLoopEnd: a broke',
  );
  assert.equal(closed, 1);
});
