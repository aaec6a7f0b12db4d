import assert from "node:assert/strict";
import { composableLoop } from "../../loop/composable_loop.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";
import { tool } from "../../tools/tool.ts";
import { jsonSchemaInput } from "../../tools/mcp/json_schema_input.ts";
import { effectFromWire, lepHook } from "../../cartridge/mod.ts";

// An LEP server written in TypeScript and run by this Deno: proof that the wire is
// the contract (no Python here). It logs every request to stderr for the host to ignore.
const SERVER = `
const decoder = new TextDecoder();
let buffer = "";
const answer = (id, result) => Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify({ id, result }) + "\\n"));
for await (const chunk of Deno.stdin.readable) {
  buffer += decoder.decode(chunk);
  let index;
  while ((index = buffer.indexOf("\\n")) >= 0) {
    const request = JSON.parse(buffer.slice(0, index));
    buffer = buffer.slice(index + 1);
    const { slot, payload } = request.params ?? {};
    if (request.method === "loop/initialize") {
      answer(request.id, { server_capabilities: { slots: ["pre_dispatch", "post_dispatch", "should_stop"] } });
    } else if (request.method === "loop/event" && slot === "pre_dispatch") {
      const effect = payload.args.n === 0
        ? { kind: "UpdateResult", updated_result: { cached: true } }
        : { kind: "UpdateArgs", updated_args: { n: payload.args.n * 10 } };
      answer(request.id, { effect });
    } else if (request.method === "loop/event" && slot === "post_dispatch") {
      answer(request.id, { effect: { kind: "InjectContext", text: "saw " + JSON.stringify(payload.result) } });
    } else if (request.method === "loop/event" && slot === "should_stop") {
      answer(request.id, { effect: request.params.step >= 2 ? { kind: "Stop", reason: "enough_steps" } : null });
    } else {
      answer(request.id, { ok: true });
      if (request.method === "loop/shutdown") Deno.exit(0);
    }
  }
}`;

const echo = tool({
  name: "echo",
  description: "Echo n.",
  input: jsonSchemaInput({
    type: "object",
    properties: { n: { type: "integer" } },
    required: ["n"],
  }),
  execute: ({ n }: Record<string, unknown>) => ({ n }),
});

Deno.test("lepHook() maps pre_dispatch, post_dispatch and should_stop effects onto hook slots", async () => {
  const hook = lepHook({ name: "ts-server", argv: [Deno.execPath(), "eval", SERVER], cwd: "." });
  try {
    const run = composableLoop({
      llm: new ScriptedBackend([
        ScriptedBackend.call("echo", { n: 2 }),
        ScriptedBackend.call("echo", { n: 0 }),
        ScriptedBackend.call("echo", { n: 5 }),
      ]),
      task: "echo",
      tools: [echo],
      hooks: [hook],
      signal: AbortSignal.timeout(30_000),
    });
    const steps = await Array.fromAsync(run);
    assert.deepEqual(steps.map((step) => step.result.data), [{ n: 20 }, { cached: true }]);
    assert.equal((await run.outcome).stopReason, "enough_steps");
    assert.deepEqual(hook.slots, ["pre_dispatch", "post_dispatch", "should_stop"]);
    const transcript = (await run.outcome).state.transcript.map((message) => message.content).join(
      "\n",
    );
    assert.match(transcript, /saw \{"n":20\}/);
  } finally {
    await hook.close();
  }
});

Deno.test("lepHook() fails closed when the server cannot start, naming the program", async () => {
  const hook = lepHook({ name: "missing", argv: ["/nonexistent/lep-server"], cwd: "." });
  const run = composableLoop({
    llm: new ScriptedBackend([ScriptedBackend.call("echo", { n: 1 })]),
    task: "echo",
    tools: [echo],
    hooks: [hook],
    maxSteps: 1,
  });
  const [step] = await Array.fromAsync(run);
  assert.match(
    step?.result.error ?? "",
    /LEP hook "missing" is unavailable \(the server cannot start "\/nonexistent\/lep-server"/,
  );
  await hook.close();
});

Deno.test("effectFromWire() reads the Python HookDecision wire shapes", () => {
  assert.equal(effectFromWire(null), undefined);
  assert.equal(effectFromWire({ kind: "Continue" }), undefined);
  assert.deepEqual(effectFromWire({ kind: "Deny", reason: "no" }), { block: "no" });
  assert.deepEqual(effectFromWire({ kind: "Block", reason: "later" }), { block: "later" });
  assert.deepEqual(effectFromWire({ kind: "Stop", reason: "budget" }), { stop: "budget" });
  assert.deepEqual(effectFromWire({ kind: "InjectContext", text: "hint" }), { inject: "hint" });
  assert.deepEqual(effectFromWire({ kind: "HookDecision", permission: "deny", block: "x" }), {
    block: "x",
  });
  assert.deepEqual(effectFromWire({ block: null, stop: "s" }), { stop: "s" });
  assert.equal(effectFromWire({ kind: "Teleport" }), "malformed");
  assert.equal(effectFromWire("deny"), "malformed");
});
