import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, ScriptedBackend, tool } from "../../mod.ts";
import { approvalHook, checkpointHook, FileCheckpointStore } from "../../hooks/mod.ts";

const call = ScriptedBackend.call;

function setup() {
  const deleted: string[] = [];
  const deleteRows = tool({
    name: "delete_rows",
    description: "Delete rows matching a filter.",
    input: z.object({ where: z.string() }),
    execute: ({ where }) => {
      deleted.push(where);
      return { deleted: 3 };
    },
  });
  const count = tool({
    name: "count_rows",
    description: "Count rows.",
    input: z.object({}),
    execute: () => ({ count: 10 }),
  });
  const script = () =>
    new ScriptedBackend([
      call("count_rows"),
      call("delete_rows", { where: "age > 90" }),
      call("done", { answer: "cleaned" }),
    ]);
  return { deleted, tools: [deleteRows, count], script };
}

Deno.test("approvalHook() pauses before a listed tool, with the pending call and a checkpoint", async () => {
  const { deleted, tools, script } = setup();
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileCheckpointStore(dir);
    const hooks = [approvalHook({ tools: [tools[0]!] }), checkpointHook(store)];
    const first = await composableLoop({ llm: script(), tools, task: "Clean", hooks }).complete();
    assert.equal(first.stopReason, "awaiting_approval");
    assert.equal(first.pending?.call.name, "delete_rows");
    assert.deepEqual(first.pending?.call.args, { where: "age > 90" });
    assert.equal(first.pending?.reason, '"delete_rows" needs approval');
    assert.deepEqual(deleted, []);
    const saved = await store.latest({ task: "Clean" });
    assert.equal(saved?.stopReason, "awaiting_approval");
    assert.equal(saved?.pending?.call.name, "delete_rows");

    // resume from the checkpoint, approved: exactly that call runs, the model is not asked again for it
    const llm = new ScriptedBackend([call("done", { answer: "cleaned" })], {
      recordRequests: true,
    });
    const resumed = await composableLoop({
      llm,
      tools,
      task: "Clean",
      hooks,
      resume: saved,
      approval: { approve: true },
    }).complete();
    assert.deepEqual(deleted, ["age > 90"]);
    assert.equal(resumed.stopReason, "done");
    assert.equal(llm.requests.length, 1);
    assert.deepEqual(resumed.state.steps.map((s) => s.call.tool), [
      "count_rows",
      "delete_rows",
      "done",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("approvalHook({ ask }) waits for the approver: yes runs, no refuses, pause pauses", async () => {
  for (
    const [answer, expected] of [
      [true, { deleted: ["age > 90"], stop: "done", error: undefined }],
      [{ approve: false, reason: "too risky" }, {
        deleted: [],
        stop: "done",
        error: "Denied by the approver: too risky",
      }],
      [false, { deleted: [], stop: "done", error: "Denied by the approver: no reason given" }],
      ["pause", { deleted: [], stop: "awaiting_approval", error: undefined }],
    ] as const
  ) {
    const { deleted, tools, script } = setup();
    const asked: string[] = [];
    const outcome = await composableLoop({
      llm: script(),
      tools,
      task: "Clean",
      hooks: [approvalHook({
        tools: (c) => c.name.startsWith("delete"),
        reason: (c) => `Delete where ${c.args.where}?`,
        ask: async ({ call, reason, step }) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          asked.push(`${step} ${call.name} ${reason}`);
          return answer;
        },
      })],
    }).complete();
    assert.deepEqual(asked, ["2 delete_rows Delete where age > 90?"]);
    assert.deepEqual(deleted, expected.deleted);
    assert.equal(outcome.stopReason, expected.stop);
    if (expected.stop === "done") {
      assert.equal(outcome.state.steps[1]!.result.error, expected.error);
    }
  }
});

Deno.test("approvalHook() rejects bad options and bad answers", async () => {
  assert.throws(
    () => approvalHook({ tools: "delete_rows" as never }),
    /'tools' must be an array of tools or tool names, or a \(call\) => boolean/,
  );
  assert.throws(() => approvalHook({ tools: [], ask: "yes" as never }), /'ask' must be a function/);
  const { tools, script } = setup();
  const run = composableLoop({
    llm: script(),
    tools,
    task: "Clean",
    hooks: [approvalHook({ tools: ["delete_rows"], ask: () => "maybe" as never })],
  });
  await assert.rejects(run.complete(), /Approval callback returned "maybe" for "delete_rows"/);
});
