import assert from "node:assert/strict";
import { jsonDigest, MAX_DEPTH, toJsonValue } from "../../internal/json_value.ts";

Deno.test("toJsonValue() makes cycles, BigInt, functions, symbols and odd numbers JSON-safe", () => {
  const list: unknown[] = [1, undefined, () => 1, Symbol("s"), NaN];
  list.push(list);
  assert.deepEqual(toJsonValue(list), [1, null, "[Function]", "[Symbol]", null, "[Circular]"]);
  const shared = { n: 1 };
  assert.deepEqual(toJsonValue({ a: shared, b: shared, c: undefined, d: 2n }), {
    a: { n: 1 },
    b: { n: 1 },
    d: "2",
  }, "a value seen twice is not a cycle");
  assert.deepEqual(toJsonValue(new Map([["k", new Set([1, 2])]])), { k: [1, 2] });
  assert.deepEqual(toJsonValue(new Error("boom")), { name: "Error", message: "boom" });
  assert.equal(toJsonValue(new Date(0)), "1970-01-01T00:00:00.000Z");
  assert.equal(toJsonValue(undefined), null);
});

Deno.test("toJsonValue() returns plain JSON as it is, and passes every string through text()", () => {
  const value = { a: [1, "x", { b: true }], c: null };
  assert.equal(toJsonValue(value), value);
  const redacted = toJsonValue(
    { "sk-key": ["sk-key here"] },
    (text) => text.replace("sk-key", "***"),
  );
  assert.deepEqual(redacted, { "sk-key": ["*** here"] }, "keys are kept");
  assert.deepEqual(value, { a: [1, "x", { b: true }], c: null }, "the input is unchanged");
});

Deno.test("toJsonValue() cuts values nested deeper than MAX_DEPTH instead of overflowing the stack", () => {
  let deep: unknown = "bottom";
  for (let i = 0; i < 100_000; i++) deep = [deep];
  let value = toJsonValue(deep);
  for (let i = 0; i < MAX_DEPTH; i++) value = (value as unknown[])[0] as never;
  assert.equal(value, "[Too deep]");
});

Deno.test("jsonDigest() is stable and tells different arguments apart", () => {
  assert.equal(jsonDigest({ a: 1 }), jsonDigest({ a: 1 }));
  assert.notEqual(jsonDigest({ a: 1 }), jsonDigest({ a: 2 }));
  assert.match(jsonDigest({}), /^[0-9a-f]{14}$/);
});

Deno.test("jsonDigest() digests values JSON.stringify cannot encode", () => {
  const cyclic: Record<string, unknown> = { n: 1n };
  cyclic.self = cyclic;
  assert.equal(jsonDigest(cyclic), jsonDigest({ n: "1", self: "[Circular]" }));
});
