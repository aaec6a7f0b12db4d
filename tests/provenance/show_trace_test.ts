import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { ScriptedBackend, tool } from "../../mod.ts";
import { loadTrace, renderTraceText, showTrace } from "../../provenance/mod.ts";
import { readJson, record, REFERENCE_TRACE, tempDir } from "./_helpers.ts";

Deno.test("showTrace() renders a header, one line per step and model-call totals", async () => {
  const dir = await tempDir();
  await record(dir);
  const text = await showTrace(dir);
  const lines = text.trimEnd().split("\n");
  const runId = (await readJson(join(dir, "trajectory.json"))).run_id;
  assert.match(lines[0]!, new RegExp(`^${runId}  ✓ done  3 steps  3 LLM calls  \\d+ms$`));
  assert.equal(lines[1], "task: Greet Alice and Bob, then finish.");
  assert.equal(lines[2], "");
  assert.match(
    lines[3]!,
    /^#1 {3}✓ greet\(name=Alice\) +→ greeting: Hello, Alice! +\[ +\d+ms\] call 0$/,
  );
  assert.match(
    lines[4]!,
    /^#2 {3}✓ greet\(name=Bob\) +→ greeting: Hello, Bob! +\[ +\d+ms\] call 1$/,
  );
  assert.match(
    lines[5]!,
    /^#3 {3}✓ done\(answer=Greeted Alice and Bob\) → Greeted Alice and Bob +\[ +\d+ms\] call 2$/,
  );
  assert.match(
    lines[7]!,
    /^LLM: 3 calls, [\d,]+ in \/ 0 out chars, 0 errors; tokens: 450 in \/ 32 out$/,
  );
  assert.equal(lines[8], "answer: Greeted Alice and Bob");
});

Deno.test("showTrace() marks failed steps and the stop reason", async () => {
  const dir = await tempDir();
  const boom = tool({
    name: "boom",
    description: "Fails.",
    input: z.object({}),
    execute: () => {
      throw new Error("disk full");
    },
  });
  await record(dir, { tools: [boom], script: [ScriptedBackend.call("boom")], maxSteps: 1 });
  const text = await showTrace(dir, { verbose: true });
  assert.match(text, /^[0-9a-f]{12} {2}· max_steps {2}1 step {2}1 LLM call/);
  assert.match(text, /\n#1 {3}✗ boom\(\) → ERROR: .*disk full/);
  assert.match(text, /\n {7}error: .*disk full/);
});

Deno.test("showTrace() reads a trace in the reference's format", async () => {
  const text = await showTrace(REFERENCE_TRACE);
  const lines = text.split("\n");
  assert.equal(lines[0], "a1b2c3d4e5f6  ✓ done  3 steps  3 LLM calls  2,650ms");
  assert.equal(lines[1], "task: Greet Alice and Bob, then finish.");
  assert.equal(lines[2], "format: reference (Python looplet) trace");
  assert.match(
    lines[4]!,
    /^#1 {3}✓ greet\(name=Alice\) +→ greeting: Hello, Alice! +\[ {2}813ms\] call 0$/,
  );
  assert.match(
    lines[6]!,
    /^#3 {3}✓ done\(answer=Greeted Alice and Bob\) → 2 keys +\[ {2}835ms\] call 2$/,
  );
  assert.equal(lines[8], "LLM: 3 calls, 4,050 in / 233 out chars, 0 errors");
});

Deno.test("renderTraceText() says when a trace is incomplete", async () => {
  const dir = await tempDir();
  await record(dir);
  await Deno.remove(join(dir, "trajectory.json"));
  const text = renderTraceText(await loadTrace(dir));
  assert.match(text, /^\S+ {2}… incomplete {2}3 steps {2}3 LLM calls/);
  assert.match(text, /\nwarning: trajectory.json is missing/);
});
