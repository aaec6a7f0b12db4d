import { tmpdir } from "node:os";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { AnyTool, Backend, Hook, ToolContext } from "../loop/types.ts";
import type { LoopOptions } from "../loop/loop_options.ts";
import { DEFAULT_SYSTEM_PROMPT } from "../loop/prompt.ts";
import { think } from "../tools/think_tool.ts";
import { tool } from "../tools/tool.ts";
import { commandEnvironment } from "../tools/workspace/command_environment.ts";
import { runCommand } from "../tools/workspace/run_command.ts";
import { jsonSchemaInput } from "../tools/mcp/json_schema_input.ts";
import { connectMcpServer } from "../tools/mcp/connect_mcp_server.ts";
import type {
  ConnectMcpServerOptions,
  McpServer,
  McpServerConfig,
} from "../tools/mcp/mcp_server.ts";
import { defaultMcpEnv } from "../tools/mcp/default_mcp_env.ts";
import type { ApprovalCallback } from "../hooks/approval_callback.ts";
import { permissionHook, type PermissionRule } from "../hooks/permission_hook.ts";
import { stagnationHook } from "../hooks/stagnation_hook.ts";
import { perToolLimitHook } from "../hooks/per_tool_limit_hook.ts";
import { compactionHook } from "../hooks/compaction/compaction_hook.ts";
import { truncateTranscript } from "../hooks/compaction/truncate_transcript.ts";
import type { BuiltAgent } from "../bundles/load_bundle.ts";
import { bundleRuntime } from "../bundles/load_bundle.ts";
import {
  CartridgePermissionError,
  CartridgeProtocolError,
  CartridgeSlotError,
} from "./cartridge_error.ts";
import type { CartridgeDefinition, CartridgeTool } from "./read_cartridge.ts";
import { clip } from "./_json_lines.ts";
import { runPythonBody } from "./_python_body.ts";
import { lepHook } from "./lep_hook.ts";
import { startStateServices, type StateServices } from "./state_services.ts";
import { type ModelGateway, startModelGateway } from "./model_gateway.ts";

/** The explicit environment of a long-lived child server (LEP hooks, state services): no secrets. */
function serverEnvironment(set: Record<string, string>): Record<string, string> {
  return commandEnvironment({ home: tmpdir(), tmp: tmpdir(), set });
}

/**
 * Options of `buildCartridge`.
 *
 * @example Build for a workspace with an ask handler
 * ```ts ignore
 * const agent = await buildCartridge(await readCartridge("guarded.cartridge"), {
 *   workspace: "./project",
 *   ask: ({ call }) => confirm(`Allow ${call.name}?`),
 * });
 * ```
 */
export interface BuildCartridgeOptions {
  /** The workspace folder: tools and servers run there. @default "." */
  readonly workspace?: string;
  /** Step budget. @default the cartridge's max_steps */
  readonly maxSteps?: number;
  /** Values for `${runtime.x}` in bodies (`ctx.runtime`). @default {} */
  readonly runtime?: Readonly<Record<string, unknown>>;
  /** Answers `ask:` permission rules; required when the cartridge declares any. */
  readonly ask?: ApprovalCallback;
  /** Connects MCP servers. @default connectMcpServer */
  readonly connectMcp?: (
    config: McpServerConfig,
    options: ConnectMcpServerOptions,
  ) => Promise<McpServer>;
  /** Serve the host model over MGP to child processes. @default true */
  readonly modelGateway?: boolean;
  /** The Python interpreter for `execute.py` bodies. @default runtime python_executable, else "python3" */
  readonly python?: string;
}

/**
 * A built cartridge: everything `composableLoop` needs (the same parts a
 * bundle builds to), the cartridge's model settings, and the running
 * servers. Call `close()` when done: it stops every process it started.
 *
 * @example Run a cartridge
 * ```ts ignore
 * const agent = await buildCartridge(await readCartridge("hello.cartridge"));
 * try {
 *   const run = composableLoop(agent.loopOptions(llm, "Greet Ada"));
 *   for await (const step of run) console.log(step.pretty());
 * } finally {
 *   await agent.close();
 * }
 * ```
 */
export interface BuiltCartridge extends BuiltAgent {
  /** The definition it was built from. */
  readonly definition: CartridgeDefinition;
  /** Output token limit (model block, else runtime.yaml). */
  readonly maxTokens?: number;
  /** Temperature (model block, else runtime.yaml). */
  readonly temperature?: number;
  /** The `model:` block (the model the cartridge was designed for). */
  readonly model?: Readonly<Record<string, unknown>>;
  /** The done sentinel's output schema, validated by a `checkDone` hook. */
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  /** The running state services, when the cartridge declares any. */
  readonly stateServices?: StateServices;
  /** The model gateway, when one is served. */
  readonly modelGateway?: ModelGateway;
  /** Bind the backend the model gateway serves (`loopOptions` does it). */
  bindBackend(llm: Backend): void;
  /** The options of `composableLoop` for this cartridge (binds `llm` to the gateway). */
  loopOptions(llm: Backend, task: string | Record<string, unknown>): LoopOptions;
}

function permissionRules(definition: CartridgeDefinition): PermissionRule[] {
  return (definition.permissions?.rules ?? []).map((rule) => {
    const patterns: Record<string, (value: unknown) => boolean> = {};
    for (const [name, needle] of Object.entries(rule.contains ?? {})) {
      patterns[name] = (value) =>
        (typeof value === "string" ? value : JSON.stringify(value) ?? "").includes(needle);
    }
    for (const [name, expected] of Object.entries(rule.matches ?? {})) {
      patterns[name] = (value) => JSON.stringify(value) === JSON.stringify(expected);
    }
    return {
      tool: rule.tool,
      decision: rule.decision,
      ...(Object.keys(patterns).length > 0 ? { args: patterns } : {}),
      ...(rule.reason !== "" ? { reason: rule.reason } : {}),
    };
  });
}

function toolFromCartridge(
  spec: CartridgeTool,
  definition: CartridgeDefinition,
  context: {
    workspace: string;
    python: string;
    env: () => Record<string, string>;
    runtime: Record<string, unknown>;
  },
): AnyTool {
  const timeoutMs = spec.timeoutS !== undefined ? spec.timeoutS * 1000 : undefined;
  let execute: (args: Record<string, unknown>, ctx: ToolContext) => unknown;
  const { body } = spec;
  if (body.kind === "echo") {
    execute = (args) => args;
  } else if (body.kind === "python") {
    const resources = Object.fromEntries(definition.resources);
    execute = (args, ctx) =>
      runPythonBody("execute", body.file, {
        args,
        runtime: context.runtime,
        requires: spec.requires,
        resources,
        cartridge_root: spec.layerRoot,
      }, {
        python: context.python,
        cwd: context.workspace,
        env: context.env(),
        signal: ctx.signal,
        ...(timeoutMs ? { timeoutMs } : {}),
      });
  } else {
    const [program = "", ...rest] = body.argv;
    execute = async (args, ctx) => {
      const run = await runCommand(program, rest, {
        cwd: context.workspace,
        env: context.env(),
        stdin: JSON.stringify(args),
        signal: ctx.signal,
        ...(timeoutMs ? { timeoutMs } : {}),
      });
      if (run.timedOut) throw new Error(`tool "${spec.name}" timed out after ${timeoutMs} ms`);
      if (run.exitCode !== 0) {
        throw new Error(
          `tool "${spec.name}" (${spec.file} command) exited with code ${run.exitCode}: ${
            clip(run.stderr.trim() || run.stdout.trim(), 400)
          }`,
        );
      }
      try {
        return JSON.parse(run.stdout);
      } catch {
        throw new Error(
          `tool "${spec.name}" printed non-JSON output: ${
            JSON.stringify(clip(run.stdout.trim(), 200))
          }`,
        );
      }
    };
  }
  return tool({
    name: spec.name,
    description: spec.description,
    input: jsonSchemaInput(spec.parameters),
    execute,
    ...(spec.concurrentSafe ? { concurrencySafe: true } : {}),
    ...(timeoutMs !== undefined && body.kind === "echo" ? { timeoutMs } : {}),
  });
}

function builtinHook(
  name: string,
  options: Readonly<Record<string, unknown>>,
  definition: CartridgeDefinition,
  texts: ReadonlyMap<string, string>,
): Hook {
  const where = `${definition.displayRoot}/config.yaml`;
  const bad = (field: string, message: string, fix: string): never => {
    throw new CartridgeSlotError({
      file: where,
      field: `builtin_hooks.${name}.${field}`,
      message,
      fix,
    });
  };
  const known = (keys: string[]) => {
    for (const key of Object.keys(options)) {
      if (!keys.includes(key)) {
        bad(key, "is not an option of this hook", `use ${keys.join(", ") || "no options"}`);
      }
    }
  };
  switch (name) {
    case "stagnation": {
      known(["threshold", "ignore_tools"]);
      const { threshold, ignore_tools } = options;
      if (threshold !== undefined && (!Number.isInteger(threshold) || (threshold as number) < 2)) {
        bad("threshold", `is ${JSON.stringify(threshold)}`, "use an integer of at least 2");
      }
      if (ignore_tools !== undefined && !Array.isArray(ignore_tools)) {
        bad("ignore_tools", "must be a list", "write [think, done]");
      }
      return stagnationHook({
        ...(threshold !== undefined ? { threshold: threshold as number } : {}),
        ...(ignore_tools !== undefined
          ? { ignoreTools: (ignore_tools as unknown[]).map(String) }
          : {}),
      });
    }
    case "per_tool_limit": {
      known(["limits", "default"]);
      const { limits, default: fallback } = options;
      if (typeof limits !== "object" || limits === null || Array.isArray(limits)) {
        bad("limits", "must be a mapping of tool names to counts", "write limits: { write: 50 }");
      }
      return perToolLimitHook({
        limits: limits as Record<string, number>,
        ...(typeof fallback === "number" ? { defaultLimit: fallback } : {}),
      });
    }
    case "threshold_compact": {
      known(["fraction", "keep_recent"]);
      const window = definition.runtimeConfig.context_window;
      return compactionHook({
        strategy: truncateTranscript(
          typeof options.keep_recent === "number" ? { keepRecent: options.keep_recent } : {},
        ),
        budget: typeof window === "number" && window > 0 ? window : 128_000,
      });
    }
    case "static_briefing": {
      known(["path", "text"]);
      const text = texts.get(name)!;
      return { name: "static-briefing", prePrompt: () => ({ inject: text }) };
    }
    case "recovery_hint": {
      known(["path", "text"]);
      const text = texts.get(name)!;
      return {
        name: "recovery-hint",
        postDispatch: ({ result }) => (result.error !== undefined ? { inject: text } : undefined),
      };
    }
    default:
      return bad("", "is not a built-in hook of this host", "remove it");
  }
}

/**
 * Build a cartridge into an agent: start its state services (SSP) and the
 * model gateway (MGP), connect its MCP servers (every child gets
 * `LOOPLET_LLM_SOCKET` and `LOOPLET_STATE_<NAME>`), make its tools
 * (`execute.py` bodies run under python3 with JSON in and out; `command:`
 * bodies get JSON on stdin), its LEP hooks (started with each run), its
 * built-in hooks, the permission hook and the output-schema check, and the
 * system prompt with memory.
 *
 * @param definition What `readCartridge` returned.
 * @param options Workspace, budget, runtime values, ask handler.
 * @returns The built agent; `close()` stops every process it started.
 * @throws {CartridgePermissionError} When `ask:` rules have no `ask` handler.
 * @throws {CartridgeProtocolError} When a server cannot start (everything started is stopped).
 * @example Build a cartridge for a workspace
 * ```ts ignore
 * const agent = await buildCartridge(await readCartridge("hello.cartridge"), { workspace: "." });
 * ```
 */
export async function buildCartridge(
  definition: CartridgeDefinition,
  options: BuildCartridgeOptions = {},
): Promise<BuiltCartridge> {
  const workspace = resolve(options.workspace ?? ".");
  const configFile = `${definition.displayRoot}/config.yaml`;
  const runtimeValues: Record<string, unknown> = {
    python_executable: "python3",
    workspace,
    cartridge_root: definition.root,
    ...options.runtime,
  };
  const python = options.python ?? String(runtimeValues.python_executable);

  const permissions = definition.permissions;
  if (
    permissions &&
    (permissions.default === "ask" || permissions.rules.some((rule) => rule.decision === "ask")) &&
    options.ask === undefined
  ) {
    throw new CartridgePermissionError({
      file: configFile,
      field: "permissions.ask",
      message:
        "declares ask rules, which need a human in the loop, but the host gave no ask handler",
      fix:
        "pass an ask handler (buildCartridge({ ask })), or turn the ask rules into allow or deny",
    });
  }

  // Static texts (memory, briefing, recovery) are read before anything starts.
  const texts = new Map<string, string>();
  for (const entry of definition.builtinHooks) {
    if (entry.name !== "static_briefing" && entry.name !== "recovery_hint") continue;
    const { path, text } = entry.options;
    if (typeof text === "string") texts.set(entry.name, text);
    else {
      const file = join(definition.root, String(path));
      const layered = definition.chain.map((root) => join(root, String(path))).reverse();
      let found: string | undefined;
      for (const candidate of [file, ...layered]) {
        found = await readFile(candidate, "utf8").catch(() => undefined);
        if (found !== undefined) break;
      }
      if (found === undefined) {
        throw new CartridgeSlotError({
          file: configFile,
          field: `builtin_hooks.${entry.name}.path`,
          message: `names "${path}", which does not exist`,
          fix: "fix the path (relative to the cartridge folder) or add the file",
        });
      }
      texts.set(entry.name, found.trim());
    }
  }
  const memory: { name: string; text: string }[] = [];
  for (const source of definition.memory) {
    let text: string;
    if (source.kind === "markdown") text = (await readFile(source.file, "utf8")).trim();
    else {
      try {
        text = String(
          await runPythonBody(
            "memory",
            source.file,
            { state: {}, cartridge_root: definition.root },
            {
              python,
              cwd: workspace,
              timeoutMs: 30_000,
            },
          ),
        ).trim();
      } catch (error) {
        throw new CartridgeSlotError({
          file: source.file,
          message: `load(state) failed (${(error as Error).message})`,
          fix: "make load(state) return a string",
        });
      }
    }
    if (text !== "") memory.push({ name: source.name, text });
  }
  if (definition.memoryMaxTokens !== undefined) {
    let budget = definition.memoryMaxTokens * 4;
    for (const entry of memory) {
      entry.text = entry.text.slice(0, Math.max(0, budget));
      budget -= entry.text.length;
    }
    memory.splice(0, memory.length, ...memory.filter((entry) => entry.text !== ""));
  }

  // Servers: the model gateway and state services first, so every child can reach them.
  let gateway: ModelGateway | undefined;
  let services: StateServices | undefined;
  const mcp: McpServer[] = [];
  const lep: ReturnType<typeof lepHook>[] = [];
  const close = async () => {
    await Promise.allSettled(lep.map((hook) => hook.close()));
    await Promise.allSettled(mcp.splice(0).map((server) => server.close()));
    await services?.close();
    await gateway?.close();
  };
  const socketEnv = (): Record<string, string> => ({
    ...(gateway ? { LOOPLET_LLM_SOCKET: gateway.socketPath } : {}),
    ...services?.env,
    LOOPLET_WORKSPACE: workspace,
    LOOPLET_CARTRIDGE_ROOT: definition.root,
  });
  const tools: AnyTool[] = [];
  const origins = new Map<string, string>();
  const add = (candidate: AnyTool, origin: string) => {
    const previous = origins.get(candidate.name);
    if (previous !== undefined) {
      throw new CartridgeSlotError({
        file: configFile,
        field: origin.startsWith("mcp:") ? `mcp_servers.${origin.slice(4)}` : "tools",
        message: `tool "${candidate.name}" from ${origin} is also provided by ${previous}`,
        fix: "tool names must be unique; rename one or narrow the MCP server's tools: list",
      });
    }
    origins.set(candidate.name, origin);
    tools.push(candidate);
  };
  try {
    const needsChildren = definition.mcpServers.length > 0 || definition.hooks.length > 0 ||
      definition.stateServices.length > 0 || definition.tools.some((spec) =>
        spec.body.kind !== "echo"
      );
    if (options.modelGateway !== false && needsChildren) gateway = await startModelGateway();
    if (definition.stateServices.length > 0) {
      try {
        services = await startStateServices(
          definition.stateServices.map((spec) => ({
            name: spec.name,
            argv: spec.argv,
            env: spec.env,
            timeoutMs: spec.timeoutMs,
          })),
          { cwd: workspace, env: serverEnvironment(socketEnv()) },
        );
      } catch (error) {
        throw new CartridgeProtocolError({
          file: configFile,
          field: "state_services",
          message: (error as Error).message,
          fix:
            "check the command; the server must bind $LOOPLET_STATE_SOCKET and answer state/initialize",
        });
      }
    }

    const context = { workspace, python, env: socketEnv, runtime: runtimeValues };
    for (const spec of definition.tools) {
      add(toolFromCartridge(spec, definition, context), `tools/${spec.name}`);
    }
    for (const entry of definition.builtinTools) {
      if (entry.name === "think") {
        add(think, "builtin:think");
      }
    }
    const connect = options.connectMcp ?? connectMcpServer;
    for (const server of definition.mcpServers) {
      let connected: McpServer;
      try {
        connected = await connect({
          name: server.name,
          command: server.argv[0],
          args: server.argv.slice(1),
          env: { ...socketEnv(), ...server.env },
          cwd: workspace,
          timeoutMs: server.timeoutMs,
        }, { baseEnv: defaultMcpEnv() });
      } catch (error) {
        throw new CartridgeProtocolError({
          file: configFile,
          field: `mcp_servers.${server.name}`,
          message: `cannot connect (${(error as Error).message})`,
          fix: "check the command; it must speak MCP over stdio",
        });
      }
      mcp.push(connected);
      const offered = await connected.tools();
      for (const name of server.tools ?? []) {
        if (!offered.some((candidate) => candidate.name === name)) {
          throw new CartridgeSlotError({
            file: configFile,
            field: `mcp_servers.${server.name}.tools`,
            message: `names "${name}", which the server does not offer (it offers ${
              offered.map((candidate) => candidate.name).join(", ") || "nothing"
            })`,
            fix: "fix the allow-list",
          });
        }
      }
      for (const candidate of offered) {
        if (server.tools === undefined || server.tools.includes(candidate.name)) {
          add(candidate, `mcp:${server.name}`);
        }
      }
    }
  } catch (error) {
    await close();
    throw error;
  }

  if (!origins.has(definition.doneTool)) {
    add(
      tool({
        name: definition.doneTool,
        description:
          "Signal that the task is complete, with a brief summary of what was accomplished.",
        input: jsonSchemaInput({
          type: "object",
          properties: {
            summary: { type: "string", description: "Brief summary of what was accomplished" },
          },
          required: ["summary"],
        }),
        execute: (args: Record<string, unknown>) => args,
      }),
      "host:done",
    );
  }

  // Hooks: permissions first, then LEP hooks (folder order), built-ins, the output contract.
  const hooks: Hook[] = [];
  const outputSchema = definition.outputSchema;
  try {
    if (permissions) {
      hooks.push(permissionHook({
        rules: permissionRules(definition),
        default: permissions.default,
        ...(options.ask ? { ask: options.ask } : {}),
      }));
    }
    for (const spec of definition.hooks) {
      const hook = lepHook({
        name: spec.name,
        argv: spec.argv,
        cwd: workspace,
        env: serverEnvironment({ ...socketEnv(), ...spec.env }),
        onFailure: spec.onFailure,
        timeoutMs: spec.timeoutMs,
        cartridgeId: definition.manifest.name,
        ...(spec.viewFields ? { viewFields: spec.viewFields } : {}),
        runId: `${definition.manifest.name}-${crypto.randomUUID().slice(0, 8)}`,
      });
      lep.push(hook);
      hooks.push(hook);
    }
    for (const entry of definition.builtinHooks) {
      hooks.push(builtinHook(entry.name, entry.options, definition, texts));
    }
    if (outputSchema !== undefined) {
      const contract = jsonSchemaInput(outputSchema);
      hooks.push({
        name: "output-schema",
        checkDone({ call }) {
          const checked = contract.safeParse(call.args);
          if (checked.success) return undefined;
          const issues = checked.error.issues.map((issue) =>
            `${issue.path.length > 0 ? issue.path.join(".") + ": " : ""}${issue.message}`
          );
          return { deny: `the arguments do not match the output schema: ${issues.join("; ")}` };
        },
      });
    }
  } catch (error) {
    await close();
    throw error;
  }

  const basePrompt = definition.systemPrompt?.trim() || DEFAULT_SYSTEM_PROMPT;
  const systemPrompt = [
    basePrompt,
    ...memory.map((file) => `# Memory: ${file.name}\n\n${file.text}`),
  ]
    .join("\n\n");
  const maxSteps = options.maxSteps ?? definition.maxSteps;
  const concurrent = definition.runtimeConfig.concurrent_dispatch;
  const bindBackend = (llm: Backend) => gateway?.bind(llm);
  const built: BuiltCartridge = {
    name: definition.manifest.name,
    description: definition.manifest.description ?? "",
    tools,
    toolOrigins: origins,
    hooks,
    systemPrompt,
    basePrompt,
    instructions: "",
    memory,
    maxSteps,
    metadata: {},
    doneTool: definition.doneTool,
    mcpServers: definition.mcpServers.map((server) => ({
      name: server.name,
      command: server.argv[0],
      args: server.argv.slice(1),
      env: { ...server.env },
      timeout_ms: server.timeoutMs,
    })),
    runtime: bundleRuntime(definition.root, {
      workspace,
      maxSteps,
      options: runtimeValues,
    }),
    definition,
    ...(definition.maxTokens !== undefined ? { maxTokens: definition.maxTokens } : {}),
    ...(definition.temperature !== undefined ? { temperature: definition.temperature } : {}),
    ...(definition.model ? { model: definition.model } : {}),
    ...(outputSchema ? { outputSchema } : {}),
    ...(services ? { stateServices: services } : {}),
    ...(gateway ? { modelGateway: gateway } : {}),
    bindBackend,
    loopOptions(llm, task) {
      bindBackend(llm);
      return {
        llm,
        task,
        tools,
        hooks,
        systemPrompt,
        maxSteps,
        doneTool: definition.doneTool,
        ...(definition.maxTokens !== undefined ? { maxTokens: definition.maxTokens } : {}),
        ...(definition.temperature !== undefined ? { temperature: definition.temperature } : {}),
        ...(concurrent === false ? { concurrency: 1 } : {}),
      };
    },
    close,
  };
  return built;
}
