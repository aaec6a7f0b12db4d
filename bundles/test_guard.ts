import type { Hook } from "../loop/types.ts";
import { type CommandPolicy, runCommand, workspaceHome } from "../tools/workspace/run_command.ts";
import { capText } from "../internal/limits.ts";

/**
 * Options of `testGuard`.
 *
 * @example Run the project's own test command
 * ```ts ignore
 * const guard = testGuard({ workspace: "./project", command: "npm test", timeoutMs: 120_000 });
 * ```
 */
export interface TestGuardOptions extends CommandPolicy {
  /** The workspace folder the tests run in. */
  readonly workspace: string;
  /** The test command, run with `bash -c`. @default "deno test -A" */
  readonly command?: string;
  /** Give up on the test run after this many milliseconds. @default 300000 */
  readonly timeoutMs?: number;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Terminal colour and cursor codes out, so the model reads plain text. */
function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/**
 * A hook with the JSON configuration it was made from (shown in blueprints).
 *
 * @example Read the config a hook was made from
 * ```ts ignore
 * const guard: ConfiguredHook = testGuard({ workspace: "./project", command: "npm test" });
 * console.log(guard.name, guard.config); // test-guard { command: "npm test", timeout_ms: 300000 }
 * ```
 */
export type ConfiguredHook = Hook & { readonly config: Record<string, unknown> };

/**
 * A hook that rejects `done` until the workspace's tests pass: when the model
 * calls `done`, it runs the test command; on failure the model is told the
 * exit code and the end of the output, and the run goes on. The tests run
 * with the explicit environment and the sandbox of `runCommand`.
 *
 * @param options Workspace, test command, timeout, sandbox, network, passed variables.
 * @returns The hook (name `test-guard`).
 * @example
 * ```ts ignore
 * composableLoop({ llm, tools, task, hooks: [testGuard({ workspace: "./project" })] });
 * ```
 */
export function testGuard(options: TestGuardOptions): ConfiguredHook {
  const { workspace, command = "deno test -A", timeoutMs = 300_000, ...policy } = options;
  if (typeof workspace !== "string" || workspace === "") {
    throw new TypeError("testGuard: 'workspace' must be the folder the tests run in");
  }
  return {
    name: "test-guard",
    config: { command, timeout_ms: timeoutMs },
    async checkDone({ signal }) {
      const run = await runCommand("bash", ["-c", command], {
        ...policy,
        cwd: workspace,
        home: workspaceHome(workspace),
        timeoutMs,
        signal,
      });
      if (run.exitCode === 0) return undefined;
      const output = capText(stripAnsi(`${run.stdout}\n${run.stderr}`).trim(), 2000).text;
      const why = run.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${run.exitCode}`;
      return {
        deny:
          `Tests have not passed yet: \`${command}\` ${why}.\n${output}\nFix the failures, run the tests, then call done again.`,
      };
    },
  };
}
