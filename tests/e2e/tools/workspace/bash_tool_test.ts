// bash and runCommand basics (they start processes, so they live with the e2e tests).
import assert from "node:assert/strict";
import { type BashResult, bashTool } from "../../../../tools/workspace/bash_tool.ts";
import { runCommand } from "../../../../tools/workspace/run_command.ts";
import { call, tempWorkspace } from "../../../tools/workspace/_ctx.ts";
import { bashWithin } from "./_deadline.ts";

Deno.test("bash runs in the workspace and reports stdout, stderr and exit code", async () => {
  const root = await tempWorkspace({ "a.txt": "hello" });
  const result = await call(bashTool(root), { command: "cat a.txt; echo oops >&2; exit 3" });
  assert.deepEqual(result, { stdout: "hello", stderr: "oops\n", exit_code: 3 });
});

Deno.test("bash kills the command and its children after the timeout", async () => {
  const root = await tempWorkspace();
  const result = await bashWithin(
    20_000,
    bashTool(root, { timeoutMs: 200 }),
    "sleep 5 & sleep 5; echo never",
  );
  assert.equal(result.timed_out, true);
  assert.equal(result.exit_code, null);
  assert.equal(result.stdout, "");
});

Deno.test("bash caps stdout, keeping head and tail and saying how much was cut", async () => {
  const root = await tempWorkspace();
  const result = await call(bashTool(root, { maxStdoutChars: 100 }), {
    command: "for i in $(seq 1 500); do echo line$i; done",
  }) as BashResult;
  assert.equal(result.truncated, true);
  assert.match(result.stdout, /^line1\n/);
  assert.match(result.stdout, /line500\n$/);
  assert.match(result.stdout, /characters omitted/);
  assert.ok(result.stdout.length < 200);
});

Deno.test("runCommand() passes stdin and rejects when the program does not exist", async () => {
  const run = await runCommand("cat", [], { cwd: ".", stdin: "in" });
  assert.equal(run.stdout, "in");
  await assert.rejects(
    runCommand("no-such-program-xyz", [], { cwd: "." }),
    /Cannot run "no-such-program-xyz"/,
  );
});
