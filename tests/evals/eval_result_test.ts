import assert from "node:assert/strict";
import { normalizeEvalResult, prettyEvalResult } from "../../evals/mod.ts";

Deno.test("normalizeEvalResult() maps booleans to scores 1 and 0", () => {
  assert.deepEqual(
    [normalizeEvalResult(true, "a"), normalizeEvalResult(false, "b")].map((
      r,
    ) => [r.status, r.score, r.passed]),
    [["pass", 1, true], ["fail", 0, false]],
  );
});

Deno.test("normalizeEvalResult() treats a score of 0 as a score that fails, never as missing", () => {
  const zero = normalizeEvalResult({ score: 0, f1: 0.9 }, "zero");
  assert.equal(zero.score, 0);
  assert.equal(zero.status, "fail");
  assert.equal(zero.metrics.f1, 0.9);
  assert.equal(normalizeEvalResult({ score: 0 }, "z").score, 0);
  assert.equal(normalizeEvalResult(0, "n").score, 0);
  assert.equal(normalizeEvalResult(0, "n").status, "fail");
});

Deno.test("normalizeEvalResult() lets 'passed' win over the score and keeps details", () => {
  const result = normalizeEvalResult({ score: 0.2, passed: true, details: ["a", "b"] }, "x");
  assert.equal(result.status, "pass");
  assert.deepEqual(result.details, ["a", "b"]);
  assert.deepEqual(
    normalizeEvalResult({ passed: false, details: { missing: "Bob" } }, "y").details,
    ["missing: Bob"],
  );
});

Deno.test("normalizeEvalResult() applies the threshold to numbers", () => {
  assert.equal(normalizeEvalResult(0.5, "x").status, "pass");
  assert.equal(normalizeEvalResult(0.49, "x").status, "fail");
  assert.equal(normalizeEvalResult(0.7, "x", { threshold: 0.8 }).status, "fail");
  assert.equal(normalizeEvalResult({ accuracy: 0.9 }, "x").score, 0.9);
});

Deno.test("normalizeEvalResult() reads labels", () => {
  assert.equal(normalizeEvalResult("PASS", "x").status, "pass");
  assert.equal(normalizeEvalResult("partial", "x").status, "fail");
  assert.equal(normalizeEvalResult("partial", "x").label, "partial");
});

Deno.test("normalizeEvalResult() turns nonsense into error rows that say what to return", () => {
  assert.match(
    normalizeEvalResult(undefined, "x").error ?? "",
    /returned nothing; return a boolean, a number, a label, or \{ score, passed, details \}/,
  );
  assert.equal(normalizeEvalResult(NaN, "x").status, "error");
  assert.equal(normalizeEvalResult([1], "x").status, "error");
  assert.match(
    normalizeEvalResult({ score: "high" }, "x").error ?? "",
    /'score' must be a finite number/,
  );
  assert.match(
    normalizeEvalResult({ details: "x" }, "x").error ?? "",
    /without 'score', 'passed' or 'label'/,
  );
});

Deno.test("prettyEvalResult() renders a line with score, status and details", () => {
  const text = prettyEvalResult(
    normalizeEvalResult({ score: 0.25, details: ["one", "two"] }, "evalX"),
  );
  assert.equal(text, `✗ ${"evalX".padEnd(32)} 0.25  fail\n    one\n    two`);
});
