import assert from "node:assert/strict";
import { z } from "zod";
import { RecordingBackend } from "../../backends/recording_backend.ts";
import { ReplayBackend } from "../../backends/replay_backend.ts";
import { BackendError } from "../../backends/backend_error.ts";
import { OpenAICompatibleBackend } from "../../backends/openai/backend.ts";
import { composableLoop } from "../../loop/composable_loop.ts";
import { tool } from "../../tools/tool.ts";
import type { ModelDelta } from "../../loop/types.ts";
import { recordedResponse, replayFetch } from "./_replay_fetch.ts";

const base = "openai/pydantic-ai/parallel-tools-nonstream";
const files = {
  delete_file: tool({
    name: "delete_file",
    description: "Delete.",
    input: z.object({ path: z.string() }),
    execute: () => "deleted",
  }),
  create_file: tool({
    name: "create_file",
    description: "Create.",
    input: z.object({ path: z.string() }).passthrough(),
    execute: () => "created",
  }),
};

async function recordRealRun() {
  const fetch = replayFetch(recordedResponse(`${base}.0`), recordedResponse(`${base}.1`));
  const real = new OpenAICompatibleBackend({
    model: "gpt-4o",
    apiKey: "sk-test-secret-9876",
    fetch,
  });
  const recorder = new RecordingBackend(real, { redact: (t) => t.replaceAll("Alice", "[name]") });
  const run = composableLoop({
    llm: recorder,
    tools: Object.values(files),
    task: "Alice asks: delete `.env` and create `test.txt`",
    maxSteps: 4,
  });
  const steps = await Array.fromAsync(run);
  return { recorder, steps, outcome: await run.outcome };
}

Deno.test("RecordingBackend records every request and turn in the snake_case v1 format, redacted", async () => {
  const { recorder } = await recordRealRun();
  const recording = recorder.toJSON();
  assert.equal(recording.format, "looplet.recording");
  assert.equal(recording.version, 1);
  assert.deepEqual(recording.capabilities, { native_tools: true, streaming: true });
  assert.equal(recording.calls.length, 3); // two recorded replies, then the replay fetch runs dry
  const first = recording.calls[0];
  assert.match(JSON.stringify(first!.request), /\[name\] asks/);
  assert.ok(!JSON.stringify(recording).includes("Alice"));
  assert.ok(!JSON.stringify(recording).includes("sk-test-secret-9876"));
  assert.deepEqual((first!.turn?.tool_calls as { name: string }[]).map((c) => c.name), [
    "delete_file",
    "create_file",
  ]);
  assert.ok(typeof (first!.turn?.usage as { input_tokens: number }).input_tokens === "number");
  assert.equal(recording.calls[2]!.turn, null);
  assert.match(recording.calls[2]!.error?.message ?? "", /no response left/);
});

Deno.test("ReplayBackend replays a saved recording into the same run, deterministically", async () => {
  const { recorder, steps } = await recordRealRun();
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await recorder.save(path);
    const replay = await ReplayBackend.load(path);
    const deltas: ModelDelta[] = [];
    const run = composableLoop({
      llm: replay,
      tools: Object.values(files),
      task: "Alice asks: delete `.env` and create `test.txt`",
      maxSteps: 4,
      hooks: [{ onEvent: (e) => void (e.type === "model_delta" && deltas.push(e.delta)) }],
    });
    const replayed = await Array.fromAsync(run);
    assert.deepEqual(replayed.map((s) => s.call), steps.map((s) => s.call));
    assert.ok(deltas.some((d) => d.type === "tool_call" && d.name === "delete_file"));
    assert.equal(replay.remaining, 0);
    assert.equal((await run.outcome).stopReason, "llm_error");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("ReplayBackend replays recorded errors and reports divergence and exhaustion", async () => {
  const recording = {
    format: "looplet.recording" as const,
    version: 1 as const,
    backend: "x",
    capabilities: { native_tools: true },
    calls: [
      {
        index: 0,
        started_at: "",
        duration_ms: 1,
        request: { messages: [{ role: "user" }], tools: [] },
        turn: null,
        error: {
          name: "BackendError",
          message: "busy",
          status: 503,
          retryable: true,
          retry_after_ms: 5,
        },
      },
      {
        index: 1,
        started_at: "",
        duration_ms: 1,
        request: { messages: [{ role: "user" }], tools: [] },
        turn: { text: "hi" },
        error: null,
      },
    ],
  };
  const request = {
    messages: [{ role: "user" as const, content: "x" }],
    systemPrompt: "",
    tools: [],
  };
  const replay = new ReplayBackend(recording);
  const error = await replay.generate(request).then(() => undefined, (e) => e);
  assert.ok(
    error instanceof BackendError && error.retryable && error.status === 503 &&
      error.retryAfterMs === 5,
  );
  assert.equal((await replay.generate(request)).text, "hi");
  await assert.rejects(replay.generate(request), /recording has only 2 calls/);
  const strict = new ReplayBackend(recording);
  await assert.rejects(
    strict.generate({
      ...request,
      messages: [...request.messages, { role: "assistant", content: "" }],
    }),
    /diverged from the recording \(2 messages, recorded 1\)/,
  );
  assert.throws(() => new ReplayBackend({} as never), /format "looplet.recording"/);
  assert.throws(
    () => new ReplayBackend({ ...recording, version: 2 as never }),
    /version 2 is not supported/,
  );
});
