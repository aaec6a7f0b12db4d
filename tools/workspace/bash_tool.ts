import { spawn } from "node:child_process";
import { dirname } from "node:path";
import process from "node:process";
import { z } from "zod";
import type { Tool } from "../../loop/types.ts";
import { tool } from "../tool.ts";
import { capText } from "../../internal/limits.ts";
import { workspaceRoot } from "./workspace_path.ts";

/**
 * Options of `bashTool`.
 *
 * @example A one-minute limit and smaller output caps
 * ```ts ignore
 * const bash = bashTool("./project", { timeoutMs: 60_000, maxStdoutChars: 4000, maxStderrChars: 2000 });
 * ```
 */
export interface BashToolOptions {
  /** Kill the command (and its children) after this many milliseconds. @default 120000 */
  readonly timeoutMs?: number;
  /** Most characters of stdout kept (head and tail). @default 8000 */
  readonly maxStdoutChars?: number;
  /** Most characters of stderr kept (head and tail). @default 4000 */
  readonly maxStderrChars?: number;
  /** Environment of the command. @default the process environment, with the running runtime's folder first on PATH */
  readonly env?: Record<string, string>;
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
 * The environment commands get: the caller's, with this runtime's folder on PATH (so `deno` resolves).
 *
 * @example Run a program with one extra variable
 * ```ts ignore
 * import { commandEnvironment, runCommand } from "jsr:@looplet/looplet/workspace";
 * const env = commandEnvironment({ NO_COLOR: "1" });
 * const run = await runCommand("deno", ["test"], { cwd: "./project", env });
 * ```
 */
export function commandEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  const runtimeDir = dirname(process.execPath);
  env.PATH = env.PATH ? `${runtimeDir}:${env.PATH}` : runtimeDir;
  return { ...env, ...extra };
}

/**
 * The `bash` tool: run a shell command in the workspace folder, with a
 * timeout that kills the whole process group and caps on the output kept.
 * Paths in the command are not checked: give the agent this tool only in a
 * workspace you are willing to let it change.
 *
 * @param root The workspace folder (must exist).
 * @param options Timeout, output caps, environment.
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
    env,
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
        cwd,
        env: env ?? commandEnvironment(),
        timeoutMs,
        signal: ctx.signal,
      }).then((run) => {
        const stdout = capText(run.stdout, maxStdoutChars);
        const stderr = capText(run.stderr, maxStderrChars);
        return {
          stdout: stdout.text,
          stderr: stderr.text,
          exit_code: run.exitCode,
          ...(run.timedOut ? { timed_out: true as const } : {}),
          ...(stdout.truncated || stderr.truncated ? { truncated: true as const } : {}),
        };
      }),
  });
}

/**
 * Options of `runCommand`.
 *
 * @example Pipe text in, with a timeout
 * ```ts ignore
 * const run = await runCommand("wc", ["-l"], {
 *   cwd: "./project",
 *   timeoutMs: 10_000,
 *   stdin: "one\ntwo\n",
 * });
 * ```
 */
export interface RunCommandOptions {
  /** Working folder. */
  readonly cwd: string;
  /** Environment. */
  readonly env?: Record<string, string>;
  /** Kill after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Kill when aborted. */
  readonly signal?: AbortSignal;
  /** Written to the command's stdin, then closed. */
  readonly stdin?: string;
}

/**
 * What `runCommand` returns.
 *
 * @example Check how a command ended
 * ```ts ignore
 * const { stdout, stderr, exitCode, timedOut } = await runCommand("git", ["status"], { cwd: "." });
 * if (timedOut || exitCode !== 0) throw new Error(stderr);
 * console.log(stdout);
 * ```
 */
export interface CommandRun {
  /** Standard output, whole. */
  readonly stdout: string;
  /** Standard error, whole. */
  readonly stderr: string;
  /** Exit code; `null` when killed. */
  readonly exitCode: number | null;
  /** True when killed by the timeout. */
  readonly timedOut: boolean;
}

/**
 * Run a program and collect its output; kills its process group on timeout
 * or abort. Works under Deno and Node.
 *
 * @param program The executable.
 * @param args Its arguments.
 * @param options Folder, environment, timeout, signal, stdin.
 * @returns Output and exit code.
 * @throws {Error} When the program cannot be started (for example not installed).
 * @example
 * ```ts ignore
 * const { stdout } = await runCommand("git", ["log", "-1"], { cwd: "." });
 * ```
 */
export function runCommand(
  program: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandRun> {
  const { cwd, env, timeoutMs, signal, stdin } = options;
  signal?.throwIfAborted();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, [...args], {
      cwd,
      env: env ?? commandEnvironment(),
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: string[] = [];
    const err: string[] = [];
    let timedOut = false;
    let settled = false;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = timeoutMs !== undefined
      ? setTimeout(() => {
        timedOut = true;
        kill();
      }, timeoutMs)
      : undefined;
    const onAbort = () => kill();
    signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => out.push(chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => err.push(chunk));
    child.stdin!.on("error", () => {});
    child.stdin!.end(stdin ?? "");
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      finish();
      reject(new Error(`Cannot run "${program}": ${error.message}`, { cause: error }));
    });
    child.on("close", (code) => {
      if (settled) return;
      settled = true;
      finish();
      if (signal?.aborted && !timedOut) {
        reject(signal.reason);
        return;
      }
      resolvePromise({ stdout: out.join(""), stderr: err.join(""), exitCode: code, timedOut });
    });
  });
}
