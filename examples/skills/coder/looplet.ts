/**
 * The coder bundle: workspace tools (bash, read_file, write_file, edit_file,
 * glob, grep), think, done, and a test guard that rejects `done` until the
 * workspace's tests pass. It imports nothing: the library comes in as
 * `runtime.lib`, so the bundle runs from a checkout, JSR or the single-file CLI.
 *
 * Runtime options: `test_command` (default "deno test -A"), `require_tests`
 * (default true), `bash_timeout_ms` (default 120000).
 *
 * @module
 */
import type { AgentPreset, BundleRuntime, ScriptedResponse, Step } from "../../../bundles/mod.ts";

const SYSTEM_PROMPT = `You are a careful software engineer working in a code workspace.
Use the tools to inspect, change and test the code. Every path is relative to the workspace.
Prefer small, exact edits. Never claim success without running the tests.`;

/** Build the coder agent for a workspace. */
export function build(runtime: BundleRuntime): AgentPreset {
  const { lib, workspace } = runtime;
  const testCommand = runtime.option("test_command", "deno test -A");
  const requireTests = runtime.option("require_tests", true);
  const timeoutMs = runtime.option("bash_timeout_ms", 120_000);
  return {
    tools: [...lib.workspaceTools(workspace, { bash: { timeoutMs } }), lib.think],
    hooks: requireTests ? [lib.testGuard({ workspace, command: testCommand })] : [],
    systemPrompt: SYSTEM_PROMPT,
    maxSteps: runtime.maxSteps,
  };
}

function call(name: string, args: Record<string, unknown>, reasoning: string): ScriptedResponse {
  return { toolCalls: [{ name, args, reasoning }] };
}

/** What a good model does on examples/sample_project: find, reproduce, fix, verify, finish. */
export function scriptedResponses(): ScriptedResponse[] {
  return [
    call("glob", { pattern: "**/*.ts" }, "Find the source and test files"),
    call("bash", { command: "deno test -A" }, "Reproduce the failure"),
    call("read_file", { path: "stats.ts" }, "Read the code under test"),
    call("think", {
      thought:
        "median() returns the upper middle value; for an even length it must average the two middle values.",
    }, "Plan the fix"),
    call("edit_file", {
      path: "stats.ts",
      old_string: "  return middle;",
      new_string: "  if (sorted.length % 2 === 1) return middle;\n" +
        "  const before = sorted[sorted.length / 2 - 1] ?? middle;\n" +
        "  return (before + middle) / 2;",
    }, "Average the two middle values for even lengths"),
    call("bash", { command: "deno test -A" }, "Check that the tests pass now"),
    call("done", {
      answer:
        "Fixed median() for even-length lists in stats.ts: it now averages the two middle values. All tests pass.",
    }, "Tests pass"),
  ];
}

/** One line per step: shell commands with their exit code, edits with their place. */
export function renderStep(step: Step): string | undefined {
  if (step.failed) return undefined;
  const { tool, args } = step.call;
  const data = step.result.data as Record<string, unknown>;
  if (tool === "bash") {
    const ok = data.exit_code === 0;
    return `#${step.number} ${ok ? "✓" : "✗"} $ ${args.command} → exit ${data.exit_code}`;
  }
  if (tool === "edit_file") {
    return `#${step.number} ✓ edit ${args.path}:${data.line} (-${data.removed_lines} +${data.added_lines} lines)`;
  }
  return undefined;
}
