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
import type { CliContext, CliDependencies, CliIo } from "./types.ts";
import { parseCommand, positiveInteger, resolveBundle, UsageError } from "./args.ts";
import { LOOPLET_VERSION } from "../loop/version.ts";
import { CARTRIDGE_USAGE } from "./cartridge_commands.ts";

export type {
  BackendOverrides,
  CliContext,
  CliDependencies,
  CliIo,
  CommandFunction,
  TraceOptions,
  TraceSink,
} from "./types.ts";
export {
  type OptionSpec,
  parseCommand,
  positiveInteger,
  resolveBundle,
  UsageError,
} from "./args.ts";

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
  run <bundle> <task>               run a bundle or cartridge (--scripted replays its script)
  blueprint <bundle>                print what a bundle or cartridge builds, as JSON
  export-code <bundle> <out.ts>     write a standalone TS program for a bundle or cartridge
  package <module#export> <out-dir> turn a factory into a runnable bundle
  wrap-claude-skill <skill> <out>   make a Claude skill folder a looplet bundle
  list-bundles <roots...>           find bundles under folders
  new <dir>                         scaffold a bundle that runs at once with --scripted
  doctor                            check runtime, environment and model endpoint
  conform <cases-dir>               run Cartridge Spec v2 conformance cases
  describe <cartridge>              summarise a cartridge
  diff <a> <b>                      list the changes between two cartridges, by category
  hash <cartridge>                  print a cartridge's content hash
  convert <src> <out-dir>           turn a bundle into a cartridge, or a cartridge into a bundle
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
  "list-bundles": "usage: looplet list-bundles <roots...> [--json] [--include-invalid] [--check]",
  new: "usage: looplet new <dir> [--name NAME] [--description TEXT]",
  doctor: "usage: looplet doctor [--json] [--no-backend]",
  ...CARTRIDGE_USAGE,
};

type Context = CliContext;

type Handler = (args: string[], context: Context) => Promise<number>;

/** The command table. Each entry loads what it needs on first use. */
const COMMANDS: Record<string, Handler> = {
  run: (args, context) => import("./run.ts").then((m) => m.cliRun(args, context)),
  blueprint: (args, context) => commandBlueprint(args, context),
  "export-code": (args, context) => commandExportCode(args, context),
  package: (args, context) => commandPackage(args, context),
  "wrap-claude-skill": (args, context) => commandWrap(args, context),
  "list-bundles": (args, context) => commandListBundles(args, context),
  new: (args, context) => commandNew(args, context),
  doctor: (args, context) => commandDoctor(args, context),
  conform: (args, context) =>
    import("./cartridge_commands.ts").then((m) => m.commandConform(args, context)),
  describe: (args, context) =>
    import("./cartridge_commands.ts").then((m) => m.commandDescribe(args, context)),
  diff: (args, context) =>
    import("./cartridge_commands.ts").then((m) => m.commandDiff(args, context)),
  hash: (args, context) =>
    import("./cartridge_commands.ts").then((m) => m.commandHash(args, context)),
  convert: (args, context) =>
    import("./cartridge_commands.ts").then((m) => m.commandConvert(args, context)),
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
    tty: env.FORCE_COLOR ? env.FORCE_COLOR !== "0" : tty && !env.NO_COLOR,
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

async function commandBlueprint(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("blueprint", args, {
    workspace: { type: "string", short: "w" },
    "max-steps": { type: "string" },
  }, { min: 1, max: 1, names: "a bundle folder" });
  const maxSteps = positiveInteger("blueprint", "max-steps", values["max-steps"]);
  const bundle = await resolveBundle(positionals[0]);
  const { agentBlueprintOf } = await import("../cartridge/cartridge_blueprint.ts");
  const blueprint = await agentBlueprintOf(bundle, {
    workspace: (values.workspace as string | undefined) ?? ".",
    ...(maxSteps ? { maxSteps } : {}),
    ...(context.deps.connect ? { connect: context.deps.connect } : {}),
  });
  const { canonicalJson } = await import("../bundles/blueprint.ts");
  context.io.stdout(JSON.stringify(JSON.parse(canonicalJson(blueprint)), null, 2));
  return 0;
}

async function commandExportCode(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("export-code", args, {
    library: { type: "string" },
  }, { min: 2, max: 2, names: "a bundle folder and an output .ts file" });
  const { exportAgentCode } = await import("../cartridge/export_cartridge_code.ts");
  const result = await exportAgentCode(positionals[0], positionals[1], {
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
  const { packageFactory } = await import("../bundles/package_factory.ts");
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
  const { wrapClaudeSkill } = await import("../bundles/wrap_claude_skill.ts");
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
    check: { type: "boolean" },
  }, { min: 1, max: Infinity, names: "at least one folder to search" });
  const { discoverBundles } = await import("../bundles/discover_bundles.ts");
  const { cards, warnings } = await discoverBundles(positionals, {
    includeInvalid: Boolean(values["include-invalid"] || values.check),
    check: Boolean(values.check),
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
  return values.check && cards.some((card) => !card.ok) ? 1 : 0;
}

async function commandNew(args: string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommand("new", args, {
    name: { type: "string" },
    description: { type: "string" },
  }, { min: 1, max: 1, names: "the folder to create" });
  const { scaffoldBundle } = await import("../bundles/scaffold_bundle.ts");
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
  const { doctorChecks } = await import("../bundles/doctor_checks.ts");
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
  const wiring = () => import("./wiring.ts");
  const common: CliDependencies = {
    backendFromEnv: async (env, overrides) => (await wiring()).cliBackend(env, overrides),
    probeNativeTools: async (backend) => (await wiring()).cliProbe(backend),
  };
  // ProvenanceSink and the MCP stdio transport still use Deno's file and process APIs:
  // off Deno, runs go untraced and without MCP servers until they use node: APIs.
  const onDeno = deno() !== undefined;
  return {
    ...common,
    ...(onDeno ? { trace: async (options) => (await wiring()).cliTrace(options) } : {}),
    ...(onDeno ? { connect: async (config) => (await wiring()).cliConnect(config) } : {}),
    commands: {
      show: async (args, io) => (await wiring()).defaultCliDependencies().commands.show(args, io),
      eval: async (args, io) => (await wiring()).defaultCliDependencies().commands.eval(args, io),
    },
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
