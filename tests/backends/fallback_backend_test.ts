import assert from "node:assert/strict";
import { fallbackBackend } from "../../backends/fallback_backend.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import type { ModelRequest } from "../../loop/types.ts";

const REQUEST: ModelRequest = { messages: [], systemPrompt: "", tools: [] };
const overloaded = () => new BackendError("overloaded", { status: 529, retryable: true });

Deno.test("fallbackBackend() moves to the next backend on a retryable failure", async () => {
  const seen: string[] = [];
  const llm = fallbackBackend([
    new ScriptedBackend([overloaded()], { name: "a" }),
    new ScriptedBackend(["from b"], { name: "b" }),
  ], { onFallback: ({ from, to }) => seen.push(`${from}->${to}`) });
  assert.equal((await llm.generate(REQUEST)).text, "from b");
  assert.deepEqual(seen, ["a->b"]);
});

Deno.test("fallbackBackend() throws a final error at once without trying the next backend", async () => {
  const b = new ScriptedBackend(["unused"], { name: "b" });
  const llm = fallbackBackend([
    new ScriptedBackend([new BackendError("bad key", { status: 401 })], { name: "a" }),
    b,
  ]);
  await assert.rejects(llm.generate(REQUEST), /bad key/);
  assert.equal(b.calls, 0);
});

Deno.test("fallbackBackend() throws the last error, still retryable, when every backend fails", async () => {
  const llm = fallbackBackend([
    new ScriptedBackend([overloaded()], { name: "a" }),
    new ScriptedBackend([new BackendError("also busy", { status: 503, retryable: true })], {
      name: "b",
    }),
  ]);
  const error = await llm.generate(REQUEST).then(() => undefined, (e) => e);
  assert.ok(error instanceof BackendError && error.retryable && error.message === "also busy");
});

Deno.test("fallbackBackend() does not fall back after cancellation", async () => {
  const controller = new AbortController();
  const b = new ScriptedBackend(["unused"], { name: "b" });
  const a = new ScriptedBackend([() => {
    controller.abort();
    return overloaded();
  }], { name: "a" });
  await assert.rejects(fallbackBackend([a, b]).generate(REQUEST, { signal: controller.signal }));
  assert.equal(b.calls, 0);
});

Deno.test("fallbackBackend() rejects an empty list and mixed tool protocols", () => {
  assert.throws(() => fallbackBackend([]), /non-empty array/);
  assert.throws(
    () =>
      fallbackBackend([new ScriptedBackend([]), new ScriptedBackend([], { nativeTools: false })]),
    /nativeTools/,
  );
});
