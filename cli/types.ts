/**
 * The CLI's types: output, injected dependencies and a command's context.
 *
 * @module
 */
import type { Backend, Hook } from "../loop/types.ts";
import type { NativeToolProbe } from "../backends/probe_native_tools.ts";
import type { McpConnect } from "../bundles/load_bundle.ts";

/**
 * Where a command prints.
 *
 * @example Collect a command's output in tests
 * ```ts
 * import type { CliIo } from "jsr:@looplet/looplet/cli";
 * const out: string[] = [];
 * const err: string[] = [];
 * const io: CliIo = { stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
 * ```
 */
export interface CliIo {
  /** Print a line to standard output. */
  stdout(text: string): void;
  /** Print a line to standard error. */
  stderr(text: string): void;
}

/**
 * A command: arguments after its name, and where to print; returns the exit code.
 *
 * @example Add a `hello` command
 * ```ts ignore
 * const hello: CommandFunction = (args, io) => {
 *   io.stdout(`Hello, ${args[0] ?? "world"}!`);
 *   return Promise.resolve(0);
 * };
 * const code = await main(["hello", "Ada"], { commands: { hello } });
 * ```
 */
export type CommandFunction = (args: string[], io: CliIo) => Promise<number>;

/**
 * Model choices from the command line, passed to `backendFromEnv`.
 *
 * @example Map `--model` and `--base-url` to a backend
 * ```ts ignore
 * const backendFromEnv = (env: Record<string, string | undefined>, overrides: BackendOverrides) =>
 *   OpenAICompatibleBackend.fromEnv({
 *     ...env,
 *     ...(overrides.model ? { OPENAI_MODEL: overrides.model } : {}),
 *     ...(overrides.baseUrl ? { OPENAI_BASE_URL: overrides.baseUrl } : {}),
 *   });
 * await main(["run", "coder", "Fix the tests", "--model", "llama3.2"], { backendFromEnv });
 * ```
 */
export interface BackendOverrides {
  /** `--model`. */
  readonly model?: string;
  /** `--base-url`. */
  readonly baseUrl?: string;
  /** `--provider`. */
  readonly provider?: string;
}

/**
 * What a trace sink gives the run: hooks to add, a backend wrapper, and a flush.
 *
 * @example A sink that counts steps
 * ```ts ignore
 * let steps = 0;
 * const sink: TraceSink = {
 *   hooks: [{ name: "count-steps", postDispatch: () => void steps++ }],
 *   close: async () => console.log(`${steps} steps`),
 * };
 * await main(["run", "coder", "Fix the tests", "--scripted"], { trace: () => sink });
 * ```
 */
export interface TraceSink {
  /** Hooks that record steps. */
  readonly hooks?: readonly Hook[];
  /** Wrap the backend to record model calls. */
  wrap?(backend: Backend): Backend;
  /** Flush and close; called once after the run. */
  close(): Promise<void>;
}

/**
 * Options for starting a trace.
 *
 * @example Start a trace where `run` asks
 * ```ts ignore
 * const trace = (options: TraceOptions): TraceSink => {
 *   console.log(`tracing ${options.bundle} ("${options.task}") to ${options.traceDir}`);
 *   return { close: () => Promise.resolve() };
 * };
 * await main(["run", "coder", "Fix the tests", "--scripted", "--trace-dir", "traces/1"], { trace });
 * ```
 */
export interface TraceOptions {
  /** The folder to write the trace to. */
  readonly traceDir: string;
  /** The bundle's name. */
  readonly bundle: string;
  /** The task. */
  readonly task: string;
  /** Replace a trace already in `traceDir` (`--overwrite`). @default false */
  readonly overwrite?: boolean;
}

/**
 * Injectable dependencies of `main`. Everything is optional.
 *
 * @example Run a command with captured output and a fixed environment
 * ```ts ignore
 * const lines: string[] = [];
 * const deps: CliDependencies = {
 *   stdout: (text) => lines.push(text),
 *   stderr: (text) => lines.push(text),
 *   env: { NO_COLOR: "1" },
 *   isTTY: false,
 * };
 * const code = await main(["doctor", "--no-backend"], deps);
 * ```
 */
export interface CliDependencies {
  /** Print a line to stdout. @default console.log */
  readonly stdout?: (text: string) => void;
  /** Print a line to stderr. @default console.error */
  readonly stderr?: (text: string) => void;
  /** Environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Colours and spinner. @default true when stdout is a terminal and stdout is not injected */
  readonly isTTY?: boolean;
  /** Build a model backend from the environment and command-line overrides. */
  readonly backendFromEnv?: (
    env: Readonly<Record<string, string | undefined>>,
    overrides: BackendOverrides,
  ) => Backend | Promise<Backend>;
  /** Probe whether a backend returns native tool calls. */
  readonly probeNativeTools?: (backend: Backend) => Promise<NativeToolProbe>;
  /** Start a trace for `run` (provenance). */
  readonly trace?: (options: TraceOptions) => TraceSink | Promise<TraceSink>;
  /** Connect MCP servers declared by bundles. */
  readonly connect?: McpConnect;
  /** Read standard input, for `run <bundle> -`. @default the process's standard input */
  readonly readStdin?: () => Promise<string>;
  /** Extra or replacement commands, by name (they take precedence over the built-in ones). */
  readonly commands?: Readonly<Record<string, CommandFunction>>;
}

/**
 * What a command handler gets: output, dependencies, environment and terminal facts.
 *
 * @example A handler that honours the context
 * ```ts ignore
 * async function commandHello(args: string[], context: CliContext): Promise<number> {
 *   const { io, env } = context;
 *   const name = args[0] ?? env.USER ?? "world";
 *   io.stdout(`Hello, ${name}!`);
 *   if (context.debug) io.stderr(`args: ${JSON.stringify(args)}`);
 *   return 0;
 * }
 * ```
 */
export interface CliContext {
  /** Where to print. */
  readonly io: CliIo;
  /** Injected dependencies. */
  readonly deps: CliDependencies;
  /** The environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Colours are on: a terminal without `NO_COLOR`, or `FORCE_COLOR` set. */
  readonly tty: boolean;
  /** Standard output is a terminal, so a live progress line can be drawn (with or without colour). */
  readonly terminal: boolean;
  /** Print stacks on errors. */
  debug: boolean;
}
