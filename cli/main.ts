/**
 * The looplet command line: run skill bundles, inspect and convert them.
 *
 * ```sh
 * deno run -A jsr:@looplet/cli run ./skills/coder "Fix the tests" --workspace .
 * ```
 *
 * `main(args, deps)` returns the exit code (0 ok, 1 runtime failure, 2 usage
 * error) and prints only through `deps.stdout`/`deps.stderr`. Model backends,
 * the native-tool probe, tracing, MCP and extra commands are
 * injected through `deps`; each command module loads only when it runs.
 *
 * @module
 */
import type { CliContext, CliDependencies, CliIo } from "./types.ts";
import { commandHelp, type CommandSpec, parseCommand, UsageError, usageLine } from "./args.ts";
import { suggestSimilar } from "../loop/suggest_similar.ts";
import { LOOPLET_VERSION } from "../loop/version.ts";

export type {
  BackendOverrides,
  CliContext,
  CliDependencies,
  CliIo,
  CommandFunction,
  TraceOptions,
  TraceSink,
} from "./types.ts";

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

/** A command module: one command, or sub-commands named by their words (`eval run`). */
type CommandModule =
  | { readonly command: CommandSpec }
  | { readonly commands: Readonly<Record<string, CommandSpec>> };

/** A cartridge command of `cli/cartridge_commands.ts`. */
function cartridgeCommand(
  name: "conform" | "describe" | "diff" | "hash" | "convert",
): () => Promise<CommandModule> {
  return async () => ({
    command: (await import("./cartridge_commands.ts")).CARTRIDGE_COMMANDS[name],
  });
}

/** One row of the command table: the line `--help` shows, and the module to load. */
interface CommandEntry {
  readonly line: string;
  load(): Promise<CommandModule>;
}

/**
 * The command table. Each module is a literal `import()`, so `deno publish`,
 * `deno compile` and bundlers see it, and a command loads only when it runs.
 */
const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  run: {
    line:
      "run <bundle> <task>               run a bundle or cartridge (--scripted replays its script)",
    load: () => import("./run.ts"),
  },
  blueprint: {
    line: "blueprint <bundle>                print what a bundle or cartridge builds, as JSON",
    load: () => import("./blueprint.ts"),
  },
  "export-code": {
    line:
      "export-code <bundle> <out.ts>     write a standalone TS program for a bundle or cartridge",
    load: () => import("./export_code.ts"),
  },
  package: {
    line: "package <module#export> <out-dir> turn a factory into a runnable bundle",
    load: () => import("./package.ts"),
  },
  "wrap-claude-skill": {
    line: "wrap-claude-skill <skill> <out>   make a Claude skill folder a looplet bundle",
    load: () => import("./wrap.ts"),
  },
  "list-bundles": {
    line: "list-bundles <roots...>           find bundles under folders",
    load: () => import("./list_bundles.ts"),
  },
  new: {
    line: "new <dir>                         scaffold a bundle that runs at once with --scripted",
    load: () => import("./new.ts"),
  },
  doctor: {
    line: "doctor                            check runtime, environment and model endpoint",
    load: () => import("./doctor.ts"),
  },
  conform: {
    line: "conform <cases-dir>               run Cartridge Spec v2 conformance cases",
    load: cartridgeCommand("conform"),
  },
  describe: {
    line: "describe <cartridge>              summarise a cartridge",
    load: cartridgeCommand("describe"),
  },
  diff: {
    line: "diff <a> <b>                      list the changes between two cartridges, by category",
    load: cartridgeCommand("diff"),
  },
  hash: {
    line: "hash <cartridge>                  print a cartridge's content hash",
    load: cartridgeCommand("hash"),
  },
  convert: {
    line:
      "convert <src> <out-dir>           turn a bundle into a cartridge, or a cartridge into a bundle",
    load: cartridgeCommand("convert"),
  },
  show: {
    line: "show <trace-dir>                  print a recorded run",
    load: () => import("./show.ts"),
  },
  eval: {
    line: "eval run|cases ...                score traces with evaluators; read eval cases",
    load: () => import("./eval.ts"),
  },
};

const USAGE = `usage: looplet <command> [options]

commands:
${Object.values(COMMANDS).map((entry) => `  ${entry.line}`).join("\n")}

run 'looplet <command> --help' for a command's options`;

/** Find the command spec the words name: `run`, or `eval cases list`. */
async function findCommand(
  entry: CommandEntry,
  name: string,
  rest: string[],
): Promise<{ spec: CommandSpec; args: string[] } | { help: string }> {
  const module = await entry.load();
  if ("command" in module) return { spec: module.command, args: rest };
  const words = Object.keys(module.commands);
  for (const count of [2, 1]) {
    const spec = module.commands[rest.slice(0, count).join(" ")];
    if (spec !== undefined) return { spec, args: rest.slice(count) };
  }
  const lines = Object.values(module.commands).map((spec) => `       ${usageLine(spec).slice(7)}`);
  const help = `usage:${lines.join("\n").slice(6)}`;
  const [first] = rest;
  if (first === undefined || first === "--help" || first === "-h") return { help };
  const hint = suggestSimilar(first, new Set(words.map((word) => word.split(" ")[0] ?? word)));
  throw new UsageError(
    `unknown ${name} command "${rest.slice(0, 2).join(" ")}"${
      hint ? `; did you mean '${name} ${hint}'?` : ""
    }\n${help}`,
    "",
  );
}

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
  const terminal = deps.isTTY ?? (deps.stdout === undefined && await stdoutIsTerminal());
  const context: CliContext = {
    io,
    deps,
    env,
    tty: env.FORCE_COLOR ? env.FORCE_COLOR !== "0" : terminal && !env.NO_COLOR,
    terminal,
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
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (entry === undefined) {
    const hint = suggestSimilar(name, Object.keys(COMMANDS));
    io.stderr(
      `error: unknown command "${name}"${hint ? `; did you mean '${hint}'?` : ""}\n${USAGE}`,
    );
    return 2;
  }
  let spec: CommandSpec | undefined;
  try {
    const found = await findCommand(entry, name, rest);
    if ("help" in found) {
      (rest.length === 0 ? io.stderr : io.stdout)(found.help);
      return rest.length === 0 ? 2 : 0;
    }
    spec = found.spec;
    const parsed = parseCommand(spec.name, found.args, spec.options, spec.positionals);
    if (parsed.values.help) {
      io.stdout(commandHelp(spec));
      return 0;
    }
    return await spec.run(parsed, context);
  } catch (error) {
    return reportError(error, spec, context);
  }
}

function reportError(error: unknown, spec: CommandSpec | undefined, context: CliContext): number {
  const { io } = context;
  if (error instanceof UsageError) {
    const usage = spec
      ? `\n${usageLine(spec)}\nrun 'looplet ${spec.name} --help' for its options`
      : "";
    io.stderr(`error: ${error.message}${usage}`);
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
    const category = (error as { category?: unknown }).category !== undefined
      ? `${(error as Error).name}: `
      : "";
    io.stderr(`error: ${category}${message.split("\n")[0]}`);
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
  // One name at a time, so a narrow --allow-env=… works (toObject() needs all of them).
  return (await import("../internal/environment.ts")).processEnvironment();
}

async function stdoutIsTerminal(): Promise<boolean> {
  const runtime = deno();
  if (runtime) return runtime.stdout.isTerminal();
  return Boolean((await import("node:process")).default.stdout?.isTTY);
}

/**
 * The real dependencies of the program: model backends from the environment,
 * the native-tool probe, provenance traces and MCP servers. Each loads its module on first use, so commands that do
 * not need them start fast.
 *
 * @returns Dependencies for `main(args, deps)`.
 * @example
 * ```ts ignore
 * Deno.exit(await main(Deno.args, programDependencies()));
 * ```
 */
export function programDependencies(): CliDependencies {
  const wiring = () => import("./wiring.ts");
  return {
    backendFromEnv: async (env, overrides) => (await wiring()).cliBackend(env, overrides),
    probeNativeTools: async (backend) => (await wiring()).cliProbe(backend),
    trace: async (options) => (await wiring()).cliTrace(options),
    connect: async (config) => (await wiring()).cliConnect(config),
  };
}

/**
 * Run the CLI as a program when `meta` belongs to the entry module: exits with
 * `main`'s code under Deno and Node, does nothing when imported.
 *
 * @param meta The entry module's `import.meta`.
 * @example
 * ```ts ignore
 * runAsProgram(import.meta);
 * ```
 */
export async function runAsProgram(meta: ImportMeta): Promise<void> {
  const runtime = deno();
  if (runtime) {
    if ((meta as ImportMeta & { main?: boolean }).main) {
      runtime.exit(await main(runtime.args, programDependencies()));
    }
    return;
  }
  const { default: process } = await import("node:process");
  const script = process.argv[1];
  if (!script) return;
  const { pathToFileURL } = await import("node:url");
  if (meta.url !== pathToFileURL(script).href) return;
  process.exit(await main(process.argv.slice(2), programDependencies()));
}
