import assert from "node:assert/strict";
import { join } from "node:path";
import { loadTrace, TraceError } from "../../provenance/mod.ts";
import { readJson, record, REFERENCE_TRACE, tempDir } from "./_helpers.ts";

Deno.test("loadTrace() reads a trace written by ProvenanceSink, with bodies", async () => {
  const dir = await tempDir();
  await record(dir);
  const trace = await loadTrace(dir, { bodies: true });
  assert.equal(trace.source, "looplet");
  assert.equal(trace.formatVersion, 1);
  assert.equal(trace.complete, true);
  assert.equal(trace.stopReason, "done");
  assert.equal(trace.finalAnswer, "Greeted Alice and Bob");
  assert.deepEqual(trace.usage, { inputTokens: 450, outputTokens: 32 });
  assert.deepEqual(trace.steps.map((step) => step.tool), ["greet", "greet", "done"]);
  assert.deepEqual(trace.steps[1]!.args, { name: "Bob" });
  assert.equal(trace.calls.length, 3);
  assert.deepEqual(trace.calls[0]!.response?.toolCalls, [
    { id: "call_1_1", name: "greet", args: { name: "Alice" } },
  ]);
  assert.deepEqual(trace.calls[0]!.usage, { inputTokens: 120, outputTokens: 12 });
  assert.match(trace.calls[0]!.prompt ?? "", /^# call 00/);
  assert.deepEqual(trace.warnings, []);
});

Deno.test("loadTrace() reads the reference implementation's format (fixture built from its documented format)", async () => {
  const trace = await loadTrace(REFERENCE_TRACE, { bodies: true });
  assert.equal(trace.source, "reference");
  assert.equal(trace.formatVersion, 0);
  assert.equal(trace.complete, true);
  assert.equal(trace.runId, "a1b2c3d4e5f6");
  assert.equal(trace.stopReason, "done");
  assert.deepEqual(trace.task, { description: "Greet Alice and Bob, then finish." });
  assert.equal(trace.steps.length, 3);
  assert.equal(trace.steps[0]!.argsSummary, "name=Alice");
  assert.deepEqual(trace.steps[2]!.data, { status: "done", summary: "Greeted Alice and Bob" });
  assert.equal(trace.calls.length, 3);
  assert.equal(
    trace.calls[1]!.response?.text,
    '{"tool": "greet", "args": {"name": "Bob"}, "reasoning": "Then Bob"}',
  );
  assert.equal(trace.calls[1]!.response?.toolCalls, undefined);
  assert.equal(trace.usage, undefined, "the reference records no token counts");
  assert.equal(trace.finalAnswer, "Greeted Alice and Bob");
});

Deno.test("loadTrace() of a missing directory throws a TraceError naming it", async () => {
  const dir = join(await tempDir(), "nope");
  const error = await loadTrace(dir).catch((e) => e);
  assert.ok(error instanceof TraceError);
  assert.equal(
    error.message,
    `Cannot read trace "${dir}": the directory does not exist; pass a directory written by ProvenanceSink (or looplet run --trace-dir)`,
  );
});

Deno.test("loadTrace() of an empty directory says it holds no trace", async () => {
  const dir = await tempDir();
  await assert.rejects(
    () => loadTrace(dir),
    /it holds no trace: expected trajectory.json, manifest.jsonl or call_NN_response.txt/,
  );
});

Deno.test("loadTrace() of a file says it is not a directory", async () => {
  const file = join(await tempDir(), "file.txt");
  await Deno.writeTextFile(file, "x");
  await assert.rejects(() => loadTrace(file), /it is a file, not a trace directory/);
});

Deno.test("loadTrace() reads a half-written trace (no trajectory.json) from its step files", async () => {
  const dir = await tempDir();
  await record(dir);
  await Deno.remove(join(dir, "trajectory.json"));
  await Deno.remove(join(dir, "steps", "step_03.json"));
  const trace = await loadTrace(dir);
  assert.equal(trace.complete, false);
  assert.equal(trace.steps.length, 2);
  assert.equal(trace.calls.length, 3);
  assert.match(trace.warnings.join("\n"), /trajectory.json is missing: the run did not finish/);
});

Deno.test("loadTrace() rejects a manifest line that is not JSON, naming the file and line", async () => {
  const dir = await tempDir();
  await record(dir);
  const path = join(dir, "manifest.jsonl");
  const lines = (await Deno.readTextFile(path)).split("\n");
  lines[1] = "{not json";
  await Deno.writeTextFile(path, lines.join("\n"));
  const error = await loadTrace(dir).catch((e) => e);
  assert.ok(error instanceof TraceError);
  assert.match(
    error.message,
    /^Cannot read trace ".*": manifest.jsonl line 2 is not JSON \(.*\): \{not json$/,
  );
  assert.equal(error.file, path);
});

Deno.test("loadTrace() skips a cut-off last manifest line of an unfinished run with a warning", async () => {
  const dir = await tempDir();
  await record(dir);
  const trajectory = await readJson(join(dir, "trajectory.json"));
  await Deno.writeTextFile(
    join(dir, "trajectory.json"),
    JSON.stringify({ ...trajectory, status: "running", steps: [] }),
  );
  await Deno.writeTextFile(
    join(dir, "manifest.jsonl"),
    (await Deno.readTextFile(join(dir, "manifest.jsonl"))) + '{"index": 3, "dur',
  );
  const trace = await loadTrace(dir);
  assert.equal(trace.calls.length, 3);
  assert.equal(trace.steps.length, 3, "steps come from steps/ when the run did not finish");
  assert.ok(trace.warnings.some((w) => /manifest.jsonl line 4 is cut off/.test(w)));
});

Deno.test("loadTrace() refuses a trace from a newer format version", async () => {
  const dir = await tempDir();
  await record(dir);
  const trajectory = await readJson(join(dir, "trajectory.json"));
  await Deno.writeTextFile(
    join(dir, "trajectory.json"),
    JSON.stringify({ ...trajectory, format_version: 2 }),
  );
  const error = await loadTrace(dir).catch((e) => e);
  assert.ok(error instanceof TraceError);
  assert.match(
    error.message,
    /trajectory.json has format_version 2, newer than this looplet reads \(1\); upgrade looplet to read it/,
  );
});

Deno.test("loadTrace() names a damaged trajectory.json", async () => {
  const dir = await tempDir();
  await record(dir);
  await Deno.writeTextFile(join(dir, "trajectory.json"), '{"run_id": "abc", "steps": [');
  await assert.rejects(
    () => loadTrace(dir),
    /trajectory.json is not valid JSON \(.*\); the file is damaged or half-written/,
  );
});

Deno.test("loadTrace() with bodies names a missing response file", async () => {
  const dir = await tempDir();
  await record(dir);
  await Deno.remove(join(dir, "call_01_response.txt"));
  await assert.rejects(
    () => loadTrace(dir, { bodies: true }),
    /call_01_response.txt is missing, but manifest.jsonl lists call 1/,
  );
  // Without bodies the summary still loads.
  assert.equal((await loadTrace(dir)).calls.length, 3);
});

Deno.test("loadTrace() without a manifest scans call_NN_response.txt files until a gap", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(
    join(dir, "call_00_response.txt"),
    "# call 00 — duration=1.0ms error=no\n\n## RESPONSE\nhello",
  );
  await Deno.writeTextFile(
    join(dir, "call_01_response.txt"),
    "# call 01 — duration=1.0ms error=no\n\n## RESPONSE\n(empty)",
  );
  await Deno.writeTextFile(
    join(dir, "call_03_response.txt"),
    "# call 03 — duration=1.0ms error=no\n\n## RESPONSE\nlost",
  );
  const trace = await loadTrace(dir, { bodies: true });
  assert.equal(trace.calls.length, 2);
  assert.equal(trace.calls[0]!.response?.text, "hello");
  assert.equal(trace.calls[1]!.response?.text, "");
});

Deno.test("loadTrace() reads the reference's flat benchmark step form", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(
    join(dir, "trajectory.json"),
    JSON.stringify({
      run_id: "flat",
      termination_reason: "max_steps_or_stop",
      steps: [{ tool: "search", args_summary: "q=cats", error: null, data: [1, 2, 3] }, {
        tool: "fetch",
        args_summary: "url=x",
        error: "timeout",
        data: null,
      }],
    }),
  );
  const trace = await loadTrace(dir);
  assert.deepEqual(trace.steps.map((s) => [s.number, s.tool, s.argsSummary, s.error]), [
    [1, "search", "q=cats", undefined],
    [2, "fetch", "url=x", "timeout"],
  ]);
  assert.deepEqual(trace.steps[0]!.data, [1, 2, 3]);
  assert.equal(trace.stopReason, "max_steps_or_stop");
});
