import assert from "node:assert/strict";
import { BackendError, type ModelDelta, ScriptedBackend } from "../../mod.ts";

const request = {
  messages: [{ role: "user" as const, content: "hi" }],
  systemPrompt: "",
  tools: [],
};

Deno.test("ScriptedBackend serves text, tool calls, functions and errors in order", async () => {
  const llm = new ScriptedBackend([
    "plain",
    ScriptedBackend.call("greet", { name: "A" }, "why"),
    (req) => `echo ${req.messages[0]!.content}`,
    new BackendError("boom"),
  ]);
  assert.deepEqual(await llm.generate(request), {
    text: "plain",
    usage: { inputTokens: 0, outputTokens: 0 },
  });
  const turn = await llm.generate(request);
  assert.deepEqual(turn.toolCalls, [{
    id: "call_2_1",
    name: "greet",
    args: { name: "A" },
    reasoning: "why",
  }]);
  assert.equal((await llm.generate(request)).text, "echo hi");
  await assert.rejects(() => llm.generate(request), /boom/);
  assert.equal(llm.remaining, 0);
  await assert.rejects(() => llm.generate(request), (error: unknown) => {
    assert.ok(error instanceof BackendError);
    assert.equal(error.retryable, false);
    assert.match(error.message, /ran out of responses after 4 replies/);
    return true;
  });
});

Deno.test("ScriptedBackend records copies of requests when asked", async () => {
  const messages = [{ role: "user" as const, content: "a" }];
  const llm = new ScriptedBackend(["x"], { recordRequests: true });
  await llm.generate({ ...request, messages });
  messages.push({ role: "user", content: "b" });
  assert.equal(llm.requests[0]!.messages.length, 1);
});

Deno.test("ScriptedBackend keeps no requests by default, and says how to keep them", async () => {
  const quiet = new ScriptedBackend(["x"]);
  await quiet.generate(request);
  assert.throws(
    () => quiet.requests,
    (error: Error) =>
      error instanceof TypeError && error.message.includes("{ recordRequests: true }") &&
      error.message.includes("{ lastRequests: n }"),
  );
});

Deno.test("ScriptedBackend({ lastRequests }) keeps only the newest requests, in order", async () => {
  const llm = new ScriptedBackend(["a", "b", "c", "d"], { lastRequests: 2 });
  for (const content of ["1", "2", "3", "4"]) {
    await llm.generate({ ...request, messages: [{ role: "user", content }] });
  }
  assert.deepEqual(llm.requests.map((item) => item.messages[0]!.content), ["3", "4"]);
  for (const lastRequests of [0, -1, 1.5]) {
    assert.throws(() => new ScriptedBackend([], { lastRequests }), RangeError);
  }
});

Deno.test("ScriptedBackend streams deltas and declares its capabilities", async () => {
  const deltas: ModelDelta[] = [];
  const llm = new ScriptedBackend([{
    text: "t",
    toolCalls: [{ name: "n", args: { a: 1 }, id: "i" }],
  }], { nativeTools: false, contextWindow: 1000 });
  await llm.generate(request, { onDelta: (delta) => deltas.push(delta) });
  assert.deepEqual(deltas, [
    { type: "text", text: "t" },
    { type: "tool_call", index: 0, id: "i", name: "n", argsText: '{"a":1}' },
  ]);
  assert.deepEqual(llm.capabilities, { nativeTools: false, streaming: true, contextWindow: 1000 });
});

Deno.test("ScriptedBackend rejects malformed script entries at once", () => {
  assert.throws(
    () => new ScriptedBackend(["ok", 42 as never]),
    /script entry 1 must be a string, a \{ text, toolCalls \} object, an Error or a function, got number/,
  );
});

Deno.test("ScriptedBackend honours an aborted signal", async () => {
  const llm = new ScriptedBackend(["x"], { delayMs: 5_000 });
  const controller = new AbortController();
  const pending = llm.generate(request, { signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
});
