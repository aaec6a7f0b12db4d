import assert from "node:assert/strict";
import {
  BackendError,
  composableLoop,
  isPromptTooLong,
  type LoopEvent,
  ScriptedBackend,
} from "../../mod.ts";
import { greet } from "./_tools.ts";

const call = ScriptedBackend.call;
const tooLong = () =>
  new BackendError("prompt is too long: 210000 tokens > 200000 maximum", { status: 400 });

Deno.test("isPromptTooLong() recognises the usual markers, status 413 and causes", () => {
  for (
    const text of [
      "prompt is too long: 210000 tokens > 200000 maximum",
      "This model's maximum context length is 128000 tokens",
      '{"error":{"code":"context_length_exceeded"}}',
      "Too many tokens in request",
      "Request too large for gpt-4o",
    ]
  ) assert.equal(isPromptTooLong(new BackendError(text, { status: 400 })), true, text);
  assert.equal(isPromptTooLong(new BackendError("payload", { status: 413 })), true);
  assert.equal(
    isPromptTooLong(new Error("wrapped", { cause: new Error("prompt is too long") })),
    true,
  );
  assert.equal(isPromptTooLong(new BackendError("overloaded", { status: 529 })), false);
  assert.equal(isPromptTooLong(new BackendError("rate limited", { status: 429 })), false);
  assert.equal(isPromptTooLong(undefined), false);
});

Deno.test("onPromptTooLong: the loop retries with the smaller transcript, more than once", async () => {
  const llm = new ScriptedBackend([
    call("greet", { name: "A" }),
    tooLong(),
    tooLong(),
    call("done", { answer: "ok" }),
  ], { recordRequests: true });
  const attempts: number[] = [];
  const events: LoopEvent[] = [];
  const run = composableLoop({
    llm,
    tools: [greet],
    task: "x",
    retry: { attempts: 1 },
    hooks: [{
      onPromptTooLong: ({ attempt, messages }) => {
        attempts.push(attempt);
        return { messages: messages.slice(0, messages.length - attempt) };
      },
      onEvent: (event) => void (event.type === "prompt_too_long" && events.push(event)),
    }],
  });
  const outcome = await run.complete();
  assert.equal(outcome.stopReason, "done");
  assert.deepEqual(attempts, [1, 2]);
  const sizes = llm.requests.map((request) => request.messages.length);
  assert.deepEqual(sizes, [1, 3, 2, 0]);
  assert.equal(events.length, 2);
  assert.ok(events.every((event) => event.type === "prompt_too_long" && event.recovered));
});

Deno.test("onPromptTooLong: without a recovery (or past the limit) the run ends with llm_error", async () => {
  const none = await composableLoop({
    llm: new ScriptedBackend([tooLong()]),
    task: "x",
    retry: { attempts: 1 },
  }).complete();
  assert.equal(none.stopReason, "llm_error");
  assert.match(none.error?.message ?? "", /prompt is too long/);

  let asked = 0;
  const limited = await composableLoop({
    llm: new ScriptedBackend([tooLong(), tooLong(), tooLong()]),
    task: "x",
    retry: { attempts: 1 },
    promptTooLongRecoveries: 2,
    hooks: [{ onPromptTooLong: ({ messages }) => (asked++, { messages }) }],
  }).complete();
  assert.equal(limited.stopReason, "llm_error");
  assert.equal(asked, 2);
  assert.equal(limited.modelCalls, 3);
});

Deno.test("composableLoop() rejects a bad promptTooLongRecoveries and a wrong onPromptTooLong decision", async () => {
  assert.throws(
    () => composableLoop({ llm: new ScriptedBackend([]), task: "x", promptTooLongRecoveries: -1 }),
    /'promptTooLongRecoveries' must be a non-negative integer, got -1/,
  );
  const run = composableLoop({
    llm: new ScriptedBackend([tooLong()]),
    task: "x",
    hooks: [{ name: "bad", onPromptTooLong: () => ({ inject: "x" }) }],
  });
  await assert.rejects(run.complete(), /Hook "bad" returned 'inject' from onPromptTooLong/);
});
