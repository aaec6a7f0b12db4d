// redactSecrets and redactingBackend: one redact function, applied before requests leave the process.
import assert from "node:assert/strict";
import { composableLoop, ScriptedBackend } from "../../mod.ts";
import { redactingBackend, redactSecrets } from "../../hooks/mod.ts";
import { greet } from "../loop/_tools.ts";

const call = ScriptedBackend.call;

Deno.test("redactSecrets() replaces common secrets and exact values, keeping key names", () => {
  const redact = redactSecrets({ values: ["hunter2"] });
  assert.equal(
    redact(
      "login hunter2; key=sk-proj-abcdefghijklmnop1234 Authorization: Bearer abcdefghijklmnopqrstuv",
    ),
    "login [REDACTED]; key=[REDACTED] Authorization: [REDACTED]",
  );
  assert.equal(
    redact('password: "s3cret!" and AKIAABCDEFGHIJKLMNOP'),
    "password: [REDACTED] and [REDACTED]",
  );
  assert.equal(redact("ghp_abcdefghijklmnopqrstuvwxyz0123"), "[REDACTED]");
  assert.equal(redact("nothing to hide"), "nothing to hide");
  assert.equal(redactSecrets({ patterns: [/\d+/g], replacement: "#" })("a1b22"), "a#b#");
  assert.throws(() => redactSecrets({ patterns: [/x/] }), /must be a RegExp with the g flag/);
});

Deno.test("redactingBackend() redacts the system prompt, messages and call arguments before they are sent", async () => {
  const inner = new ScriptedBackend([
    call("greet", { name: "Bob" }),
    call("done", { answer: "x" }),
  ], { recordRequests: true });
  const llm = redactingBackend(inner, (text) => text.replaceAll("Bob", "[NAME]"));
  assert.equal(llm.name, "scripted");
  await composableLoop({
    llm,
    tools: [greet],
    task: "Greet Bob",
    systemPrompt: "You serve Bob.",
  }).complete();
  const sent = JSON.stringify(inner.requests);
  assert.ok(!sent.includes("Bob"), sent);
  assert.equal(inner.requests[0]!.systemPrompt, "You serve [NAME].");
  assert.deepEqual(inner.requests[1]!.messages[1]!.toolCalls?.[0]?.args, { name: "[NAME]" });
  assert.match(inner.requests[1]!.messages[2]!.content, /Hello, \[NAME\]!/);
  assert.throws(() => redactingBackend({} as never, (t) => t), /'backend' must be a Backend/);
  assert.throws(
    () => redactingBackend(inner, "x" as never),
    /'redact' must be a \(text\) => string/,
  );
});
