import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { type CommandPolicy, runCommand, workspaceHome } from "./run_command.ts";
import { workspaceRoot } from "./workspace_path.ts";

/**
 * Options of `bashTool`.
 *
 * @example A one-minute limit and smaller output caps
 * ```ts ignore
 * const bash = bashTool("./project", { timeoutMs: 60_000, maxStdoutChars: 4000, maxStderrChars: 2000 });
 * ```
 */
export interface BashToolOptions extends CommandPolicy {
  /** Kill the command (and its whole process group) after this many milliseconds. @default 120000 */
  readonly timeoutMs?: number;
  /** Most characters of stdout kept while reading (head and tail). @default 8000 */
  readonly maxStdoutChars?: number;
  /** Most characters of stderr kept while reading (head and tail). @default 4000 */
  readonly maxStderrChars?: number;
  /** Variables set on top of the explicit environment (see `commandEnvironment`). @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * What `bash` returns.
 *
 * @example Read the exit code of each `bash` step
 * ```ts ignore
 * import type { BashResult } from "jsr:@looplet/looplet/workspace";
 * for await (const step of run) {
 *   if (step.call.tool !== "bash" || step.result.error) continue;
 *   const { exit_code, stdout, timed_out } = step.result.data as BashResult;
 *   console.log(exit_code, timed_out ?? false, stdout);
 * }
 * ```
 */
export interface BashResult {
  /** Standard output (capped). */
  readonly stdout: string;
  /** Standard error (capped). */
  readonly stderr: string;
  /** Exit code; `null` when killed. */
  readonly exit_code: number | null;
  /** Set when the command was killed after the timeout. */
  readonly timed_out?: true;
  /** Set when output was cut. */
  readonly truncated?: true;
}

/**
 * Arguments of `bash`.
 *
 * @example Arguments the model sends to `bash`
 * ```ts
 * import type { BashArgs } from "jsr:@looplet/looplet/workspace";
 * const args: BashArgs = { command: "deno test -A tests/" };
 * ```
 */
export interface BashArgs {
  /** The shell command. */
  readonly command: string;
}

const BashInput: z.ZodType<BashArgs> = z.object({
  command: z.string().min(1).describe("The shell command, run with bash -c in the workspace"),
});

/**
 * The `bash` tool: run a shell command in the workspace folder, with a
 * timeout that kills the whole process group and caps on the output kept
 * while it is read. The command gets the explicit environment of
 * `commandEnvironment` (no secrets unless named in `passEnv`), with `HOME`
 * at `.looplet/home` in the workspace (so tool caches persist). Paths in the
 * command are not checked: without `sandbox` it can read and write whatever
 * your user can; with `sandbox: "bwrap"` (or `"auto"` where bubblewrap runs)
 * it sees only the workspace read-write and the system read-only, with no
 * network unless `network` is set (see the README's threat model).
 *
 * @param root The workspace folder (must exist).
 * @param options Timeout, output caps, environment, sandbox.
 * @returns The tool.
 * @throws {TypeError} When the folder does not exist.
 * @example
 * ```ts ignore
 * const bash = bashTool("./project", { timeoutMs: 60_000 });
 * ```
 */
export function bashTool(
  root: string,
  options: BashToolOptions = {},
): Tool<BashArgs, BashResult> {
  const {
    timeoutMs = 120_000,
    maxStdoutChars = 8000,
    maxStderrChars = 4000,
    env = {},
    ...policy
  } = options;
  const cwd = workspaceRoot(root);
  if (!(timeoutMs > 0)) {
    throw new RangeError(`bashTool: 'timeoutMs' must be positive, got ${timeoutMs}`);
  }
  return tool({
    name: "bash",
    description:
      `Run a shell command (bash -c) in the workspace folder and get stdout, stderr and exit_code. Killed after ${
        Math.round(timeoutMs / 1000)
      } s. Use it to run tests, builds and git.`,
    input: BashInput,
    execute: ({ command }, ctx) =>
      runCommand("bash", ["-c", command], {
        ...policy,
        cwd,
        env,
        home: workspaceHome(cwd),
        timeoutMs,
        maxStdoutChars,
        maxStderrChars,
        signal: ctx.signal,
      }).then((run) => ({
        stdout: run.stdout,
        stderr: run.stderr,
        exit_code: run.exitCode,
        ...(run.timedOut ? { timed_out: true as const } : {}),
        ...(run.truncated ? { truncated: true as const } : {}),
      })),
  });
}
