import assert from "node:assert/strict";
import { costOf, withCost } from "../../backends/with_cost.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import { composableLoop } from "../../loop/composable_loop.ts";
import { think } from "../../tools/think_tool.ts";

const PRICE = {
  inputPerMillion: 3,
  outputPerMillion: 15,
  cacheReadPerMillion: 0.3,
  cacheWritePerMillion: 3.75,
};

Deno.test("costOf() charges cached input at the cache prices", () => {
  const cost = costOf(
    { inputTokens: 2310, outputTokens: 5, cacheReadTokens: 2000, cacheWriteTokens: 300 },
    PRICE,
  );
  assert.ok(Math.abs(cost - (10 * 3 + 2000 * 0.3 + 300 * 3.75 + 5 * 15) / 1e6) < 1e-12);
  assert.equal(
    costOf({ inputTokens: 1_000_000, outputTokens: 0 }, {
      inputPerMillion: 2,
      outputPerMillion: 9,
    }),
    2,
  );
});

Deno.test("withCost() fills usage.cost per turn and the loop sums it on the outcome and steps", async () => {
  const llm = withCost(
    new ScriptedBackend([
      {
        toolCalls: [{ name: "think", args: { thought: "x" } }],
        usage: { inputTokens: 1000, outputTokens: 100 },
      },
      {
        toolCalls: [{ name: "done", args: { answer: "ok" } }],
        usage: { inputTokens: 2000, outputTokens: 10 },
      },
    ]),
    PRICE,
  );
  const run = composableLoop({
    llm,
    task: "t",
    tools: [think],
  });
  const steps = await Array.fromAsync(run);
  const outcome = await run.outcome;
  assert.ok(Math.abs((steps[0]!.usage.cost ?? 0) - 0.0045) < 1e-12);
  assert.ok(Math.abs((outcome.usage.cost ?? 0) - (0.0045 + 0.00615)) < 1e-12);
});

Deno.test("withCost() rejects a missing or negative price", () => {
  const llm = new ScriptedBackend([]);
  assert.throws(
    () => withCost(llm, { inputPerMillion: 1 } as never),
    /'outputPerMillion' must be a non-negative number/,
  );
  assert.throws(() => withCost(llm, { ...PRICE, cacheReadPerMillion: -1 }), RangeError);
});
