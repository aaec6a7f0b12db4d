import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { BackendError, composableLoop, ScriptedBackend, tool } from "../../mod.ts";
import type { Backend, ModelRequest } from "../../mod.ts";
import { loadTrace, ProvenanceSink } from "../../provenance/mod.ts";
import { greet, readJson, record, tempDir } from "./_helpers.ts";

Deno.test("ProvenanceSink writes the reference layout with format_version and the real stop reason", async () => {
  const dir = await tempDir();
  const { outcome } = await record(dir);
  assert.equal(outcome.stopReason, "done");
  const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
  assert.deepEqual(names, [
    "call_00_prompt.txt",
    "call_00_response.txt",
    "call_01_prompt.txt",
    "call_01_response.txt",
    "call_02_prompt.txt",
    "call_02_response.txt",
    "manifest.jsonl",
    "steps",
    "trajectory.json",
  ]);
  assert.deepEqual([...Deno.readDirSync(join(dir, "steps"))].map((e) => e.name).sort(), [
    "step_01.json",
    "step_02.json",
    "step_03.json",
  ]);
  const trajectory = await readJson(join(dir, "trajectory.json"));
  assert.equal(trajectory.format_version, 1);
  assert.equal(trajectory.status, "complete");
  assert.match(trajectory.run_id as string, /^[0-9a-f]{12}$/);
  assert.equal(trajectory.termination_reason, "done");
  assert.equal(trajectory.final_answer, "Greeted Alice and Bob");
  assert.equal(trajectory.task, "Greet Alice and Bob, then finish.");
  assert.equal(trajectory.step_count, 3);
  assert.equal(trajectory.llm_call_count, 3);
  assert.deepEqual(trajectory.usage, { input_tokens: 450, output_tokens: 32 });
  const steps = trajectory.steps as Record<string, unknown>[];
  // Each step carries its OWN pretty line (the reference's is off by one).
  assert.match(steps[0]!.pretty as string, /^#1 ✓ greet\(name=Alice\) → greeting: Hello, Alice!/);
  assert.match(steps[1]!.pretty as string, /^#2 ✓ greet\(name=Bob\) → greeting: Hello, Bob!/);
  assert.deepEqual(steps.map((step) => step.llm_call_indices), [[0], [1], [2]]);
  assert.deepEqual(steps[0]!.tool_call, {
    tool: "greet",
    args: { name: "Alice" },
    reasoning: "Start with Alice",
    call_id: "call_1_1",
    metadata: {},
  });
  const result = steps[0]!.tool_result as Record<string, unknown>;
  assert.equal(result.tool, "greet");
  assert.equal(result.args, "name=Alice");
  assert.deepEqual(result.data, { greeting: "Hello, Alice!" });
  assert.deepEqual(steps[0]!.usage, { input_tokens: 120, output_tokens: 12 });
  // The step files hold the same records.
  assert.deepEqual(await readJson(join(dir, "steps", "step_02.json")), steps[1]);
});

Deno.test("ProvenanceSink manifest has one JSON line per call with token counts", async () => {
  const dir = await tempDir();
  await record(dir);
  const lines = (await Deno.readTextFile(join(dir, "manifest.jsonl"))).trim().split("\n");
  assert.equal(lines.length, 3);
  const first = JSON.parse(lines[0]!);
  assert.equal(first.index, 0);
  assert.equal(first.method, "generate");
  assert.equal(first.input_tokens, 120);
  assert.equal(first.output_tokens, 12);
  assert.equal(first.step_num, 1);
  assert.equal(first.turn, 1);
  assert.equal(first.scope, null);
  assert.equal(first.tool_count, 2);
  assert.deepEqual(first.tool_names, ["greet", "done"]);
  assert.equal(typeof first.duration_ms, "number");
  assert.equal(JSON.parse(lines[2]!).step_num, 3);
});

Deno.test("ProvenanceSink prompt and response files follow the documented text layout", async () => {
  const dir = await tempDir();
  await record(dir);
  const prompt = await Deno.readTextFile(join(dir, "call_00_prompt.txt"));
  assert.match(
    prompt,
    /^# call 00 — method=generate\n# step=1 turn=1 scope=loop purpose=reasoning\n/,
  );
  assert.match(prompt, /\n## SYSTEM PROMPT\n/);
  assert.match(prompt, /\n## MESSAGES \(1\)\n### \[1\] user\nGreet Alice and Bob, then finish\./);
  assert.match(prompt, /\n## TOOLS\n\[/);
  const second = await Deno.readTextFile(join(dir, "call_01_prompt.txt"));
  assert.match(second, /## SYSTEM PROMPT \(same as call 00\)/);
  assert.match(second, /## TOOLS \(same as call 00\)/);
  assert.match(second, /## MESSAGES \(3; \[1\]–\[1\] as in call 00\)\n### \[2\] assistant/);
  const response = await Deno.readTextFile(join(dir, "call_00_response.txt"));
  assert.match(
    response,
    /^# call 00 — duration=\d+\.\dms error=no\n\n## RESPONSE \(content blocks\)\n/,
  );
  const blocks = JSON.parse(response.slice(response.indexOf("[")));
  assert.deepEqual(blocks, [
    { type: "tool_use", id: "call_1_1", name: "greet", input: { name: "Alice" } },
  ]);
});

Deno.test("ProvenanceSink prompt files show only what is new when a hook injects context each turn", async () => {
  const dir = await tempDir();
  let turn = 0;
  const { inner } = await record(dir, {
    hooks: [{ prePrompt: () => ({ inject: `memory ${++turn}` }) }],
  });
  const second = await Deno.readTextFile(join(dir, "call_01_prompt.txt"));
  assert.match(second, /## MESSAGES \(4; \[1\]–\[1\] as in call 00\)\n### \[2\] assistant/);
  assert.match(second, /### \[4\] user\nmemory 2\n/);
  assert.doesNotMatch(second, /memory 1/);
  const third = await Deno.readTextFile(join(dir, "call_02_prompt.txt"));
  assert.match(third, /## MESSAGES \(6; \[1\]–\[3\] as in call 01\)\n### \[4\] assistant/);
  const lines = (await Deno.readTextFile(join(dir, "manifest.jsonl"))).trim().split("\n");
  const requests = (inner as ScriptedBackend).requests;
  assert.deepEqual(
    lines.map((line) => JSON.parse(line).prompt_chars),
    requests.map((request) =>
      request.messages.reduce((sum, message) => sum + message.content.length, 0) +
      request.systemPrompt.length
    ),
    "prompt_chars counts every message of each request",
  );
});

Deno.test("ProvenanceSink redacts prompts, responses, tool args, results and the task, upstream too", async () => {
  const dir = await tempDir();
  const secret = "sk-SECRET-123";
  const echo = tool({
    name: "echo",
    description: `Echo a value (uses key ${secret}).`,
    input: z.object({ value: z.string() }),
    execute: ({ value }) => ({ echoed: `${value} and ${secret}` }),
  });
  const { inner } = await record(dir, {
    task: `Use the key ${secret}`,
    tools: [echo],
    script: [
      ScriptedBackend.call("echo", { value: secret }, `I will echo ${secret}`),
      ScriptedBackend.call("done", { answer: `done with ${secret}` }),
    ],
    redact: (text) => text.replaceAll(secret, "[REDACTED]"),
  });
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile) continue;
    const text = await Deno.readTextFile(join(dir, entry.name));
    assert.ok(!text.includes(secret), `${entry.name} leaks the secret`);
  }
  for await (const entry of Deno.readDir(join(dir, "steps"))) {
    const text = await Deno.readTextFile(join(dir, "steps", entry.name));
    assert.ok(!text.includes(secret), `steps/${entry.name} leaks the secret`);
  }
  const trajectory = await readJson(join(dir, "trajectory.json"));
  const step = (trajectory.steps as Record<string, Record<string, unknown>>[])[0];
  assert.deepEqual(step!.tool_call!.args, { value: "[REDACTED]" });
  assert.deepEqual(step!.tool_result!.data, { echoed: "[REDACTED] and [REDACTED]" });
  assert.match(step!.pretty as unknown as string, /echo\(value=\[REDACTED\]\)/);
  assert.equal(trajectory.task, "Use the key [REDACTED]");
  // Upstream: the provider never saw the secret in what the loop sent.
  const requests = (inner as ScriptedBackend).requests;
  const sent = JSON.stringify(requests.map((request: ModelRequest) => request.messages));
  assert.ok(!sent.includes(secret), "the wrapped backend received the secret");
  assert.ok(sent.includes("[REDACTED]"));
});

Deno.test("ProvenanceSink with redactUpstream false sends the raw prompt but writes it redacted", async () => {
  const dir = await tempDir();
  const { inner } = await record(dir, {
    task: "Greet Alice, password hunter2",
    script: [ScriptedBackend.call("done", { answer: "ok" })],
    redact: (text) => text.replaceAll("hunter2", "***"),
    redactUpstream: false,
  });
  const sent = (inner as ScriptedBackend).requests[0]!.messages[0]!.content;
  assert.equal(sent, "Greet Alice, password hunter2");
  const prompt = await Deno.readTextFile(join(dir, "call_00_prompt.txt"));
  assert.ok(prompt.includes("password ***"));
  assert.ok(!prompt.includes("hunter2"));
});

Deno.test("ProvenanceSink truncates long values with an explicit marker and a per-call limit", async () => {
  const dir = await tempDir();
  const big = tool({
    name: "big",
    description: "Return a lot of text.",
    input: z.object({}),
    execute: () => "x".repeat(5000),
  });
  await record(dir, {
    tools: [big],
    task: "y".repeat(3000),
    script: [ScriptedBackend.call("big"), ScriptedBackend.call("done", { answer: "ok" })],
    maxCharsPerCall: 1000,
  });
  const trajectory = await readJson(join(dir, "trajectory.json"));
  const data =
    (trajectory.steps as Record<string, Record<string, unknown>>[])[0]!.tool_result!.data;
  assert.equal(typeof data, "string");
  assert.ok((data as string).length <= 1000, `kept ${(data as string).length} chars`);
  assert.match(data as string, /\n\.\.\. \[truncated \d+ chars\] \.\.\.$/);
  const prompt = await Deno.readTextFile(join(dir, "call_01_prompt.txt"));
  assert.ok(prompt.length <= 1000, `prompt file has ${prompt.length} chars`);
  assert.match(prompt, /\[truncated \d+ chars\]/);
  const manifest = JSON.parse(
    (await Deno.readTextFile(join(dir, "manifest.jsonl"))).split("\n")[1]!,
  );
  assert.equal(manifest.truncated, true);
});

Deno.test("ProvenanceSink writes steps as they happen, so a crash leaves a readable partial trace", async () => {
  const dir = await tempDir();
  const sink = new ProvenanceSink(dir, { flushOnEnd: false });
  const run = composableLoop({
    llm: sink.wrap(
      new ScriptedBackend([
        ScriptedBackend.call("greet", { name: "Alice" }),
        ScriptedBackend.call("greet", { name: "Bob" }),
        ScriptedBackend.call("done", { answer: "x" }),
      ]),
    ),
    tools: [greet],
    task: "Greet",
    hooks: [sink.hook()],
  });
  let seen = 0;
  for await (const _step of run) {
    seen++;
    if (seen === 2) break; // the "crash": the run stops and nothing flushes
  }
  // Give the background writer a moment to finish the queued files.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const trajectory = await readJson(join(dir, "trajectory.json"));
  assert.equal(trajectory.status, "running");
  const trace = await loadTrace(dir);
  assert.equal(trace.complete, false);
  assert.equal(trace.steps.length, 2);
  assert.deepEqual(trace.steps.map((step) => step.tool), ["greet", "greet"]);
  assert.equal(trace.calls.length, 2);
  assert.match(trace.warnings[0]!, /did not finish/);
  // No temporary files are left behind.
  for await (const entry of Deno.readDir(dir)) assert.ok(!entry.name.endsWith(".tmp"));
});

Deno.test("ProvenanceSink attributes model calls made by a tool through ctx.llm to its step", async () => {
  const dir = await tempDir();
  const summarize = tool({
    name: "summarize",
    description: "Summarize with the model.",
    input: z.object({ text: z.string() }),
    execute: async ({ text }, ctx) => {
      const reply = await ctx.llm.generate({
        messages: [{ role: "user", content: `Summarize: ${text}` }],
        systemPrompt: "Summarize.",
        tools: [],
        purpose: "summarize",
      });
      return { summary: reply.text };
    },
  });
  await record(dir, {
    tools: [summarize],
    script: [
      ScriptedBackend.call("summarize", { text: "long text" }),
      "short",
      ScriptedBackend.call("done", { answer: "short" }),
    ],
  });
  const trace = await loadTrace(dir, { bodies: true });
  assert.equal(trace.calls.length, 3);
  assert.equal(trace.calls[1]!.scope, "tool:summarize");
  assert.equal(trace.calls[1]!.stepNum, 1);
  assert.equal(trace.calls[1]!.purpose, "summarize");
  assert.equal(trace.calls[0]!.scope, null);
  assert.deepEqual(trace.steps[0]!.llmCallIndices, [0, 1]);
  assert.deepEqual(trace.steps[1]!.llmCallIndices, [2]);
  assert.deepEqual(trace.steps[0]!.data, { summary: "short" });
});

Deno.test("ProvenanceSink records a failed model call, its error and the llm_error stop", async () => {
  const dir = await tempDir();
  const { outcome } = await record(dir, {
    script: [new BackendError('Cannot call backend "x": status is 400', { status: 400 })],
  });
  assert.equal(outcome.stopReason, "llm_error");
  const response = await Deno.readTextFile(join(dir, "call_00_response.txt"));
  assert.match(
    response,
    /error=yes\n\n## ERROR\nBackendError: Cannot call backend "x": status is 400\n/,
  );
  const manifest = JSON.parse(await Deno.readTextFile(join(dir, "manifest.jsonl")));
  assert.equal(manifest.error_status, 400);
  assert.equal(manifest.error_retryable, false);
  const trajectory = await readJson(join(dir, "trajectory.json"));
  assert.equal(trajectory.termination_reason, "llm_error");
  assert.match(trajectory.error as string, /status is 400/);
});

Deno.test("ProvenanceSink refuses a directory holding another run's trace unless overwrite is set", async () => {
  const dir = await tempDir();
  await record(dir);
  await assert.rejects(
    () => record(dir),
    /already holds the trace of run "[0-9a-f]{12}"; pick a new directory or pass \{ overwrite: true \}/,
  );
  // overwrite clears stale files from the longer previous run
  await record(dir, { overwrite: true, script: [ScriptedBackend.call("done", { answer: "x" })] });
  const names = [...Deno.readDirSync(join(dir, "steps"))].map((entry) => entry.name);
  assert.deepEqual(names, ["step_01.json"]);
  await assert.rejects(() => Deno.stat(join(dir, "call_02_prompt.txt")));
});

Deno.test("ProvenanceSink records one run; a second run on the same sink throws", async () => {
  const dir = await tempDir();
  const sink = new ProvenanceSink(dir);
  const make = () =>
    composableLoop({
      llm: sink.wrap(new ScriptedBackend([ScriptedBackend.call("done", { answer: "x" })])),
      task: "t",
      hooks: [sink.hook()],
    });
  await make().complete();
  await assert.rejects(() => make().complete(), /records one run: create a new sink/);
});

Deno.test("ProvenanceSink with live false writes nothing until flush", async () => {
  const dir = join(await tempDir(), "later");
  const sink = new ProvenanceSink(dir, { live: false, flushOnEnd: false });
  await composableLoop({
    llm: sink.wrap(new ScriptedBackend([ScriptedBackend.call("done", { answer: "x" })])),
    task: "t",
    hooks: [sink.hook()],
  }).complete();
  assert.deepEqual([...Deno.readDirSync(join(dir, "steps"))], []);
  await sink.flush();
  assert.equal((await loadTrace(dir)).steps.length, 1);
  assert.ok((await Deno.stat(join(dir, "steps", "step_01.json"))).isFile);
});

Deno.test("ProvenanceSink rejects bad options at construction", () => {
  assert.throws(() => new ProvenanceSink(""), TypeError);
  assert.throws(() => new ProvenanceSink("x", { maxCharsPerCall: 10 }), RangeError);
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new ProvenanceSink("x", { redact: "no" as any }),
    /'redact' must be a function/,
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => new ProvenanceSink("x").wrap({} as any), /generate\(\) method/);
});

Deno.test("ProvenanceSink names the directory it cannot write", async () => {
  const file = join(await tempDir(), "a-file");
  await Deno.writeTextFile(file, "x");
  await assert.rejects(
    () => record(join(file, "trace")),
    (error: Error) => {
      assert.match(
        String((error.cause as Error)?.message),
        /^Cannot write trace to ".*a-file\/trace": /,
      );
      return true;
    },
  );
});

Deno.test("ProvenanceSink ends the run at the step after a write fails, naming the file", async () => {
  const dir = await tempDir();
  // call 01's prompt file cannot be written: a directory holds its name
  await Deno.mkdir(join(dir, "call_01_prompt.txt"));
  const run = record(dir);
  await assert.rejects(run, (error: Error) => {
    assert.match(
      String((error.cause as Error)?.message),
      /^Cannot write trace file ".*call_01_prompt\.txt": /,
    );
    return true;
  });
  const manifest = (await Deno.readTextFile(join(dir, "manifest.jsonl"))).trim().split("\n");
  assert.deepEqual(
    manifest.map((line) => JSON.parse(line).index),
    [0],
    "nothing after the failure",
  );
  assert.deepEqual([...Deno.readDirSync(join(dir, "steps"))].map((entry) => entry.name), [
    "step_01.json",
  ]);
});

Deno.test("ProvenanceSink surfaces a redact function that returns a non-string", async () => {
  const dir = await tempDir();
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => record(dir, { redact: (() => 42) as any }),
    /'redact' must return a string, got number/,
  );
});

Deno.test("ProvenanceSink writes the manifest and trajectory in call order when tool calls finish out of order", async () => {
  const dir = await tempDir();
  let fastDone!: () => void;
  const fastFinished = new Promise<void>((resolve) => fastDone = resolve);
  let turns = 0;
  const llm: Backend = {
    name: "two-speeds",
    capabilities: { nativeTools: true },
    async generate(request) {
      const text = request.messages[0]?.content ?? "";
      if (request.purpose === "summarize") {
        if (text.includes("slow")) {
          await fastFinished;
          // let the fast call's record be written before this one returns
          await new Promise((resolve) => setTimeout(resolve, 0));
        } else queueMicrotask(fastDone);
        return { text: `summary of ${text}` };
      }
      turns++;
      return turns === 1
        ? {
          text: "",
          toolCalls: [
            { id: "a", name: "ask", args: { text: "slow" } },
            { id: "b", name: "ask", args: { text: "fast" } },
          ],
        }
        : { text: "", toolCalls: [{ id: "c", name: "done", args: { answer: "ok" } }] };
    },
  };
  const ask = tool({
    name: "ask",
    description: "Ask the model.",
    input: z.object({ text: z.string() }),
    concurrencySafe: true,
    execute: async ({ text }, ctx) =>
      (await ctx.llm.generate({
        messages: [{ role: "user", content: text }],
        systemPrompt: "",
        tools: [],
        purpose: "summarize",
      })).text,
  });
  await record(dir, { backend: llm, tools: [ask] });
  const lines = (await Deno.readTextFile(join(dir, "manifest.jsonl"))).trim().split("\n");
  assert.deepEqual(lines.map((line) => JSON.parse(line).index), [0, 1, 2, 3]);
  assert.match(await Deno.readTextFile(join(dir, "call_01_prompt.txt")), /\nslow\n/);
  const trajectory = await readJson(join(dir, "trajectory.json"));
  const calls = trajectory.llm_calls as { index: number }[];
  assert.deepEqual(calls.map((call) => call.index), [0, 1, 2, 3]);
  assert.deepEqual(calls, lines.map((line) => JSON.parse(line)));
});
