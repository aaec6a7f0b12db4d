import assert from "node:assert/strict";
import { BackendError, isRetryable, retryDelay } from "../../mod.ts";

Deno.test("isRetryable() follows the error's retryable flag", () => {
  assert.equal(isRetryable(new BackendError("x", { retryable: true })), true);
  assert.equal(isRetryable(new BackendError("x", { status: 400 })), false);
  assert.equal(isRetryable(Object.assign(new Error("x"), { retryable: true })), true);
  assert.equal(isRetryable(new Error("x")), false);
  assert.equal(isRetryable("x"), false);
});

Deno.test("retryDelay() doubles from the base, caps, jitters and honours retryAfterMs", () => {
  const error = new Error("x");
  assert.deepEqual([1, 2, 3].map((n) => retryDelay(n, { baseDelayMs: 100, jitter: 0 }, error)), [
    100,
    200,
    400,
  ]);
  assert.equal(retryDelay(10, { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0 }, error), 1000);
  assert.equal(retryDelay(1, { baseDelayMs: 100, jitter: 0.5 }, error, () => 0), 50);
  assert.equal(retryDelay(1, { baseDelayMs: 100, jitter: 0.5 }, error, () => 0.999), 150);
  assert.equal(
    retryDelay(1, { baseDelayMs: 100 }, new BackendError("x", { retryAfterMs: 2500 })),
    2500,
  );
  assert.equal(
    retryDelay(1, { maxDelayMs: 1000 }, new BackendError("x", { retryAfterMs: 60_000 })),
    1000,
  );
});
