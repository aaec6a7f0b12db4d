import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, type LoopEvent, ScriptedBackend } from "../../mod.ts";
import { subAgentTool } from "../../hooks/mod.ts";
import { greet, hang } from "../loop/_tools.ts";

const call = ScriptedBackend.call;

Deno.test("subAgentTool(): the child's steps reach the parent's hooks and its usage the parent's totals", async () => {
  const child = new ScriptedBackend([
    {
      toolCalls: [{ name: "greet", args: { name: "Kid" } }],
      usage: { inputTokens: 30, outputTokens: 4 },
    },
    {
      toolCalls: [{ name: "done", args: { answer: "greeted Kid" } }],
      usage: { inputTokens: 40, outputTokens: 5 },
    },
  ]);
  const helper = subAgentTool({
    name: "helper",
    description: "Greets on your behalf.",
    input: z.object({ who: z.string() }),
    agent: ({ who }) => ({ llm: child, tools: [greet], task: `Greet ${who}` }),
  });
  const progress: LoopEvent[] = [];
  const run = composableLoop({
    llm: new ScriptedBackend([
      {
        toolCalls: [{ name: "helper", args: { who: "Kid" } }],
        usage: { inputTokens: 10, outputTokens: 1 },
      },
      call("done", { answer: "ok" }),
    ]),
    tools: [helper],
    task: "Delegate",
    hooks: [{ onEvent: (event) => void (event.type === "tool_progress" && progress.push(event)) }],
  });
  const steps = await Array.fromAsync(run);
  assert.deepEqual(steps[0]!.result.data, { answer: "greeted Kid", stop_reason: "done", steps: 2 });
  assert.deepEqual(
    progress.map((e) =>
      e.type === "tool_progress" && [e.message, (e.data as { call: { tool: string } }).call.tool]
    ),
    [["helper step 1", "greet"], ["helper step 2", "done"]],
  );
  assert.deepEqual(steps[0]!.usage, { inputTokens: 80, outputTokens: 10 });
  assert.deepEqual((await run.outcome).usage, { inputTokens: 80, outputTokens: 10 });
});

Deno.test("subAgentTool(): cancelling the parent cancels the child", async () => {
  const controller = new AbortController();
  let childSignal: AbortSignal | undefined;
  const slow = subAgentTool({
    name: "slow",
    description: "Never finishes.",
    input: z.object({}),
    agent: () => ({
      llm: new ScriptedBackend([call("hang"), call("hang"), call("hang")]),
      tools: [{ ...hang, timeoutMs: undefined }],
      task: "hang",
      hooks: [{ onLoopStart: ({ signal }) => void (childSignal = signal) }],
    }),
  });
  const run = composableLoop({
    llm: new ScriptedBackend([call("slow")]),
    tools: [slow],
    task: "x",
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 20);
  const outcome = await run.complete();
  assert.equal(outcome.stopReason, "cancelled");
  assert.equal(childSignal?.aborted, true);
});

Deno.test("subAgentTool() takes a run you started, and a result shaper", async () => {
  const helper = subAgentTool({
    name: "helper",
    description: "x",
    input: z.object({}),
    agent: (_args, ctx) =>
      composableLoop({
        llm: new ScriptedBackend([call("done", { answer: "42" })]),
        task: "x",
        signal: ctx.signal,
      }),
    result: (outcome) => ({ value: outcome.finalAnswer }),
  });
  const outcome = await composableLoop({
    llm: new ScriptedBackend([call("helper"), call("done", { answer: "ok" })]),
    tools: [helper],
    task: "x",
  }).complete();
  assert.deepEqual(outcome.state.steps[0]!.result.data, { value: "42" });
  assert.throws(
    () => subAgentTool({ name: "x", description: "x", input: z.object({}) } as never),
    /Cannot make sub-agent tool "x": 'agent' must be a function/,
  );
});
