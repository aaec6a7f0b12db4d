import assert from "node:assert/strict";
import { mean, median } from "./stats.ts";

Deno.test("mean() averages the values", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
});

Deno.test("median() of an odd-length list is the middle value", () => {
  assert.equal(median([3, 1, 2]), 2);
});

Deno.test("median() of an even-length list averages the two middle values", () => {
  assert.equal(median([4, 1, 3, 2]), 2.5);
});
