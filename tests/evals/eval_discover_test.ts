import assert from "node:assert/strict";
import { join } from "node:path";
import { evalDiscover } from "../../evals/mod.ts";
import { EVALS_MIXED, EVALS_OK } from "./_helpers.ts";

Deno.test("evalDiscover() collects exported eval* functions and tagged ones, not re-exports or helpers", async () => {
  const found = await evalDiscover(EVALS_OK);
  assert.deepEqual(found.evaluators.map((e) => e.name), [
    "evalCompleted",
    "evalGreetedBoth",
    "evalNoErrors",
  ]);
  assert.deepEqual(found.problems, []);
  assert.equal(found.files.length, 1);
});

Deno.test("evalDiscover() names files that export nothing or fail to load, and keeps the rest", async () => {
  const found = await evalDiscover(EVALS_MIXED);
  assert.deepEqual(found.evaluators.map((e) => e.name), [
    "evalCompleted",
    "evalThrows",
    "evalZeroScore",
  ]);
  const messages = found.problems.map((p) => p.message);
  assert.equal(messages.length, 2);
  assert.equal(
    messages[0],
    `Eval file "${
      join(EVALS_MIXED, "eval_empty.ts")
    }" exports no evaluators: export functions whose names start with "eval", for example export function evalCompleted(ctx) { return ctx.completed; }`,
  );
  assert.match(
    messages[1]!,
    new RegExp(`^Cannot load eval file ".*sub/eval_broken.ts": .*broken on purpose`),
  );
});

Deno.test("evalDiscover() accepts a single file", async () => {
  const found = await evalDiscover(join(EVALS_MIXED, "eval_mixed.ts"));
  assert.equal(found.evaluators.length, 3);
});

Deno.test("evalDiscover() of a missing path throws naming it", async () => {
  await assert.rejects(
    () => evalDiscover("/no/evals"),
    /Cannot discover evals: "\/no\/evals" does not exist/,
  );
});
