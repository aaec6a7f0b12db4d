import assert from "node:assert/strict";
import { probeNativeTools } from "../../backends/probe_native_tools.ts";
import { OpenAICompatibleBackend } from "../../backends/openai/backend.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { replayFetch } from "./_replay_fetch.ts";

const json = (body: unknown, status = 200) => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});
const reply = (message: Record<string, unknown>) =>
  json({
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: "stop" }],
  });

Deno.test("probeNativeTools() says yes when the endpoint returns a structured call", async () => {
  const fetch = replayFetch(reply({
    content: null,
    tool_calls: [{
      id: "c1",
      type: "function",
      function: { name: "get_secret_number", arguments: "{}" },
    }],
  }));
  const probe = await probeNativeTools(
    new OpenAICompatibleBackend({ model: "m", baseUrl: "http://127.0.0.1:1/v1", fetch }),
  );
  assert.deepEqual(probe, {
    nativeTools: true,
    reason: "the model returned a structured tool call",
  });
  assert.equal((fetch.requests[0]!.body.tools as unknown[]).length, 1);
});

Deno.test("probeNativeTools() says no when the model writes the call as text", async () => {
  const fetch = replayFetch(reply({ content: '{"tool": "get_secret_number", "args": {}}' }));
  const probe = await probeNativeTools(
    new OpenAICompatibleBackend({ model: "m", baseUrl: "http://127.0.0.1:1/v1", fetch }),
  );
  assert.equal(probe.nativeTools, false);
  assert.match(probe.reason, /as text/);
});

Deno.test("probeNativeTools() says no when the server rejects tools (Ollama's 400)", async () => {
  const fetch = replayFetch(
    json({
      error: {
        message: "registry.ollama.ai/library/gemma:2b does not support tools",
        type: "api_error",
      },
    }, 400),
  );
  const probe = await probeNativeTools(
    new OpenAICompatibleBackend({ model: "gemma:2b", baseUrl: "http://127.0.0.1:1/v1", fetch }),
  );
  assert.equal(probe.nativeTools, false);
  assert.match(probe.reason, /does not support tools/);
});

Deno.test("probeNativeTools() says no for a plain answer, and rethrows other failures", async () => {
  assert.equal(
    (await probeNativeTools(new ScriptedBackend(["The number is 7."]))).nativeTools,
    false,
  );
  await assert.rejects(
    probeNativeTools(new ScriptedBackend([new BackendError("bad key", { status: 401 })])),
    /bad key/,
  );
  await assert.rejects(
    probeNativeTools(new ScriptedBackend([], { nativeTools: false })),
    /declared with nativeTools: false/,
  );
});
