/**
 * The coder bundle: workspace tools (bash, read_file, write_file, edit_file,
 * glob, grep), think, done, and a test guard that rejects `done` until the
 * workspace's tests pass. It imports nothing: the library comes in as
 * `runtime.lib`, so the bundle runs from a checkout, JSR or the single-file CLI.
 *
 * Runtime options (`looplet run coder … --option key=value`, or
 * `--test-command "python3 -m pytest -q"`): see `options` below.
 *
 * @module
 */
import type {
  AgentPreset,
  BundleOptionSpec,
  BundleRuntime,
  ScriptedResponse,
  Step,
} from "../../../bundles/mod.ts";

/** The runtime options `build` reads. */
export const options: Record<string, BundleOptionSpec> = {
  test_command: {
    type: "string",
    default: "deno test -A",
    description: "the command that must pass before done, run with bash -c",
  },
  bash_timeout_ms: {
    type: "integer",
    default: 120_000,
    description: "how long one bash call may run",
  },
};

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

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** One line per step: shell commands with their exit code and time, edits with their place. */
export function renderStep(step: Step): string | undefined {
  if (step.failed) return undefined;
  const { tool, args } = step.call;
  const data = step.result.data as Record<string, unknown>;
  if (tool === "bash") {
    const ok = data.exit_code === 0;
    return `#${step.number} ${ok ? "✓" : "✗"} $ ${args.command} → exit ${data.exit_code} [${
      seconds(step.result.durationMs)
    }]`;
  }
  if (tool === "edit_file") {
    return `#${step.number} ✓ edit ${args.path}:${data.line} (-${data.removed_lines} +${data.added_lines} lines)`;
  }
  return undefined;
}
