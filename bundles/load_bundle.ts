import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { assertToolShape } from "../loop/assert_tool.ts";
import { DEFAULT_SYSTEM_PROMPT } from "../loop/prompt.ts";
import type { AnyTool, Hook } from "../loop/types.ts";
import type { ScriptedResponse } from "../backends/scripted.ts";
import type { Step } from "../loop/step.ts";
import type { McpServerConfig } from "../tools/mcp/mcp_server.ts";
import type { AgentPreset, BundleRuntime } from "./agent_preset.ts";
import type { BundleOptionSpec } from "./bundle_option_spec.ts";
import type { CommandPolicy } from "../tools/workspace/run_command.ts";
import type { SandboxMode } from "../tools/workspace/detect_sandbox.ts";
import { bundleLibrary } from "./bundle_library.ts";
import { BundleError, type BundleProblem } from "./bundle_error.ts";
import type { McpServerSpec } from "./bundle_manifest.ts";
import { declaredTool } from "./declared_tool.ts";
import { describeError, importFailure } from "./_import_failure.ts";
import { declaredHooks } from "./hook_registry.ts";
import { type BundleFolder, readBundleFolder } from "./read_bundle_folder.ts";

/**
 * What a bundle-owned `run(...)` receives.
 *
 * @example Take over the run in an entrypoint
 * ```ts ignore
 * export async function run(context: BundleRunContext): Promise<number> {
 *   const { task, runtime } = context;
 *   context.stdout(`Working on "${task}" in ${runtime.workspace}`);
 *   const checks = await runtime.lib.runCommand("deno", ["test", "-A"], { cwd: runtime.workspace });
 *   if (checks.exitCode !== 0) context.stderr(checks.stderr);
 *   return checks.exitCode ?? 1;
 * }
 * ```
 */
export interface BundleRunContext {
  /** The task. */
  readonly task: string;
  /** The runtime (workspace, budget, library). */
  readonly runtime: BundleRuntime;
  /** Scripted replies, when running scripted. */
  readonly scriptedResponses?: readonly ScriptedResponse[];
  /** Where to write a trace, when asked. */
  readonly traceDir?: string;
  /** Print a line. */
  stdout(text: string): void;
  /** Print an error line. */
  stderr(text: string): void;
}

/**
 * The exports of a bundle's entrypoint module.
 *
 * @example Call a loaded bundle's exports
 * ```ts ignore
 * const bundle = await loadBundle("examples/skills/coder");
 * const entry: BundleEntrypoint | undefined = bundle.entrypoint;
 * const preset = await entry?.build(bundleRuntime(bundle.folder.root, { workspace: "." }));
 * const replies = await entry?.scriptedResponses?.();
 * ```
 */
export interface BundleEntrypoint {
  /** Build the agent's parts. */
  build(runtime: BundleRuntime): AgentPreset | Promise<AgentPreset>;
  /** Replies for `--scripted`. */
  scriptedResponses?(): readonly ScriptedResponse[] | Promise<readonly ScriptedResponse[]>;
  /** A custom line per step for `looplet run` (return nothing to use the default). */
  renderStep?(step: Step): string | undefined | null;
  /** Take over the whole run; returns the exit code. */
  run?(context: BundleRunContext): number | Promise<number>;
  /** The runtime options `build` reads, so `--option key=value` can be typed and checked. */
  readonly options?: Readonly<Record<string, BundleOptionSpec>>;
}

/**
 * A loaded bundle: its validated folder and, when it has one, its entrypoint's exports.
 *
 * @example Load a bundle and report what it declares
 * ```ts ignore
 * const bundle = await loadBundle("examples/skills/dep_audit");
 * console.log(bundle.name, bundle.description, bundle.entrypoint ? "code" : "declarative");
 * console.log(bundle.folder.tools.map((entry) => entry.manifest.name));
 * for (const warning of bundle.warnings) console.warn(warning);
 * ```
 */
export interface LoadedBundle {
  /** `name` from SKILL.md. */
  readonly name: string;
  /** `description` from SKILL.md. */
  readonly description: string;
  /** The validated folder. */
  readonly folder: BundleFolder;
  /** The entrypoint's exports (absent for declarative bundles). */
  readonly entrypoint?: BundleEntrypoint;
  /** Non-fatal findings. */
  readonly warnings: readonly string[];
}

/**
 * The configuration `connect` receives for one MCP server: the MCP module's
 * `McpServerConfig`, with `cwd` made absolute and the bundle's `prefix` (a
 * tool-name prefix, the server name by default, `""` for none) as written.
 *
 * @example What `connect` gets for a stdio server
 * ```ts
 * import type { McpConnectConfig } from "jsr:@looplet/looplet/bundles";
 * const config: McpConnectConfig = {
 *   name: "fs",
 *   command: "npx",
 *   args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv/project"],
 *   timeoutMs: 30_000,
 * };
 * ```
 */
export interface McpConnectConfig extends Omit<McpServerConfig, "prefix"> {
  /** Tool name prefix. */
  readonly prefix?: string;
}

/**
 * The configuration `connect` receives for a server of `mcp.json`: camelCase
 * fields, `cwd` resolved against the bundle folder.
 */
function mcpConnectConfig(spec: McpServerSpec, bundleRoot: string): McpConnectConfig {
  const { timeout_ms: timeoutMs, cwd, ...rest } = spec;
  return {
    ...rest,
    ...(cwd !== undefined ? { cwd: resolve(bundleRoot, cwd) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

/**
 * A connected MCP server.
 *
 * @example Wrap a connected server for `buildBundle`
 * ```ts ignore
 * const server = await connectMcpServer({ name: "fs", command: "mcp-server-filesystem", args: ["."] });
 * const connection: McpConnection = {
 *   name: server.name,
 *   tools: () => server.tools(),
 *   close: () => server.close(),
 * };
 * ```
 */
export interface McpConnection {
  /** Server name. */
  readonly name: string;
  /** Its tools, as loop tools. */
  tools(): Promise<AnyTool[]>;
  /** Disconnect. */
  close(): Promise<void>;
}

/**
 * Connects an MCP server (injected; the MCP module provides `connectMcpServer`).
 *
 * @example Connect a bundle's servers with the MCP module
 * ```ts ignore
 * import { connectMcpServer } from "jsr:@looplet/looplet/mcp";
 * const connect: McpConnect = ({ prefix: _prefix, ...config }) =>
 *   connectMcpServer({ ...config, prefix: true });
 * const agent = await buildBundle(bundle, { connect });
 * ```
 */
export type McpConnect = (config: McpConnectConfig) => Promise<McpConnection>;

/**
 * Options of `buildBundle`.
 *
 * @example Build for a workspace with a budget and options
 * ```ts ignore
 * const agent = await buildBundle(bundle, {
 *   workspace: "./project",
 *   maxSteps: 40,
 *   options: { test_command: "npm test", require_tests: true },
 *   connect,
 * });
 * ```
 */
export interface BuildBundleOptions {
  /** The workspace folder. @default "." */
  readonly workspace?: string;
  /** Step budget. @default the bundle's max-steps, else 20 */
  readonly maxSteps?: number;
  /** A scripted run. @default false */
  readonly scripted?: boolean;
  /** Free-form runtime options. @default {} */
  readonly options?: Record<string, unknown>;
  /** Connects the MCP servers the bundle declares; required when it declares any. */
  readonly connect?: McpConnect;
  /** Run command tools (bash, `command` tools, the test guard) in the sandbox. @default "none" */
  readonly sandbox?: SandboxMode;
  /** The command policy: `sandbox` plus the bundle's `network` and `pass-env`, unless given. */
  readonly commands?: CommandPolicy;
}

/**
 * A built agent: everything `composableLoop` needs, plus where each part came from.
 *
 * @example Run a built agent and close it
 * ```ts ignore
 * const agent = await buildBundle(await loadBundle("examples/skills/coder"), { workspace: "." });
 * try {
 *   const { tools, hooks, systemPrompt, maxSteps } = agent;
 *   for await (const step of composableLoop({ llm, task, tools, hooks, systemPrompt, maxSteps })) console.log(step.call.tool);
 * } finally {
 *   await agent.close();
 * }
 * ```
 */
export interface BuiltAgent {
  /** Bundle name. */
  readonly name: string;
  /** Bundle description. */
  readonly description: string;
  /** Tools, in order (without the implicit `done`). */
  readonly tools: readonly AnyTool[];
  /** Where each tool came from: `entrypoint`, `tools/<name>`, or `mcp:<server>`. */
  readonly toolOrigins: ReadonlyMap<string, string>;
  /** Hooks, in order. */
  readonly hooks: readonly Hook[];
  /** The system prompt the model gets: base prompt, instructions and memory. */
  readonly systemPrompt: string;
  /** The base system prompt alone. */
  readonly basePrompt: string;
  /** SKILL.md body. */
  readonly instructions: string;
  /** Memory files. */
  readonly memory: readonly { readonly name: string; readonly text: string }[];
  /** Step budget. */
  readonly maxSteps: number;
  /** Initial run metadata. */
  readonly metadata: Record<string, unknown>;
  /** Finishing tool. */
  readonly doneTool: string;
  /** MCP servers attached. */
  readonly mcpServers: readonly McpServerSpec[];
  /** The runtime the bundle was built with. */
  readonly runtime: BundleRuntime;
  /** Close MCP connections. */
  close(): Promise<void>;
}

/**
 * Load a bundle: read and validate its folder, then import its entrypoint
 * (if it has one) and check its exports.
 *
 * @param root The bundle folder or its SKILL.md.
 * @returns The bundle.
 * @throws {BundleError} Listing every problem, each with file and field.
 * @example
 * ```ts ignore
 * const bundle = await loadBundle("examples/skills/coder");
 * const agent = await buildBundle(bundle, { workspace: "./project" });
 * ```
 */
export async function loadBundle(root: string): Promise<LoadedBundle> {
  const { folder, problems, warnings } = await readBundleFolder(root);
  if (folder === undefined) throw new BundleError(problems);
  let entrypoint: BundleEntrypoint | undefined;
  if (folder.entrypoint) {
    const display = `${folder.displayRoot}/${folder.entrypoint.relative}`;
    let module: Record<string, unknown>;
    try {
      module = await import(pathToFileURL(folder.entrypoint.path).href);
    } catch (error) {
      throw new BundleError([{ path: display, message: importFailure(error) }], { cause: error });
    }
    const problemsFound: BundleProblem[] = [];
    if (typeof module.build !== "function") {
      problemsFound.push({
        path: display,
        field: "build",
        message:
          "must export a function build(runtime) that returns the agent's parts ({ tools, hooks, systemPrompt, ... })",
      });
    }
    for (const name of ["scriptedResponses", "renderStep", "run"]) {
      if (module[name] !== undefined && typeof module[name] !== "function") {
        problemsFound.push({
          path: display,
          field: name,
          message: `export '${name}' must be a function, got ${typeof module[name]}`,
        });
      }
    }
    if (problemsFound.length > 0) throw new BundleError(problemsFound);
    entrypoint = module as unknown as BundleEntrypoint;
  }
  return {
    name: folder.skill.name,
    description: folder.skill.description,
    folder,
    ...(entrypoint ? { entrypoint } : {}),
    warnings,
  };
}

const PresetShape = z.strictObject({
  tools: z.array(z.unknown()).optional(),
  hooks: z.array(z.record(z.string(), z.unknown())).optional(),
  systemPrompt: z.string().optional(),
  maxSteps: z.number().int().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  doneTool: z.string().min(1).optional(),
});

/**
 * Make a runtime for `build(runtime)`.
 *
 * @param bundleRoot The bundle's folder.
 * @param options Workspace, budget, scripted flag, options.
 * @returns The runtime.
 * @example
 * ```ts ignore
 * const runtime = bundleRuntime(bundle.folder.root, { workspace: "." });
 * ```
 */
export function bundleRuntime(
  bundleRoot: string,
  options: BuildBundleOptions = {},
): BundleRuntime {
  const {
    workspace = ".",
    maxSteps = 20,
    scripted = false,
    options: extra = {},
    sandbox = "none",
    commands = { sandbox },
  } = options;
  return Object.freeze({
    workspace: resolve(workspace),
    maxSteps,
    bundleRoot,
    scripted,
    options: Object.freeze({ ...extra }),
    option<T>(name: string, fallback: T): T {
      return name in extra ? extra[name] as T : fallback;
    },
    commands,
    lib: bundleLibrary(commands),
  });
}

/**
 * Build a loaded bundle into an agent: call `build(runtime)` (when there is
 * an entrypoint), check what it returned, add the declarative tools, hooks,
 * prompt and memory, attach MCP servers, and check that tool names are unique.
 *
 * @param bundle The loaded bundle.
 * @param options Workspace, budget, runtime options, MCP `connect`.
 * @returns The built agent. Call `close()` when done with it.
 * @throws {BundleError} Listing every problem, each with file and field.
 * @example
 * ```ts ignore
 * const agent = await buildBundle(await loadBundle("examples/skills/coder"), { workspace: "." });
 * const run = composableLoop({ llm, task, tools: agent.tools, hooks: agent.hooks,
 *   systemPrompt: agent.systemPrompt, maxSteps: agent.maxSteps });
 * ```
 */
export async function buildBundle(
  bundle: LoadedBundle,
  options: BuildBundleOptions = {},
): Promise<BuiltAgent> {
  const { folder } = bundle;
  const runtime = bundleRuntime(folder.root, {
    ...options,
    maxSteps: options.maxSteps ?? folder.maxSteps ?? 20,
    commands: options.commands ?? {
      sandbox: options.sandbox ?? "none",
      network: folder.network ?? false,
      passEnv: folder.passEnv ?? [],
    },
  });
  const display = folder.entrypoint ? `${folder.displayRoot}/${folder.entrypoint.relative}` : "";
  let preset: AgentPreset = {};
  if (bundle.entrypoint) {
    let value: unknown;
    try {
      value = await bundle.entrypoint.build(runtime);
    } catch (error) {
      throw new BundleError([{
        path: display,
        field: "build",
        message: `build(runtime) threw ${describeError(error)}; fix the entrypoint`,
      }], { cause: error });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new BundleError([{
        path: display,
        field: "build",
        message: `build(runtime) returned ${
          value === null ? "null" : Array.isArray(value) ? "an array" : typeof value
        }; return an object such as { tools: [...], systemPrompt: "..." }`,
      }]);
    }
    const checked = PresetShape.safeParse(value);
    const problems: BundleProblem[] = [];
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        problems.push({
          path: display,
          field: `build().${issue.path.map(String).join(".")}`,
          message: issue.message,
        });
      }
    }
    const tools = (value as AgentPreset).tools;
    if (Array.isArray(tools)) {
      tools.forEach((candidate, index) => {
        try {
          assertToolShape(candidate, `build().tools[${index}]`);
        } catch (error) {
          problems.push({
            path: display,
            field: `build().tools[${index}]`,
            message: (error as Error).message.replace(/^build\(\)\.tools\[\d+\]: /, ""),
          });
        }
      });
    }
    if (problems.length > 0) throw new BundleError(problems);
    preset = value as AgentPreset;
  }

  const tools: AnyTool[] = [];
  const origins = new Map<string, string>();
  const problems: BundleProblem[] = [];
  const add = (candidate: AnyTool, origin: string, where: string) => {
    const previous = origins.get(candidate.name);
    if (previous !== undefined) {
      problems.push({
        path: where,
        field: "name",
        message:
          `tool name "${candidate.name}" is already used by ${previous}; tool names must be unique, rename one`,
      });
      return;
    }
    origins.set(candidate.name, origin);
    tools.push(candidate);
  };
  for (const candidate of preset.tools ?? []) add(candidate, "entrypoint", display);
  for (const entry of folder.tools) {
    try {
      add(
        await declaredTool(entry, { ...runtime.commands, workspace: runtime.workspace }),
        `tools/${entry.manifest.name}`,
        entry.manifestPath,
      );
    } catch (error) {
      // declaredTool's errors start with the manifest's path, which the problem names already.
      const message = (error as Error).message;
      const prefix = `${entry.manifestPath}: `;
      problems.push({
        path: entry.manifestPath,
        message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
      });
    }
  }

  const declared = declaredHooks(folder.hooks, `${folder.displayRoot}/hooks/hooks.json`, {
    workspace: runtime.workspace,
    commands: runtime.commands,
  });
  const hooks: Hook[] = [...(preset.hooks ?? []), ...declared.hooks];
  problems.push(...declared.problems);

  const connections: McpConnection[] = [];
  const close = async () => {
    await Promise.allSettled(connections.map((connection) => connection.close()));
  };
  if (folder.mcpServers.length > 0 && problems.length === 0) {
    const where = `${folder.displayRoot}/mcp.json`;
    if (!options.connect) {
      problems.push({
        path: where,
        message:
          "declares MCP servers but this build of looplet has no MCP support; use a looplet with the MCP module, or remove mcp.json",
      });
    } else {
      for (const [index, server] of folder.mcpServers.entries()) {
        try {
          const connection = await options.connect(mcpConnectConfig(server, folder.root));
          connections.push(connection);
          for (const candidate of await connection.tools()) {
            add(candidate, `mcp:${server.name}`, `${where} servers[${index}]`);
          }
        } catch (error) {
          problems.push({
            path: where,
            field: `servers[${index}]`,
            message: `cannot connect MCP server "${server.name}": ${(error as Error).message}`,
          });
        }
      }
    }
  }
  if (problems.length > 0) {
    await close();
    throw new BundleError(problems);
  }

  const basePrompt = preset.systemPrompt ?? folder.systemPrompt?.trim() ?? DEFAULT_SYSTEM_PROMPT;
  const instructions = folder.skill.body.trim();
  const memory = folder.memory.map((file) => ({ name: file.name, text: file.text.trim() }));
  const systemPrompt = [
    basePrompt,
    instructions === "" ? "" : `# Skill: ${bundle.name}\n\n${instructions}`,
    ...memory.map((file) => `# Memory: ${file.name}\n\n${file.text}`),
  ].filter((part) => part !== "").join("\n\n");
  return {
    name: bundle.name,
    description: bundle.description,
    tools,
    toolOrigins: origins,
    hooks,
    systemPrompt,
    basePrompt,
    instructions,
    memory,
    maxSteps: preset.maxSteps ?? runtime.maxSteps,
    metadata: structuredClone({ ...folder.state, ...preset.metadata }),
    doneTool: preset.doneTool ?? folder.doneTool ?? "done",
    mcpServers: folder.mcpServers,
    runtime,
    close,
  };
}

/**
 * The scripted replies of a bundle: its `scriptedResponses()` export, else
 * its `scripted.json`.
 *
 * @param bundle The loaded bundle.
 * @returns The replies.
 * @throws {BundleError} When the bundle has none, or they are malformed.
 * @example
 * ```ts ignore
 * const llm = new ScriptedBackend(await bundleScriptedResponses(bundle));
 * ```
 */
export async function bundleScriptedResponses(
  bundle: LoadedBundle,
): Promise<ScriptedResponse[]> {
  const { folder, entrypoint } = bundle;
  if (entrypoint?.scriptedResponses) {
    const display = `${folder.displayRoot}/${folder.entrypoint!.relative}`;
    let value: unknown;
    try {
      value = await entrypoint.scriptedResponses();
    } catch (error) {
      throw new BundleError([{
        path: display,
        field: "scriptedResponses",
        message: `scriptedResponses() threw ${describeError(error)}; fix the entrypoint`,
      }]);
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new BundleError([{
        path: display,
        field: "scriptedResponses",
        message: "scriptedResponses() must return a non-empty array of replies",
      }]);
    }
    return value as ScriptedResponse[];
  }
  if (folder.scripted) return [...folder.scripted] as ScriptedResponse[];
  throw new BundleError([{
    path: folder.displayRoot,
    message:
      "has no scripted replies; export scriptedResponses() from the entrypoint, add scripted.json, or pass --scripted-response",
  }]);
}
