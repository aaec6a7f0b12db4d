import assert from "node:assert/strict";
import { EvalContext, evalMark, evalRun, evalSummary } from "../../evals/mod.ts";

const ctx = new EvalContext({
  steps: [{
    number: 1,
    turn: 1,
    tool: "done",
    args: {},
    data: "x",
    error: undefined,
    errorKind: undefined,
    durationMs: 1,
    pretty: "#1 ✓ done()",
  }],
  stopReason: "done",
});

Deno.test("evalRun() reports an evaluator that throws as an error row and runs the others", async () => {
  const results = await evalRun({
    evalFirst: () => true,
    evalBoom: () => {
      throw new TypeError("no such field");
    },
    evalAsync: async () => await Promise.resolve(0.75),
  }, ctx);
  assert.deepEqual(results.map((r) => [r.name, r.status]), [["evalFirst", "pass"], [
    "evalBoom",
    "error",
  ], ["evalAsync", "pass"]]);
  assert.equal(results[1]!.error, "TypeError: no such field");
  assert.equal(results[2]!.score, 0.75);
});

Deno.test("evalRun() filters by marks", async () => {
  const fast = evalMark(["fast"], function evalFast() {
    return true;
  });
  const slow = evalMark(["slow"], function evalSlow() {
    return true;
  });
  const plain = function evalPlain() {
    return true;
  };
  const names = async (options: { include?: string[]; exclude?: string[] }) =>
    (await evalRun([fast, slow, plain], ctx, options)).map((r) => r.name);
  assert.deepEqual(await names({}), ["evalFast", "evalSlow", "evalPlain"]);
  assert.deepEqual(await names({ include: ["fast"] }), ["evalFast"]);
  assert.deepEqual(await names({ exclude: ["slow"] }), ["evalFast", "evalPlain"]);
});

Deno.test("evalRun() rejects a malformed evaluator list", async () => {
  // deno-lint-ignore no-explicit-any
  await assert.rejects(() => evalRun([42 as any], ctx), /evaluators\[0\] must be a function/);
});

Deno.test("evalSummary() counts passes, failures and errors", async () => {
  const results = await evalRun({
    a: () => true,
    b: () => ({ score: 0 }),
    c: () => undefined as unknown as boolean,
  }, ctx);
  assert.equal(evalSummary(results), "1 passed, 1 failed, 1 error (avg score 0.50)");
  assert.equal(evalSummary([]), "no results");
});
