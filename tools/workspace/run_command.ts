import { spawn } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { commandEnvironment } from "./command_environment.ts";
import type { SandboxMode } from "./detect_sandbox.ts";
import { OutputCap } from "./_output_cap.ts";
import { bwrapArgs, SANDBOX_HOME, SANDBOX_TMP, useSandbox } from "./_sandbox_args.ts";
import { isInsideWorkspace } from "./workspace_path.ts";

/**
 * How far a command is trusted: the sandbox, the network, and which of the
 * parent's variables it may see. Shared by `runCommand`, `bash`, bundle
 * `command` tools and the test guard.
 *
 * @example Sandboxed, with the network and one token
 * ```ts
 * import type { CommandPolicy } from "jsr:@looplet/looplet/workspace";
 * const policy: CommandPolicy = { sandbox: "auto", network: true, passEnv: ["NPM_TOKEN"] };
 * ```
 */
export interface CommandPolicy {
  /** Run in the bubblewrap sandbox. @default "none" */
  readonly sandbox?: SandboxMode;
  /** Keep the network inside the sandbox (without the sandbox a command always has it). @default false */
  readonly network?: boolean;
  /** Variables passed from `envSource`, named one by one (secrets a command needs). @default [] */
  readonly passEnv?: readonly string[];
  /** Where `PATH`, the locale and `passEnv` are read. @default process.env */
  readonly envSource?: Readonly<Record<string, string | undefined>>;
}

/**
 * Options of `runCommand`.
 *
 * @example Pipe text in, with a timeout, in the sandbox
 * ```ts ignore
 * const run = await runCommand("wc", ["-l"], {
 *   cwd: "./project",
 *   timeoutMs: 10_000,
 *   stdin: "one\ntwo\n",
 *   sandbox: "auto",
 * });
 * ```
 */
export interface RunCommandOptions extends CommandPolicy {
  /** Working folder. */
  readonly cwd: string;
  /** Variables set on top of the explicit environment (see `commandEnvironment`). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the process group after this many milliseconds. @default 120000 */
  readonly timeoutMs?: number;
  /** Kill when aborted. */
  readonly signal?: AbortSignal;
  /** Written to the command's stdin, then closed. */
  readonly stdin?: string;
  /** Most characters of stdout kept while reading (head and tail). @default 1000000 */
  readonly maxStdoutChars?: number;
  /** Most characters of stderr kept while reading (head and tail). @default 1000000 */
  readonly maxStderrChars?: number;
  /** The folder the sandbox mounts read-write. @default cwd */
  readonly workspace?: string;
  /** Extra folders the sandbox shows read-only (for example a tool's own folder). @default [] */
  readonly readOnlyPaths?: readonly string[];
  /**
   * `HOME` of the command, created when missing; it must be inside `workspace` (caches such as
   * Deno's then persist between commands). @default a fresh scratch folder, removed afterwards
   */
  readonly home?: string;
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
  /** Standard output (capped while reading). */
  readonly stdout: string;
  /** Standard error (capped while reading). */
  readonly stderr: string;
  /** Exit code; `null` when killed. */
  readonly exitCode: number | null;
  /** True when killed by the timeout. */
  readonly timedOut: boolean;
  /** True when stdout or stderr was cut. */
  readonly truncated: boolean;
  /** True when it ran in the sandbox. */
  readonly sandboxed: boolean;
}

/**
 * The `HOME` workspace commands share: `.looplet/home` in the workspace, so
 * caches (Deno's, npm's) persist between commands and runs, and the user's
 * own home is never used.
 *
 * @param workspace The workspace folder.
 * @returns The folder path (created by `runCommand` when missing).
 * @example
 * ```ts
 * import { workspaceHome } from "jsr:@looplet/looplet/workspace";
 * workspaceHome("/work/project"); // "/work/project/.looplet/home"
 * ```
 */
export function workspaceHome(workspace: string): string {
  return join(workspace, ".looplet", "home");
}

function positive(name: string, value: number): void {
  if (!(typeof value === "number" && value > 0)) {
    throw new RangeError(`Cannot run command: '${name}' must be a positive number, got ${value}`);
  }
}

/**
 * Run a program and collect its output. It gets the explicit environment of
 * `commandEnvironment` (no secrets unless named in `passEnv`) with a fresh
 * scratch temp folder (and `HOME`, unless `home` is given) removed
 * afterwards; under the
 * sandbox it sees the system read-only, the workspace read-write, a private
 * `/tmp`, and no network unless `network` is set. Output is capped while it
 * is read; at the timeout or on abort the whole process group is killed and
 * the call returns at once, even if a detached grandchild keeps the output
 * open. Works under Deno, Node and Bun.
 *
 * @param program The executable.
 * @param args Its arguments.
 * @param options Folder, environment, timeout, signal, stdin, caps, sandbox.
 * @returns Output and exit code.
 * @throws {Error} When the program cannot be started, or the sandbox is required and unavailable.
 * @throws {RangeError} When a limit is not positive.
 * @example
 * ```ts ignore
 * const { stdout } = await runCommand("git", ["log", "-1"], { cwd: ".", sandbox: "auto" });
 * ```
 */
export async function runCommand(
  program: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandRun> {
  const {
    cwd,
    env = {},
    timeoutMs = 120_000,
    signal,
    stdin,
    maxStdoutChars = 1_000_000,
    maxStderrChars = 1_000_000,
    sandbox = "none",
    network = false,
    passEnv = [],
    envSource,
    workspace = cwd,
    readOnlyPaths = [],
    home: homeOption,
  } = options;
  positive("timeoutMs", timeoutMs);
  positive("maxStdoutChars", maxStdoutChars);
  positive("maxStderrChars", maxStderrChars);
  signal?.throwIfAborted();
  const sandboxed = await useSandbox(sandbox);
  const ownHome = homeOption === undefined
    ? undefined
    : await homeInside(resolve(workspace), resolve(homeOption));
  const scratch = sandboxed ? undefined : await mkdtemp(join(tmpdir(), "looplet-command-"));
  try {
    const home = ownHome ?? (scratch ? join(scratch, "home") : SANDBOX_HOME);
    const tmp = scratch ? join(scratch, "tmp") : SANDBOX_TMP;
    if (scratch) await Promise.all([ownHome ? undefined : mkdir(home), mkdir(tmp)]);
    const environment = commandEnvironment({
      home,
      tmp,
      pass: passEnv,
      set: env,
      ...(envSource ? { from: envSource } : {}),
    });
    const command: [string, string[]] = sandboxed
      ? ["bwrap", [
        ...await bwrapArgs({
          workspace: resolve(workspace),
          cwd: resolve(cwd),
          readOnly: readOnlyPaths.map((path) => resolve(path)),
          network,
        }),
        "--",
        program,
        ...args,
      ]]
      : [program, [...args]];
    const run = await spawnAndCollect(command, {
      cwd,
      env: environment,
      timeoutMs,
      stdin,
      signal,
      maxStdoutChars,
      maxStderrChars,
    });
    return { ...run, sandboxed };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => {});
  }
}

/** Create `home` and return it when its real path is inside the workspace (else a scratch home is used). */
async function homeInside(workspace: string, home: string): Promise<string | undefined> {
  try {
    await mkdir(home, { recursive: true });
    const [root, real] = await Promise.all([realpath(workspace), realpath(home)]);
    return isInsideWorkspace(root, real) && real !== root ? real : undefined;
  } catch {
    return undefined;
  }
}

interface SpawnOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  readonly stdin: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly maxStdoutChars: number;
  readonly maxStderrChars: number;
}

function spawnAndCollect(
  [program, args]: [string, string[]],
  options: SpawnOptions,
): Promise<Omit<CommandRun, "sandboxed">> {
  const { cwd, env, timeoutMs, stdin, signal } = options;
  const ownGroup = process.platform !== "win32";
  // Aborted while the scratch folder or the sandbox was being prepared: start nothing.
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, {
      cwd,
      env,
      detached: ownGroup,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out = new OutputCap(options.maxStdoutChars);
    const err = new OutputCap(options.maxStderrChars);
    let timedOut = false;
    let killed = false;
    let exited = false;
    let settled = false;
    const settle = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // A detached grandchild may still hold the pipes: stop reading them.
      child.stdout!.destroy();
      child.stderr!.destroy();
      if (signal?.aborted && !timedOut) reject(signal.reason);
      else {
        resolvePromise({
          stdout: out.text(),
          stderr: err.text(),
          exitCode: code,
          timedOut,
          truncated: out.truncated || err.truncated,
        });
      }
    };
    const kill = () => {
      killed = true;
      try {
        if (ownGroup && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      if (exited) settle(null);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => kill();
    signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => out.push(chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => err.push(chunk));
    child.stdin!.on("error", () => {});
    child.stdin!.end(stdin ?? "");
    child.on("error", (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      reject(new Error(`Cannot run "${program}": ${error.message}`, { cause: error }));
    });
    child.on("exit", () => {
      exited = true;
      if (killed) settle(null);
    });
    child.on("close", (code) => settle(killed ? null : code));
  });
}
