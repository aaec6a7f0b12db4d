import assert from "node:assert/strict";
import { argsSummary, Step, type StepRecord } from "../../mod.ts";

function step(result: StepRecord["result"], args: Record<string, unknown> = {}, tool = "t"): Step {
  return new Step({
    number: 1,
    turn: 1,
    call: { tool, args, id: "c1", reasoning: "" },
    result,
    usage: { inputTokens: 3, outputTokens: 4 },
    durationMs: 2,
  });
}

Deno.test("Step.pretty() matches the reference format", () => {
  const s = step(
    { data: { greeting: "Hello, Alice!" }, durationMs: 0.2 },
    { name: "Alice" },
    "greet",
  );
  assert.equal(s.pretty(), "#1 ✓ greet(name=Alice) → greeting: Hello, Alice! [0ms]");
});

Deno.test("Step.pretty() shows errors, lists, single-list dicts, key counts and long values", () => {
  assert.equal(
    step({ data: null, error: "denied!", errorKind: "permission_denied", durationMs: 0 }).pretty(),
    "#1 ✗ t() → ERROR: denied!",
  );
  assert.equal(step({ data: [1, 2, 3], durationMs: 1 }).pretty(), "#1 ✓ t() → 3 items [1ms]");
  assert.equal(
    step({ data: { results: [1, 2, 3], q: "x" }, durationMs: 0 }).pretty(),
    "#1 ✓ t() → 3 results",
  );
  assert.equal(step({ data: { a: 1, b: 2 }, durationMs: 0 }).pretty(), "#1 ✓ t() → 2 keys");
  assert.equal(step({ data: null, durationMs: 0 }).pretty(), "#1 ✓ t()");
  const long = step({ data: "x".repeat(100), durationMs: 0 }).pretty();
  assert.equal(long, `#1 ✓ t() → ${"x".repeat(57)}...`);
});

Deno.test("Step.pretty() shows a paused call as awaiting approval", () => {
  const s = step({ data: null, durationMs: 0, awaitingApproval: "deleting needs a human" }, {
    path: "a",
  }, "rm");
  assert.equal(s.pretty(), "#1 · rm(path=a) → ⏸ awaiting approval: deleting needs a human");
});

Deno.test("Step.summary() previews dicts and totals", () => {
  assert.equal(step({ data: { total: 7, rows: [] }, durationMs: 0 }).summary(), "S1 ✓ t() → 7");
  assert.equal(
    step({ data: { a: 1, b: [1, 2], c: "x", d: 4 }, durationMs: 0 }).summary(),
    "S1 ✓ t() → a: 1, b: (2), c: x, … (4 keys)",
  );
  assert.equal(
    step({ data: null, error: "bad", durationMs: 0 }).summary(),
    "S1 ✗ t() → ERROR: bad",
  );
});

Deno.test("Step.toJSON() uses snake_case keys and carries its pretty line", () => {
  const json = step({ data: null, error: "e", errorKind: "validation", durationMs: 1.5 }, { q: 1 })
    .toJSON();
  assert.deepEqual(json, {
    number: 1,
    turn: 1,
    call: { tool: "t", args: { q: 1 }, id: "c1", reasoning: "" },
    result: { data: null, duration_ms: 1.5, error: "e", error_kind: "validation" },
    usage: { input_tokens: 3, output_tokens: 4 },
    duration_ms: 2,
    pretty: "#1 ✗ t(q=1) → ERROR: e [2ms]",
  });
});

Deno.test("Step is frozen, including its call arguments", () => {
  const s = step({ data: 1, durationMs: 0 }, { a: 1 });
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.call.args) && Object.isFrozen(s.result));
  assert.throws(() => {
    (s.call.args as Record<string, unknown>).a = 2;
  }, TypeError);
});

Deno.test("argsSummary() cuts long values and stringifies non-strings", () => {
  assert.equal(
    argsSummary({ s: "y".repeat(60), n: 2, o: { k: true } }),
    `s=${"y".repeat(50)}..., n=2, o={"k":true}`,
  );
});

Deno.test("Step.pretty() and summary() stay on one line when values hold newlines", () => {
  const s = step({ data: { content: "- milk\n- eggs" }, durationMs: 0 }, { text: "a\nb" }, "read");
  assert.equal(s.pretty(), "#1 ✓ read(text=a ↵ b) → content: - milk ↵ - eggs");
  assert.ok(!s.summary().includes("\n"));
  const failed = step({ data: null, error: "line 1\nline 2", durationMs: 0 });
  assert.equal(failed.pretty(), "#1 ✗ t() → ERROR: line 1 ↵ line 2");
});
