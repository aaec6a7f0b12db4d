/**
 * The looplet command line: run skill bundles, inspect and convert them.
 *
 * ```sh
 * deno run -A jsr:@looplet/cli run ./skills/coder "Fix the tests" --workspace .
 * ```
 *
 * `main(args, deps)` returns the exit code (0 ok, 1 runtime failure, 2 usage
 * error) and prints only through `deps.stdout`/`deps.stderr`. Model backends,
 * the native-tool probe, tracing, MCP and extra commands (`show`, `eval`) are
 * injected through `deps`, so the heavy parts load only when a command needs them.
 *
 * @module
 */
import { LOOPLET_VERSION } from "./loop/version.ts";
import type { Backend, Hook } from "./loop/types.ts";
import type { NativeToolProbe } from "./backends/probe_native_tools.ts";
import type { McpConnect } from "./bundles/load_bundle.ts";

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
  /** Extra or replacement commands, e.g. `show` and `eval` from the provenance module. */
  readonly commands?: Readonly<Record<string, CommandFunction>>;
}

/**
 * The package version.
 *
 * @example Print the version
 * ```ts
 * import { VERSION } from "jsr:@looplet/looplet/cli";
 * console.log(`looplet ${VERSION}`);
 * ```
 */
export const VERSION: string = LOOPLET_VERSION;

const USAGE = `usage: looplet <command> [options]

commands:
  run <bundle> <task>               run a bundle (--scripted replays its script)
  blueprint <bundle>                print what a bundle builds, as JSON
  export-code <bundle> <out.ts>     write a standalone TS program for a bundle
  package <module#export> <out-dir> turn a factory into a runnable bundle
  wrap-claude-skill <skill> <out>   make a Claude skill folder a looplet bundle
  list-bundles <roots...>           find bundles under folders
  new <dir>                         scaffold a bundle that runs at once with --scripted
  doctor                            check runtime, environment and model endpoint
  show <trace-dir>                  print a recorded run (provenance module)
  eval ...                          run evals (provenance module)

run 'looplet <command> --help' for a command's options`;

const COMMAND_USAGE: Record<string, string> = {
  run: `usage: looplet run <bundle> <task> [--workspace DIR | --copy-workspace DIR] [--max-steps N]
         [--scripted] [--scripted-response TEXT]... [--trace-dir DIR | --no-trace]
         [--model NAME] [--base-url URL] [--provider NAME] [--no-tests] [--debug]`,
  blueprint: "usage: looplet blueprint <bundle> [--workspace DIR] [--max-steps N]",
  "export-code": "usage: looplet export-code <bundle> <out.ts> [--library SPECIFIER]",
  package:
    "usage: looplet package <module#export> <out-dir> [--name NAME] [--description TEXT] [--tag TAG]...",
  "wrap-claude-skill": "usage: looplet wrap-claude-skill <skill-dir> <out-dir>",
  "list-bundles": "usage: looplet list-bundles <roots...> [--json] [--include-invalid]",
  new: "usage: looplet new <dir> [--name NAME] [--description TEXT]",
  doctor: "usage: looplet doctor [--json] [--no-backend]",
};

/**
 * One option of a command, as `parseArgs` takes it.
 *
 * @example The options of a command
 * ```ts
 * import type { OptionSpec } from "jsr:@looplet/looplet/cli";
 * const options: Record<string, OptionSpec> = {
 *   workspace: { type: "string", short: "w" },
 *   tag: { type: "string", multiple: true },
 *   json: { type: "boolean" },
 * };
 * ```
 */
export interface OptionSpec {
  /** Value kind. */
  readonly type: "string" | "boolean";
  /** One-letter alias. */
  readonly short?: string;
  /** May be repeated. */
  readonly multiple?: boolean;
}

/**
 * A usage error: `main` prints it with the command's usage line and returns 2.
 *
 * @example
 * ```ts ignore
 * throw new UsageError("--max-steps must be a positive integer", "run");
 * ```
 */
export class UsageError extends Error {
  /** The command whose usage line to print. */
  readonly command?: string;

  /**
   * Create the error.
   *
   * @param message What is wrong with the arguments.
   * @param command The command.
   */
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    if (command !== undefined) this.command = command;
  }
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
  /** Colours and spinner are on. */
  readonly tty: boolean;
  /** Print stacks on errors. */
  debug: boolean;
}

type Context = CliContext;

type Handler = (args: string[], context: Context) => Promise<number>;

/**
 * Modules commands load on first use, by path relative to this file.
 *
 * @example Build a static loader table for a single-file build
 * ```ts ignore
 * const TABLE: Record<string, () => Promise<unknown>> = {
 *   "./cli_run.ts": () => import("../cli_run.ts"),
 *   // ... one entry per path in LAZY_MODULES
 * };
 * for (const path of LAZY_MODULES) if (!(path in TABLE)) throw new Error(`no loader for ${path}`);
 * setModuleLoader((path) => TABLE[path]());
 * ```
 */
export const LAZY_MODULES: readonly string[] = [
  "./cli_run.ts",
  "./bundles/bundle_blueprint.ts",
  "./bundles/blueprint.ts",
  "./bundles/export_bundle_code.ts",
  "./bundles/package_factory.ts",
  "./bundles/wrap_claude_skill.ts",
  "./bundles/discover_bundles.ts",
  "./bundles/scaffold_bundle.ts",
  "./bundles/doctor_checks.ts",
  "./bundles/builtin_bundle.ts",
  "./cli_wiring.ts",
];

/**
 * Loads a module by its path relative to `cli.ts`.
 *
 * @example Log each module a command loads
 * ```ts ignore
 * const loader: ModuleLoader = (path) => {
 *   console.error(`loading ${path}`);
 *   return TABLE[path]();
 * };
 * setModuleLoader(loader);
 * ```
 */
export type ModuleLoader = (path: string) => Promise<unknown>;

/**
 * How commands load their modules. A computed `import()` keeps them out of
 * the start-up module graph (Deno loads statically analyzable dynamic
 * imports up front); the single-file build swaps in a table of static ones.
 */
let loadModule: ModuleLoader = (path) => import(path);

/**
 * Replace the module loader (used by the single-file build, `cli/single_file.ts`).
 *
 * @param loader Loads a path from `LAZY_MODULES`.
 * @example
 * ```ts ignore
 * setModuleLoader((path) => TABLE[path]());
 * ```
 */
export function setModuleLoader(loader: ModuleLoader): void {
  loadModule = loader;
}

function lazy<T>(path: string): Promise<T> {
  return loadModule(path) as Promise<T>;
}

/** The command table. Each entry loads what it needs on first use. */
const COMMANDS: Record<string, Handler> = {
  run: (args, context) =>
    lazy<typeof import("./cli_run.ts")>("./cli_run.ts").then((m) => m.cliRun(args, context)),
  blueprint: (args, context) => commandBlueprint(args, context),
  "export-code": (args, context) => commandExportCode(args, context),
  package: (args, context) => commandPackage(args, context),
  "wrap-claude-skill": (args, context) => commandWrap(args, context),
  "list-bundles": (args, context) => commandListBundles(args, context),
  new: (args, context) => commandNew(args, context),
  doctor: (args, context) => commandDoctor(args, context),
};

/**
 * Run the CLI.
 *
 * @param args Arguments after the program name.
 * @param deps Injected output, environment, backends, tracing, MCP and extra commands.
 * @returns The exit code: 0 ok, 1 runtime failure, 2 usage error.
 * @example
 * ```ts ignore
 * const lines: string[] = [];
 * const code = await main(["list-bundles", "examples/skills"], { stdout: (t) => lines.push(t) });
 * ```
 */
export async function main(args: string[], deps: CliDependencies = {}): Promise<number> {
  const io: CliIo = {
    stdout: deps.stdout ?? ((text) => console.log(text)),
    stderr: deps.stderr ?? ((text) => console.error(text)),
  };
  const env = deps.env ?? await processEnv();
  const tty = deps.isTTY ?? (deps.stdout === undefined && await stdoutIsTerminal());
  const context: Context = {
    io,
    deps,
    env,
    tty: tty && !env.NO_COLOR,
    debug: args.includes("--debug"),
  };
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    io.stdout(`looplet ${VERSION}`);
    return 0;
  }
  const injected = deps.commands?.[name];
  if (injected) return await injected(rest, io);
  const handler = COMMANDS[name];
  if (!handler) {
    if (name === "show" || name === "eval") {
      io.stderr(
        `error: '${name}' is not available in this build; it comes with the provenance module (wire it through main(args, { commands }))`,
      );
      return 1;
    }
    io.stderr(`error: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(COMMAND_USAGE[name] ?? USAGE);
    return 0;
  }
  try {
    return await handler(rest, context);
  } catch (error) {
    return reportError(error, name, context);
  }
}

function reportError(error: unknown, command: string, context: Context): number {
  const { io } = context;
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n${COMMAND_USAGE[error.command ?? command] ?? USAGE}`);
    return 2;
  }
  const problems = (error as { problems?: unknown }).problems;
  if (Array.isArray(problems) && problems.length > 0 && (error as Error).name === "BundleError") {
    const lines = (error as Error).message.split("\n");
    if (lines.length === 1) io.stderr(`error: ${lines[0]}`);
    else {
      io.stderr(`error: ${lines.length} problems:`);
      for (const line of lines) io.stderr(`  - ${line}`);
    }
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: ${message.split("\n")[0]}`);
  }
  if (context.debug && error instanceof Error && error.stack) io.stderr(error.stack);
  return 1;
}

interface DenoLike {
  readonly args: string[];
  readonly env: { toObject(): Record<string, string> };
  readonly stdout: { isTerminal(): boolean };
  exit(code: number): never;
}

/** The Deno namespace when running on Deno (no node: import on the fast path). */
function deno(): DenoLike | undefined {
  return (globalThis as { Deno?: DenoLike }).Deno;
}

async function processEnv(): Promise<Readonly<Record<string, string | undefined>>> {
  const runtime = deno();
  if (runtime) {
    try {
      return runtime.env.toObject();
    } catch {
      return {}; // no --allow-env: behave as if nothing is set
    }
  }
  return (await import("node:process")).default.env;
}

async function stdoutIsTerminal(): Promise<boolean> {
  const runtime = deno();
  if (runtime) return runtime.stdout.isTerminal();
  return Boolean((await import("node:process")).default.stdout?.isTTY);
}

/**
 * Parse a command's options in the manner of `node:util` `parseArgs`
 * (strict; `--flag value`, `--flag=value`, `-f value`, repeatable options,
 * `--` ends options). Written here because importing any `node:` built-in
 * costs Deno ~15 ms of start-up. Unknown flags and wrong positional counts
 * are usage errors.
 *
 * @param command The command, for messages.
 * @param args Its arguments.
 * @param options The flags it takes (`--debug` is always accepted).
 * @param positionals How many positionals, and what they are called.
 * @returns The flag values and the positionals.
 * @throws {UsageError} On unknown flags, missing values or wrong counts.
 * @example
 * ```ts ignore
 * parseCommand("run", ["x", "--json"], { json: { type: "boolean" } }, { min: 1, max: 1, names: "a bundle" });
 * ```
 */
export function parseCommand(
  command: string,
  args: string[],
  options: Record<string, OptionSpec>,
  positionals: { min: number; max: number; names: string },
): { values: Record<string, unknown>; positionals: string[] } {
  const specs: Record<string, OptionSpec> = { ...options, debug: { type: "boolean" } };
  const shorts = new Map(
    Object.entries(specs).filter(([, spec]) => spec.short).map((
      [name, spec],
    ) => [spec.short!, name]),
  );
  const values: Record<string, unknown> = {};
  const found: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") {
      found.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      found.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const [flag, inline] = long ? arg.slice(2).split(/=(.*)/s, 2) : [arg.slice(1), undefined];
    const name = long ? flag : shorts.get(flag);
    const spec = name === undefined ? undefined : specs[name];
    if (name === undefined || spec === undefined) {
      throw new UsageError(`unknown option '${arg.split("=")[0]}'`, command);
    }
    let value: unknown = true;
    if (spec.type === "string") {
      if (inline !== undefined) value = inline;
      else if (index + 1 < args.length) value = args[++index];
      else throw new UsageError(`option '--${name}' needs a value`, command);
    } else if (inline !== undefined) {
      throw new UsageError(`option '--${name}' does not take a value`, command);
    }
    if (spec.multiple) values[name] = [...((values[name] as unknown[]) ?? []), value];
    else values[name] = value;
  }
  const parsed = { values, positionals: found };
  const count = parsed.positionals.length;
  if (count < positionals.min) {
    throw new UsageError(`'${command}' needs ${positionals.names}`, command);
  }
  if (count > positionals.max) {
    throw new UsageError(
      `'${command}' got unexpected argument "${
        parsed.positionals[positionals.max]
      }" (quote a task with spaces)`,
      command,
    );
  }
  return { values: parsed.values as Record<string, unknown>, positionals: parsed.positionals };
}

/**
 * Parse a positive integer option; a bad value is a usage error.
 *
 * @example Read `--max-steps` from parsed options
 * ```ts ignore
 * const { values } = parseCommand("run", args, { "max-steps": { type: "string" } }, { min: 0, max: 2, names: "a bundle and a task" });
 * const maxSteps = positiveInteger("run", "max-steps", values["max-steps"]); // undefined when absent
 * ```
 */
export function positiveInteger(
  command: string,
  flag: string,
  value: unknown,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError(`--${flag} must be a positive integer, got "${value}"`, command);
  }
  return number;
}

/**
 * Resolve a bundle argument: an existing path, else the name of a shipped example bundle.
 *
 * @param argument The argument as typed.
 * @returns The path to load.
 * @example
 * ```ts ignore
 * await resolveBundle("coder");
 * ```
 */
export async function resolveBundle(argument: string): Promise<string> {
  const { resolveBundleArgument } = await lazy<typeof import("./bundles/builtin_bundle.ts")>(
    "./bundles/builtin_bundle.ts",
  );
  return await resolveBundleArgument(argument);
}

async function commandBlueprint(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("blueprint", args, {
    workspace: { type: "string", short: "w" },
    "max-steps": { type: "string" },
  }, { min: 1, max: 1, names: "a bundle folder" });
  const maxSteps = positiveInteger("blueprint", "max-steps", values["max-steps"]);
  const bundle = await resolveBundle(positionals[0]);
  const { bundleBlueprint } = await lazy<typeof import("./bundles/bundle_blueprint.ts")>(
    "./bundles/bundle_blueprint.ts",
  );
  const blueprint = await bundleBlueprint(bundle, {
    workspace: (values.workspace as string | undefined) ?? ".",
    ...(maxSteps ? { maxSteps } : {}),
    ...(context.deps.connect ? { connect: context.deps.connect } : {}),
  });
  const { canonicalJson } = await lazy<typeof import("./bundles/blueprint.ts")>(
    "./bundles/blueprint.ts",
  );
  context.io.stdout(JSON.stringify(JSON.parse(canonicalJson(blueprint)), null, 2));
  return 0;
}

async function commandExportCode(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("export-code", args, {
    library: { type: "string" },
  }, { min: 2, max: 2, names: "a bundle folder and an output .ts file" });
  const { exportBundleCode } = await lazy<typeof import("./bundles/export_bundle_code.ts")>(
    "./bundles/export_bundle_code.ts",
  );
  const result = await exportBundleCode(positionals[0], positionals[1], {
    ...(values.library ? { library: values.library as string } : {}),
  });
  context.io.stdout(`exported ${positionals[0]} -> ${result.path}`);
  context.io.stdout(`fingerprint: ${result.fingerprint}`);
  return 0;
}

async function commandPackage(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("package", args, {
    name: { type: "string" },
    description: { type: "string" },
    tag: { type: "string", multiple: true },
  }, { min: 2, max: 2, names: "a factory reference (module.ts#export) and an output folder" });
  const { packageFactory } = await lazy<typeof import("./bundles/package_factory.ts")>(
    "./bundles/package_factory.ts",
  );
  const result = await packageFactory(positionals[0], positionals[1], {
    ...(values.name ? { name: values.name as string } : {}),
    ...(values.description ? { description: values.description as string } : {}),
    tags: (values.tag as string[] | undefined) ?? [],
  });
  context.io.stdout(`packaged ${positionals[0]} -> ${result.path}`);
  context.io.stdout(`try it: looplet run ${result.path} "<task>" --scripted-response '<reply>'`);
  return 0;
}

async function commandWrap(args: string[], context: Context): Promise<number> {
  const { positionals } = parseCommand("wrap-claude-skill", args, {}, {
    min: 2,
    max: 2,
    names: "a skill folder and an output folder",
  });
  const { wrapClaudeSkill } = await lazy<typeof import("./bundles/wrap_claude_skill.ts")>(
    "./bundles/wrap_claude_skill.ts",
  );
  const result = await wrapClaudeSkill(positionals[0], positionals[1]);
  context.io.stdout(`wrapped ${positionals[0]} -> ${result.path}`);
  context.io.stdout(`compatibility: ${result.compatibility}`);
  for (const gap of result.gaps) context.io.stdout(`gap: ${gap}`);
  return 0;
}

async function commandListBundles(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("list-bundles", args, {
    json: { type: "boolean" },
    "include-invalid": { type: "boolean" },
  }, { min: 1, max: Infinity, names: "at least one folder to search" });
  const { discoverBundles } = await lazy<typeof import("./bundles/discover_bundles.ts")>(
    "./bundles/discover_bundles.ts",
  );
  const { cards, warnings } = await discoverBundles(positionals, {
    includeInvalid: Boolean(values["include-invalid"]),
  });
  if (values.json) {
    context.io.stdout(JSON.stringify(cards, null, 2));
  } else {
    for (const card of cards) {
      context.io.stdout(
        `${card.name}\t${card.ok ? "ok" : "invalid"}\t${card.path}\t${card.description}`,
      );
      for (const error of card.errors) context.io.stdout(`  - ${error}`);
    }
    if (cards.length === 0) context.io.stdout("no bundles found");
  }
  for (const warning of warnings) context.io.stderr(`warning: ${warning}`);
  return 0;
}

async function commandNew(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("new", args, {
    name: { type: "string" },
    description: { type: "string" },
  }, { min: 1, max: 1, names: "the folder to create" });
  const { scaffoldBundle } = await lazy<typeof import("./bundles/scaffold_bundle.ts")>(
    "./bundles/scaffold_bundle.ts",
  );
  const result = await scaffoldBundle(positionals[0], {
    ...(values.name ? { name: values.name as string } : {}),
    ...(values.description ? { description: values.description as string } : {}),
  });
  context.io.stdout(`created ${result.path} (${result.files.join(", ")})`);
  context.io.stdout(`try it: looplet run ${result.path} "Say hello" --scripted`);
  return 0;
}

async function commandDoctor(args: string[], context: Context): Promise<number> {
  const { values } = parseCommand("doctor", args, {
    json: { type: "boolean" },
    "no-backend": { type: "boolean" },
  }, { min: 0, max: 0, names: "" });
  const { doctorChecks } = await lazy<typeof import("./bundles/doctor_checks.ts")>(
    "./bundles/doctor_checks.ts",
  );
  const checks = await doctorChecks(context.env, {
    backend: !values["no-backend"],
    ...(context.deps.backendFromEnv ? { backendFromEnv: context.deps.backendFromEnv } : {}),
    ...(context.deps.probeNativeTools ? { probeNativeTools: context.deps.probeNativeTools } : {}),
  });
  if (values.json) context.io.stdout(JSON.stringify({ checks }, null, 2));
  else {
    context.io.stdout("looplet doctor");
    for (const check of checks) {
      context.io.stdout(`${check.status.toUpperCase().padEnd(5)} ${check.name}: ${check.detail}`);
    }
  }
  return checks.some((check) => check.status === "error") ? 1 : 0;
}

/**
 * The real dependencies of the program: model backends from the environment,
 * the native-tool probe, provenance traces, MCP servers, and the `show` and
 * `eval` commands. Each loads its module on first use, so commands that do
 * not need them start fast.
 *
 * @returns Dependencies for `main(args, deps)`.
 * @example
 * ```ts ignore
 * Deno.exit(await main(Deno.args, programDependencies()));
 * ```
 */
export function programDependencies(): CliDependencies {
  const wiring = () => lazy<typeof import("./cli_wiring.ts")>("./cli_wiring.ts");
  const common: CliDependencies = {
    backendFromEnv: async (env, overrides) => (await wiring()).cliBackend(env, overrides),
    probeNativeTools: async (backend) => (await wiring()).cliProbe(backend),
  };
  // Traces, MCP servers and show/eval use Deno's file and process APIs; under
  // Node the single-file CLI runs bundles with real or scripted models only.
  if (deno() === undefined) return common;
  return {
    ...common,
    trace: async (options) => (await wiring()).cliTrace(options),
    connect: async (config) => (await wiring()).cliConnect(config),
    commands: {
      show: async (args, io) => (await wiring()).defaultCliDependencies().commands!.show(args, io),
      eval: async (args, io) => (await wiring()).defaultCliDependencies().commands!.eval(args, io),
    },
  };
}

async function start(): Promise<void> {
  const meta = import.meta as ImportMeta & { main?: boolean };
  const runtime = deno();
  if (runtime) {
    if (meta.main) runtime.exit(await main(runtime.args, programDependencies()));
    return;
  }
  const { default: process } = await import("node:process");
  const script = process.argv[1];
  if (!script) return;
  const { pathToFileURL } = await import("node:url");
  if (import.meta.url !== pathToFileURL(script).href) return;
  process.exit(await main(process.argv.slice(2), programDependencies()));
}

start();
