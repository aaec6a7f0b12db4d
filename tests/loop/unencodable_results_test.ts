// A result JSON cannot encode (a cycle, a BigInt) reaches the model, the
// step, the checkpoint and the trace as the same JSON-safe value.
import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, tool } from "../../mod.ts";
import { OpenAICompatibleBackend } from "../../backends/mod.ts";
import { checkpointHook, FileCheckpointStore } from "../../hooks/mod.ts";
import { ProvenanceSink } from "../../provenance/mod.ts";

function completion(message: Record<string, unknown>): Response {
  return Response.json({
    id: "x",
    choices: [{
      index: 0,
      message: { role: "assistant", content: null, ...message },
      finish_reason: "tool_calls",
    }],
    usage: { prompt_tokens: 10, completion_tokens: 2 },
  });
}

function toolCall(id: string, name: string, args: unknown) {
  return {
    tool_calls: [{ id, type: "function", function: { name, arguments: JSON.stringify(args) } }],
  };
}

Deno.test("a cyclic and a BigInt result: the model, the step, the checkpoint and the trace see the same value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "looplet-views-" });
  try {
    const report = tool({
      name: "report",
      description: "Return an account record.",
      input: z.object({}),
      execute: () => {
        const account: Record<string, unknown> = { id: "acct", balance: 12345678901234567890n };
        account.self = account;
        account.owner = { name: "Ann", account };
        account.format = () => "";
        return account;
      },
    });
    const bodies: Record<string, unknown>[] = [];
    const replies = [toolCall("c1", "report", {}), toolCall("c2", "done", { answer: "ok" })];
    const llm = new OpenAICompatibleBackend({
      model: "test-model",
      baseUrl: "http://127.0.0.1:9/v1",
      stream: false,
      fetch: (_url: string | URL | Request, init?: RequestInit) => {
        bodies.push(JSON.parse(String(init?.body)));
        return Promise.resolve(completion(replies[bodies.length - 1]!));
      },
    });
    const sink = new ProvenanceSink(`${dir}/trace`);
    const store = new FileCheckpointStore(`${dir}/ckpt`);
    const outcome = await composableLoop({
      llm: sink.wrap(llm),
      tools: [report],
      task: "Report the account",
      hooks: [sink.hook(), checkpointHook(store)],
    }).complete();
    await sink.flush();
    assert.equal(outcome.stopReason, "done");
    const expected = {
      id: "acct",
      balance: "12345678901234567890",
      self: "[Circular]",
      owner: { name: "Ann", account: "[Circular]" },
      format: "[Function]",
    };
    // the step
    assert.deepEqual(outcome.state.steps[0]!.result.data, expected);
    // the model: the real request body of the second call
    const sent = (bodies[1]!.messages as { role: string; content: string }[])
      .find((message) => message.role === "tool")!;
    assert.deepEqual(JSON.parse(sent.content), expected);
    // the checkpoint
    const saved = await new FileCheckpointStore(`${dir}/ckpt`).latest();
    assert.deepEqual(saved?.steps[0]?.result.data, expected);
    assert.deepEqual(
      JSON.parse(saved!.transcript.find((m) => m.role === "tool")!.content),
      expected,
    );
    // the trace
    const [stepFile] = [...Deno.readDirSync(`${dir}/trace/steps`)].map((entry) => entry.name)
      .sort();
    const traced = JSON.parse(Deno.readTextFileSync(`${dir}/trace/steps/${stepFile}`));
    assert.deepEqual(traced.tool_result.data, expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
