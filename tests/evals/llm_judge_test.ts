import assert from "node:assert/strict";
import { ScriptedBackend } from "../../mod.ts";
import { EvalContext, evalRun, llmJudge } from "../../evals/mod.ts";

const ctx = new EvalContext({
  steps: [{
    number: 1,
    turn: 1,
    tool: "greet",
    args: { name: "Bob" },
    data: {},
    error: undefined,
    errorKind: undefined,
    durationMs: 1,
    pretty: "#1 ✓ greet(name=Bob)",
  }],
  task: "Greet Bob politely",
  finalOutput: "Hello Bob",
  stopReason: "done",
});

Deno.test("llmJudge() asks the given backend and scores from its JSON verdict", async () => {
  const backend = new ScriptedBackend([
    'Sure. {"score": 0.8, "passed": true, "reason": "polite greeting"}',
  ], { recordRequests: true });
  const judge = llmJudge({ backend, criteria: "Greetings are polite", name: "evalPolite" });
  const [result] = await evalRun([judge], ctx);
  assert.equal(result!.name, "evalPolite");
  assert.equal(result!.score, 0.8);
  assert.equal(result!.status, "pass");
  assert.deepEqual(result!.details, ["polite greeting"]);
  const prompt = backend.requests[0]!.messages[0]!.content;
  assert.match(prompt, /TASK\nGreet Bob politely/);
  assert.match(prompt, /CRITERIA\nGreetings are polite/);
  assert.match(prompt, /#1 ✓ greet\(name=Bob\)/);
  assert.match(prompt, /FINAL ANSWER\nHello Bob/);
  assert.equal(backend.requests[0]!.purpose, "judge");
});

Deno.test("llmJudge() without a readable verdict gives an error row", async () => {
  const judge = llmJudge({ backend: new ScriptedBackend(["I think it was fine"]), criteria: "x" });
  const [result] = await evalRun([judge], ctx);
  assert.equal(result!.status, "error");
  assert.match(result!.error ?? "", /replied without a JSON verdict/);
  const outOfRange = llmJudge({ backend: new ScriptedBackend(['{"score": 7}']), criteria: "x" });
  assert.match(
    (await evalRun([outOfRange], ctx))[0]!.error ?? "",
    /gave a score of 7; expected 0 to 1/,
  );
});

Deno.test("llmJudge() requires a backend and criteria", () => {
  assert.throws(
    () => llmJudge({ backend: undefined as unknown as ScriptedBackend, criteria: "x" }),
    /'backend' must be a Backend/,
  );
  assert.throws(
    () => llmJudge({ backend: new ScriptedBackend([]), criteria: " " }),
    /'criteria' must be a non-empty string/,
  );
});
