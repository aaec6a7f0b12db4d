import assert from "node:assert/strict";
import { withRetry } from "../../backends/with_retry.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import type { ModelRequest } from "../../loop/types.ts";

const REQUEST: ModelRequest = { messages: [], systemPrompt: "", tools: [] };

Deno.test("withRetry() waits with backoff, honouring retryAfterMs, and then succeeds", async () => {
  const waits: number[] = [];
  const llm = withRetry(
    new ScriptedBackend([
      new BackendError("busy", { status: 503, retryable: true }),
      new BackendError("slow down", { status: 429, retryable: true, retryAfterMs: 1234 }),
      "ok",
    ]),
    {
      attempts: 3,
      baseDelayMs: 100,
      jitter: 0,
      delay: (ms) => (waits.push(ms), Promise.resolve()),
    },
  );
  assert.equal((await llm.generate(REQUEST)).text, "ok");
  assert.deepEqual(waits, [100, 1234]);
});

Deno.test("withRetry() never retries a final error and stops after the last attempt", async () => {
  const final = new ScriptedBackend([new BackendError("bad request", { status: 400 }), "unused"]);
  await assert.rejects(
    withRetry(final, { delay: () => Promise.resolve() }).generate(REQUEST),
    /bad request/,
  );
  assert.equal(final.calls, 1);
  const busy = () => new BackendError("busy", { status: 503, retryable: true });
  const always = new ScriptedBackend([busy(), busy(), "unused"]);
  await assert.rejects(
    withRetry(always, { attempts: 2, delay: () => Promise.resolve() }).generate(REQUEST),
    /busy/,
  );
  assert.equal(always.calls, 2);
  assert.throws(() => withRetry(always, { attempts: 0 }), /'attempts' must be a positive integer/);
});
