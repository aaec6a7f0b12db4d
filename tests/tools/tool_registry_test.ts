import assert from "node:assert/strict";
import { done, think, ToolRegistry } from "../../mod.ts";
import { add, greet } from "../loop/_tools.ts";

Deno.test("ToolRegistry keeps insertion order and refuses duplicate names", () => {
  const registry = new ToolRegistry([greet]).add(add);
  assert.deepEqual(registry.names, ["greet", "add"]);
  assert.equal(registry.size, 2);
  assert.equal(registry.get("add"), add);
  assert.equal(registry.get("nope"), undefined);
  assert.deepEqual([...registry].map((t) => t.name), ["greet", "add"]);
  assert.throws(
    () => registry.add(greet),
    /a tool named "greet" is already registered; rename one of them/,
  );
});

Deno.test("done and think validate their input without loading Zod", () => {
  assert.deepEqual(done.input.safeParse({ answer: "x", extra: 1 }), {
    success: true,
    data: { answer: "x" },
  });
  const bad = done.input.safeParse({});
  assert.equal(bad.success, false);
  assert.deepEqual(!bad.success && bad.error.issues, [{
    message: "Invalid input: expected string, received undefined",
    path: ["answer"],
  }]);
  assert.deepEqual(think.input.toJSONSchema(), {
    type: "object",
    properties: {
      thought: { type: "string", description: "Your reasoning, analysis or plan (free text)" },
    },
    required: ["thought"],
  });
  assert.equal(think.concurrencySafe, true);
});
