// Caller mistakes throw at once, before any model call, naming the option and the fix.
import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop, type LoopOptions, ScriptedBackend, tool } from "../../mod.ts";
import { greet } from "./_tools.ts";

const llm = new ScriptedBackend([]);

function rejects(
  options: Partial<LoopOptions> | unknown,
  kind: ErrorConstructor,
  message: RegExp | string,
) {
  assert.throws(
    () => composableLoop({ llm, task: "x", ...(options as object) } as LoopOptions),
    (error: unknown) => {
      assert.ok(error instanceof kind, `expected ${kind.name}, got ${error}`);
      if (typeof message === "string") assert.equal((error as Error).message, message);
      else assert.match((error as Error).message, message);
      return true;
    },
  );
}

Deno.test("composableLoop() rejects a missing or malformed llm", () => {
  rejects(
    { llm: undefined },
    TypeError,
    "Cannot start loop: 'llm' must be a Backend with a generate() method, for example new ScriptedBackend([...])",
  );
  rejects(
    { llm: { generate: () => {} } },
    TypeError,
    /'llm' backend "undefined" must declare 'capabilities'/,
  );
});

Deno.test("composableLoop() rejects a bad task", () => {
  rejects(
    { task: undefined },
    TypeError,
    "Cannot start loop: 'task' must be a string or an object, got undefined",
  );
  rejects({ task: 42 }, TypeError, /got number/);
  rejects({ task: "  " }, TypeError, "Cannot start loop: 'task' must not be empty");
});

Deno.test("composableLoop() rejects out-of-range numbers", () => {
  rejects(
    { maxSteps: 0 },
    RangeError,
    "Cannot start loop: 'maxSteps' must be a positive integer, got 0",
  );
  rejects({ maxSteps: 2.5 }, RangeError, /'maxSteps' must be a positive integer, got 2.5/);
  rejects({ concurrency: -1 }, RangeError, /'concurrency'/);
  rejects({ maxTokens: 0 }, RangeError, /'maxTokens'/);
  rejects({ retry: { attempts: 0 } }, RangeError, /'retry.attempts'/);
  rejects(
    { temperature: 3 },
    RangeError,
    "Cannot start loop: 'temperature' must be a number from 0 to 2, got 3",
  );
});

Deno.test("composableLoop() rejects a bad signal, system prompt or approval", () => {
  rejects({ signal: {} }, TypeError, /'signal' must be an AbortSignal/);
  rejects({ systemPrompt: 3 }, TypeError, "Cannot start loop: 'systemPrompt' must be a string");
  rejects(
    { approval: { approve: true } },
    TypeError,
    /'approval' is only for resuming a paused run; pass 'resume' too/,
  );
  rejects({ resume: { version: 2 } }, TypeError, /'resume' must be a LoopState \(version 1\)/);
});

Deno.test("composableLoop() rejects malformed and duplicate tools", () => {
  rejects(
    { tools: 5 },
    TypeError,
    "Cannot start loop: 'tools' must be an array of tools or a ToolRegistry",
  );
  rejects(
    { tools: [{ name: "x" }] },
    TypeError,
    /tools\[0\]: tool "x" needs a non-empty 'description'/,
  );
  rejects(
    { tools: [greet, greet] },
    TypeError,
    `Cannot start loop: 'tools' has two tools named "greet"; tool names must be unique`,
  );
  rejects(
    { doneTool: "finish" },
    TypeError,
    /'doneTool' names "finish", but no tool of that name is in 'tools'/,
  );
});

Deno.test("composableLoop() rejects a tool whose schema has no JSON Schema form", () => {
  const dated = tool({
    name: "when",
    description: "Dates.",
    input: z.object({ at: z.date() }),
    execute: () => 1,
  });
  rejects({ tools: [dated] }, TypeError, /the input schema of tool "when" has no JSON Schema form/);
});

Deno.test("composableLoop() rejects malformed hooks and catches misspelt slots", () => {
  rejects({ hooks: {} }, TypeError, /'hooks' must be an array of hook objects/);
  rejects(
    { hooks: [null] },
    TypeError,
    "Cannot start loop: hooks[0] must be an object with hook methods, got null",
  );
  rejects(
    { hooks: [{ name: "h", preDispatch: "x" }] },
    TypeError,
    `Cannot start loop: hook "h" slot 'preDispatch' must be a function`,
  );
  rejects(
    { hooks: [{ name: "typo", preDispach() {} }] },
    TypeError,
    `Cannot start loop: hook "typo" has a method 'preDispach', which is not a hook slot; did you mean 'preDispatch'?`,
  );
});

Deno.test("composableLoop() accepts hooks with helper methods of their own", () => {
  const hook = { name: "ok", preDispatch() {}, reset() {}, counts: {} };
  assert.ok(composableLoop({ llm, task: "x", hooks: [hook] }));
});

Deno.test("tool() validates its definition", () => {
  const input = z.object({});
  assert.throws(
    () => tool({ name: "bad name", description: "d", input, execute: () => 1 }),
    /tool 'name' must be 1-64 letters/,
  );
  assert.throws(
    () => tool({ name: "t", description: "", input, execute: () => 1 }),
    /needs a non-empty 'description'/,
  );
  assert.throws(
    () => tool({ name: "t", description: "d", input: {} as never, execute: () => 1 }),
    /needs 'input', a Zod 4 schema/,
  );
  assert.throws(
    () => tool({ name: "t", description: "d", input, execute: 1 as never }),
    /needs an 'execute\(args, ctx\)' function/,
  );
  assert.throws(
    () => tool({ name: "t", description: "d", input, execute: () => 1, timeoutMs: 0 }),
    RangeError,
  );
});
