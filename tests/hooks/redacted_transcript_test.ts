import assert from "node:assert/strict";
import { composableLoop, type Message, ScriptedBackend } from "../../mod.ts";
import { redactingBackend } from "../../hooks/mod.ts";
import { RedactedTranscript } from "../../hooks/redacted_transcript.ts";
import { greet } from "../loop/_tools.ts";

function countingView(): { view: RedactedTranscript; redacted: string[] } {
  const redacted: string[] = [];
  const view = new RedactedTranscript((message) => {
    redacted.push(message.content);
    return { ...message, content: message.content.replaceAll("secret", "***") };
  });
  return { view, redacted };
}

const user = (content: string): Message => ({ role: "user", content });

Deno.test("RedactedTranscript redacts each message of a growing transcript once", () => {
  const { view, redacted } = countingView();
  const transcript = [user("task with secret")];
  const first = view.of(transcript);
  transcript.push(user("a"), user("b secret"));
  const second = view.of(transcript);
  assert.deepEqual(second.map((message) => message.content), ["task with ***", "a", "b ***"]);
  assert.deepEqual(redacted, ["task with secret", "a", "b secret"]);
  assert.equal(first, second, "a grown transcript extends the view returned before");
});

Deno.test("RedactedTranscript redacts an injected or rewritten message, and leaves earlier views as they were", () => {
  const { view, redacted } = countingView();
  const task = user("task");
  const old = user("old secret");
  const before = view.of([task, old, user("memory 1")]);
  const after = view.of([task, old, user("memory 2 secret")]);
  assert.deepEqual(after.map((message) => message.content), ["task", "old ***", "memory 2 ***"]);
  assert.deepEqual(redacted, ["task", "old secret", "memory 1", "memory 2 secret"]);
  // A transcript rewritten in the middle (as compaction does) is redacted from there on.
  const rewritten = view.of([task, user("summary secret"), old]);
  assert.deepEqual(rewritten.map((message) => message.content), [
    "task",
    "summary ***",
    "old ***",
  ]);
  assert.equal(redacted.length, 5, "the kept message was not redacted again");
  assert.deepEqual(before.map((message) => message.content), ["task", "old ***", "memory 1"]);
  assert.equal(after.length, 3);
});

Deno.test("RedactedTranscript follows a request array that replaces its last (injected) message and grows", () => {
  const { view, redacted } = countingView();
  const task = user("task");
  const request = [task, user("memory 1 secret")];
  const first = view.of(request);
  request.length = 1;
  request.push(user("reply"), user("result secret"), user("memory 2"));
  const second = view.of(request);
  assert.deepEqual(second.map((message) => message.content), [
    "task",
    "reply",
    "result ***",
    "memory 2",
  ]);
  assert.deepEqual(redacted, ["task", "memory 1 secret", "reply", "result secret", "memory 2"]);
  assert.equal(first, second, "the view changes as its request array does");
});

Deno.test("redactingBackend() redacts each message once over a run", async () => {
  const seen: string[] = [];
  const inner = new ScriptedBackend([
    ScriptedBackend.call("greet", { name: "Alice" }),
    ScriptedBackend.call("greet", { name: "Bob" }),
    ScriptedBackend.call("done", { answer: "ok" }),
  ], { recordRequests: true });
  const llm = redactingBackend(inner, (text) => {
    seen.push(text);
    return text.replaceAll("hunter2", "***");
  });
  const outcome = await composableLoop({
    llm,
    tools: [greet],
    task: "Greet with password hunter2",
    systemPrompt: "Be brief",
  }).complete();
  assert.equal(outcome.stopReason, "done");
  const last = inner.requests.at(-1)!.messages;
  assert.equal(last[0]!.content, "Greet with password ***");
  // Each turn redacts the system prompt and the messages it added (their text
  // and call arguments), no more.
  const texts = outcome.state.transcript.slice(0, last.length).flatMap((message) => [
    message.content,
    ...(message.toolCalls ?? []).flatMap((call) => Object.values(call.args) as string[]),
  ]);
  assert.deepEqual(seen.filter((text) => text !== "Be brief").sort(), texts.sort());
  assert.equal(seen.filter((text) => text === "Be brief").length, 3);
});
