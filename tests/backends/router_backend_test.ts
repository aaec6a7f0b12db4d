import assert from "node:assert/strict";
import { routerBackend } from "../../backends/router_backend.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import type { ModelRequest } from "../../loop/types.ts";

const request = (purpose?: string): ModelRequest => ({
  messages: [{ role: "user", content: "x" }],
  systemPrompt: "",
  tools: [],
  ...(purpose ? { purpose } : {}),
});

Deno.test("routerBackend() sends each purpose to its route and the rest to the default", async () => {
  const main = new ScriptedBackend(["main 1", "main 2"], { name: "main", contextWindow: 200_000 });
  const cheap = new ScriptedBackend(["summary"], { name: "cheap" });
  const llm = routerBackend({ default: main, routes: { summarize: cheap } });
  assert.equal((await llm.generate(request("reasoning"))).text, "main 1");
  assert.equal((await llm.generate(request("summarize"))).text, "summary");
  assert.equal((await llm.generate(request())).text, "main 2");
  assert.equal(llm.name, "router(main)");
  assert.equal(llm.capabilities.contextWindow, 200_000);
});

Deno.test("routerBackend() refuses routes that speak another tool protocol", () => {
  const native = new ScriptedBackend([], { name: "native" });
  const text = new ScriptedBackend([], { name: "text", nativeTools: false });
  assert.throws(
    () => routerBackend({ default: native, routes: { summarize: text } }),
    /route "summarize" \(backend "text"\) has nativeTools false/,
  );
  assert.throws(
    () => routerBackend({ default: native, routes: { summarize: {} as never } }),
    /'routes.summarize' must be a Backend/,
  );
});
