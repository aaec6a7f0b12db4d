import assert from "node:assert/strict";
import { composableLoop, type Message, ScriptedBackend } from "../../../mod.ts";
import { CheckpointError, decodeCheckpoint, encodeCheckpoint } from "../../../hooks/mod.ts";
import { greet } from "../../loop/_tools.ts";

const call = ScriptedBackend.call;

async function sampleState() {
  const outcome = await composableLoop({
    llm: new ScriptedBackend([
      {
        text: "greeting",
        toolCalls: [{ id: "g1", name: "greet", args: { name: "Ann sk-ant-SECRETSECRETSECRET" } }],
        usage: { inputTokens: 9, outputTokens: 2, cacheReadTokens: 4 },
      },
      call("done", { answer: "done" }),
    ]),
    tools: [greet],
    task: { goal: "greet", who: "Ann" },
    metadata: { owner: "ops" },
  }).complete();
  return outcome.state;
}

Deno.test("encodeCheckpoint() writes versioned snake_case JSON that decodeCheckpoint() restores", async () => {
  const state = await sampleState();
  const document = encodeCheckpoint(state, { savedAt: new Date(0) });
  assert.equal(document.format, "looplet-checkpoint");
  assert.equal(document.version, 3);
  assert.equal(document.run_id, state.runId);
  assert.equal(document.saved_at, "1970-01-01T00:00:00.000Z");
  assert.equal(document.model_calls, 2);
  assert.deepEqual(document.usage, { input_tokens: 9, output_tokens: 2, cache_read_tokens: 4 });
  const transcript = document.transcript as Record<string, unknown>[];
  assert.deepEqual(Object.keys(transcript[1]!).sort(), ["content", "role", "tool_calls"]);
  assert.deepEqual(Object.keys(transcript[2]!).sort(), [
    "content",
    "role",
    "tool_call_id",
    "tool_name",
  ]);
  assert.equal(document.stop_reason, "done");
  const decoded = decodeCheckpoint(JSON.parse(JSON.stringify(document)), "mem");
  assert.deepEqual(decoded, state);
});

Deno.test("encodeCheckpoint() redacts every string of content but not keys", async () => {
  const state = await sampleState();
  const redact = (text: string) => text.replaceAll(/sk-ant-[A-Z]+/g, "[REDACTED]");
  const text = JSON.stringify(encodeCheckpoint(state, { redact }));
  assert.ok(!text.includes("SECRETSECRET"));
  assert.ok(text.includes("Ann [REDACTED]"));
  assert.ok(text.includes('"tool_call_id"'));
  assert.ok(JSON.stringify(encodeCheckpoint(state)).includes("SECRETSECRET"));
});

Deno.test("encodeCheckpoint({ transcriptRefs }) refers to journal messages and leaves steps out", async () => {
  const transcript: Message[] = Array.from({ length: 7 }, (_, i) => ({
    role: "user",
    content: `message ${i}`,
  }));
  const state = { ...(await sampleState()), transcript };
  const indices = [0, 5, 6, 7, 3, 9, 10];
  const journal = new Map(indices.map((index, position) => [index, transcript[position]]));
  const refs: [number, number][] = [[0, 1], [5, 8], [3, 4], [9, 11]];
  const document = encodeCheckpoint(state, { transcriptRefs: refs });
  assert.equal(document.transcript, undefined);
  assert.equal(document.steps, undefined);
  const decoded = decodeCheckpoint(
    JSON.parse(JSON.stringify({ ...document, transcript_refs: [0, [5, 8], 3, [9, 11]] })),
    "memory",
    state.steps,
    (index) => journal.get(index),
  );
  assert.deepEqual(decoded.transcript, transcript);
  assert.throws(
    () => decodeCheckpoint(document, "j.jsonl", state.steps, () => undefined),
    /Cannot read checkpoint "j.jsonl": it refers to message 0, which the journal does not have/,
  );
});

Deno.test("encodeCheckpoint() writes values JSON cannot hold as the loop shows them to the model", async () => {
  const state = await sampleState();
  const cyclic: Record<string, unknown> = { n: 10n };
  cyclic.self = cyclic;
  const document = encodeCheckpoint({ ...state, metadata: { cyclic, fn: () => 1 } });
  assert.deepEqual(document.metadata, {
    cyclic: { n: "10", self: "[Circular]" },
    fn: "[Function]",
  });
});

Deno.test("decodeCheckpoint() reads a version 1 document", async () => {
  const state = await sampleState();
  const document = { ...encodeCheckpoint(state), version: 1 };
  assert.deepEqual(decodeCheckpoint(JSON.parse(JSON.stringify(document)), "old.json"), state);
});

Deno.test("decodeCheckpoint() names the file and the field that is wrong", async () => {
  const document = encodeCheckpoint(await sampleState());
  assert.throws(
    () => decodeCheckpoint({ ...document, version: 7 }, "a.json"),
    (error: unknown) =>
      error instanceof CheckpointError && error.file === "a.json" &&
      error.message ===
        'Cannot read checkpoint "a.json": it has version 7; this looplet reads versions 1 to 3 (a newer looplet wrote it: upgrade, or start a new run)',
  );
  assert.throws(
    () => decodeCheckpoint({ format: "other" }, "b.json"),
    /Cannot read checkpoint "b.json": it is not a looplet checkpoint: 'format' is "other"/,
  );
  const broken = structuredClone(document) as Record<string, unknown>;
  (broken.transcript as Record<string, unknown>[])[1]!.role = "robot";
  assert.throws(
    () => decodeCheckpoint(broken, "c.json"),
    /unknown role "robot" at 'transcript\[1\].role'/,
  );
  assert.throws(
    () => decodeCheckpoint({ ...document, step_count: 5 }, "d.json"),
    /says 'step_count' is 5 but 2 steps were found/,
  );
  assert.throws(() => decodeCheckpoint("nope", "e.json"), /needs an object at 'the document'/);
});

Deno.test("a decoded checkpoint resumes a run", async () => {
  const first = await composableLoop({
    llm: new ScriptedBackend([call("greet", { name: "A" })]),
    tools: [greet],
    task: "x",
    maxSteps: 1,
  }).complete();
  const state = decodeCheckpoint(JSON.parse(JSON.stringify(encodeCheckpoint(first.state))));
  const outcome = await composableLoop({
    llm: new ScriptedBackend([call("done", { answer: "ok" })]),
    tools: [greet],
    task: "x",
    resume: state,
  }).complete();
  assert.equal(outcome.stopReason, "done");
  assert.equal(outcome.steps, 2);
});
