// Budgets and guards: budgetWarningHook, perToolLimitHook, stagnationHook, tokenBudgetHook.
import assert from "node:assert/strict";
import { composableLoop, ScriptedBackend } from "../../mod.ts";
import {
  budgetWarningHook,
  perToolLimitHook,
  STAGNATION_NUDGE,
  stagnationHook,
  tokenBudgetHook,
} from "../../hooks/mod.ts";
import { add, greet } from "../loop/_tools.ts";

const call = ScriptedBackend.call;

function greets(n: number, name = (i: number) => `P${i}`) {
  return Array.from({ length: n }, (_, i) => call("greet", { name: name(i) }));
}

Deno.test("budgetWarningHook() warns once per threshold as the step budget runs low", async () => {
  const llm = new ScriptedBackend(greets(10), { recordRequests: true });
  await composableLoop({
    llm,
    tools: [greet],
    task: "x",
    maxSteps: 10,
    hooks: [budgetWarningHook({ maxSteps: 10 })],
  }).complete();
  const warnings = llm.requests.map((request) =>
    request.messages.filter((m) => m.content.startsWith("[low budget]")).length
  );
  // after step 5 (50% left) and step 8 (20% left); each appears once and stays in the transcript
  assert.deepEqual(warnings, [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]);
  const texts = llm.requests[9]!.messages.filter((m) => m.content.startsWith("[low budget]")).map((
    m,
  ) => m.content);
  assert.deepEqual(texts, [
    "[low budget] 50% of the step budget remains (5 steps). Start consolidating.",
    "[low budget] 20% of the step budget remains (2 steps). Start consolidating.",
  ]);
  assert.throws(
    () => budgetWarningHook({ maxSteps: 10, thresholds: [1.5] }),
    /thresholds must be between 0 and 1, got 1.5/,
  );
  assert.throws(() => budgetWarningHook({} as never), /'maxSteps' must be a positive integer/);
});

Deno.test("budgetWarningHook() does not repeat thresholds already passed before a resume", async () => {
  const first = await composableLoop({
    llm: new ScriptedBackend(greets(6)),
    tools: [greet],
    task: "x",
    maxSteps: 6,
  }).complete();
  const llm = new ScriptedBackend(greets(4), { recordRequests: true });
  await composableLoop({
    llm,
    tools: [greet],
    task: "x",
    maxSteps: 10,
    resume: first.state,
    hooks: [budgetWarningHook({ maxSteps: 10 })],
  }).complete();
  const texts = llm.requests.at(-1)!.messages.filter((m) => m.content.startsWith("[low budget]"))
    .map((m) => m.content);
  assert.deepEqual(texts, [
    "[low budget] 20% of the step budget remains (2 steps). Start consolidating.",
  ]);
});

Deno.test("perToolLimitHook() refuses calls over a tool's limit and counts resumed steps", async () => {
  const outcome = await composableLoop({
    llm: new ScriptedBackend([
      ...greets(3),
      call("add", { a: 1, b: 2 }),
      call("done", { answer: "x" }),
    ]),
    tools: [greet, add],
    task: "x",
    hooks: [perToolLimitHook({ limits: { greet: 2 }, defaultLimit: 1 })],
  }).complete();
  const results = outcome.state.steps.map((s) => s.result.error ?? "ok");
  assert.deepEqual(results, [
    "ok",
    "ok",
    'Tool "greet" reached its limit for this run (2/2). Try a different approach.',
    "ok",
    "ok",
  ]);
  const resumed = await composableLoop({
    llm: new ScriptedBackend([call("add", { a: 1, b: 1 })]),
    tools: [greet, add],
    task: "x",
    maxSteps: 6,
    resume: { ...outcome.state, stopReason: "max_steps" },
    hooks: [perToolLimitHook({ limits: { add: 1 } })],
  }).complete();
  assert.match(
    resumed.state.steps[5]!.result.error ?? "",
    /Tool "add" reached its limit for this run \(1\/1\)/,
  );
  assert.throws(() => perToolLimitHook({}), /give 'limits', 'defaultLimit' or both/);
  assert.throws(
    () => perToolLimitHook({ limits: { a: -1 } }),
    /the limit for "a" must be a non-negative integer, got -1/,
  );
});

Deno.test("stagnationHook() nudges after the same call and result repeat, once per streak", async () => {
  const llm = new ScriptedBackend([...greets(7, () => "Same"), call("greet", { name: "Other" })], {
    recordRequests: true,
  });
  await composableLoop({
    llm,
    tools: [greet],
    task: "x",
    maxSteps: 8,
    hooks: [stagnationHook({ threshold: 3 })],
  }).complete();
  const nudges = llm.requests.map((r) =>
    r.messages.filter((m) => m.content === STAGNATION_NUDGE).length
  );
  assert.deepEqual(nudges, [0, 0, 0, 1, 1, 1, 2, 2]);
  const ignored = new ScriptedBackend(greets(5, () => "Same"), { recordRequests: true });
  await composableLoop({
    llm: ignored,
    tools: [greet],
    task: "x",
    maxSteps: 5,
    hooks: [stagnationHook({ threshold: 2, ignoreTools: ["greet"] })],
  }).complete();
  assert.ok(ignored.requests.every((r) => r.messages.every((m) => m.content !== STAGNATION_NUDGE)));
  assert.throws(
    () => stagnationHook({ threshold: 1 }),
    /'threshold' must be an integer of at least 2, got 1/,
  );
});

Deno.test("stagnationHook() sees the same arguments in another key order as a repeat", async () => {
  const llm = new ScriptedBackend([
    call("add", { a: 1, b: 2 }),
    call("add", { b: 2, a: 1 }),
    call("add", { a: 1, b: 2 }),
  ], { recordRequests: true });
  await composableLoop({
    llm,
    tools: [add],
    task: "x",
    maxSteps: 3,
    hooks: [stagnationHook({ threshold: 2 })],
  }).complete();
  const nudges = llm.requests.map((r) =>
    r.messages.filter((m) => m.content === STAGNATION_NUDGE).length
  );
  assert.deepEqual(nudges, [0, 0, 1]);
});

Deno.test("tokenBudgetHook() stops the run once usage reaches the budget", async () => {
  const usage = { inputTokens: 400, outputTokens: 100 };
  const llm = new ScriptedBackend(greets(5).map((turn) => ({ ...turn, usage })));
  const outcome = await composableLoop({
    llm,
    tools: [greet],
    task: "x",
    hooks: [tokenBudgetHook({ maxTokens: 1200 })],
  }).complete();
  assert.equal(outcome.stopReason, "token_budget");
  assert.equal(outcome.modelCalls, 3);
  const costly = await composableLoop({
    llm: new ScriptedBackend(
      greets(5).map((turn) => ({ ...turn, usage: { ...usage, cost: 0.4 } })),
    ),
    tools: [greet],
    task: "x",
    hooks: [tokenBudgetHook({ maxCost: 1, stopReason: "over_cost" })],
  }).complete();
  assert.equal(costly.stopReason, "over_cost");
  assert.equal(costly.modelCalls, 3);
  assert.throws(() => tokenBudgetHook({}), /give 'maxTokens', 'maxCost' or both/);
  assert.throws(
    () => tokenBudgetHook({ maxTokens: 0 }),
    /'maxTokens' must be a positive number, got 0/,
  );
});
