/**
 * The real implementations behind the CLI's injectable dependencies: model
 * backends from the environment, the native-tool probe, provenance traces,
 * and MCP servers. `cli/main.ts` loads this module
 * lazily, so `looplet --help` and `list-bundles` never pay for it.
 *
 * @module
 */
import type { BackendOverrides, CliDependencies, TraceOptions, TraceSink } from "./types.ts";
import type { McpConnectConfig, McpConnection } from "../bundles/load_bundle.ts";
import type { Backend } from "../loop/types.ts";
import { AnthropicBackend } from "../backends/anthropic/backend.ts";
import { backendFromEnv } from "../backends/backend_from_env.ts";
import { OpenAICompatibleBackend } from "../backends/openai/backend.ts";
import { type NativeToolProbe, probeNativeTools } from "../backends/probe_native_tools.ts";
import { ProvenanceSink } from "../provenance/provenance_sink.ts";
import { connectMcpServer } from "../tools/mcp/connect_mcp_server.ts";

const PROVIDERS = ["openai", "anthropic"] as const;

/**
 * Pick the model backend for `looplet run` / `doctor`: `--provider`,
 * `--model` and `--base-url` override the environment (`OPENAI_BASE_URL`,
 * `OPENAI_MODEL`, `OPENAI_API_KEY`, or `ANTHROPIC_API_KEY`).
 *
 * @param env The environment.
 * @param overrides Command-line overrides.
 * @returns The backend.
 * @throws {TypeError} When no model is configured, naming the variables to set.
 */
export function cliBackend(
  env: Readonly<Record<string, string | undefined>>,
  overrides: BackendOverrides,
): Backend {
  const { provider, model, baseUrl } = overrides;
  if (provider !== undefined && !(PROVIDERS as readonly string[]).includes(provider)) {
    throw new TypeError(
      `Unknown provider "${provider}"; use --provider openai or --provider anthropic`,
    );
  }
  const anthropic = provider === "anthropic" ||
    (provider === undefined && !env.OPENAI_BASE_URL && !env.OPENAI_MODEL && !baseUrl &&
      !!env.ANTHROPIC_API_KEY);
  const merged: Record<string, string | undefined> = { ...env };
  if (anthropic) {
    if (model) merged.ANTHROPIC_MODEL = model;
    if (baseUrl) merged.ANTHROPIC_BASE_URL = baseUrl;
    return AnthropicBackend.fromEnv(merged);
  }
  if (model) merged.OPENAI_MODEL = model;
  if (baseUrl) merged.OPENAI_BASE_URL = baseUrl;
  if (provider === "openai") return OpenAICompatibleBackend.fromEnv(merged);
  const backend = backendFromEnv(merged);
  if (backend === undefined) {
    throw new TypeError(
      "No model is configured; set OPENAI_BASE_URL and OPENAI_MODEL (for Ollama: " +
        "OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2), or ANTHROPIC_API_KEY, " +
        "or run with --scripted",
    );
  }
  return backend;
}

/**
 * Probe a backend for native tool calls (one small model call).
 *
 * @param backend The backend.
 * @returns Whether it returned a structured tool call, and why.
 */
export async function cliProbe(backend: Backend): Promise<NativeToolProbe> {
  return await probeNativeTools(backend);
}

/**
 * Record `looplet run` into a provenance trace directory.
 *
 * @param options Where, and the bundle and task for the trace's metadata.
 * @returns The sink's hooks, backend wrapper and close.
 */
export function cliTrace(options: TraceOptions): TraceSink {
  const sink = new ProvenanceSink(options.traceDir, {
    metadata: { bundle: options.bundle, task: options.task },
    ...(options.overwrite ? { overwrite: true } : {}),
  });
  return {
    hooks: [sink.hook()],
    wrap: (backend) => sink.wrap(backend),
    close: async () => {
      await sink.flush();
    },
  };
}

/**
 * Connect an MCP server a bundle declares. A bundle's `prefix` names the
 * tool prefix (the server name by default; `""` for none).
 *
 * @param config The bundle's server declaration.
 * @returns The connection.
 */
export async function cliConnect(config: McpConnectConfig): Promise<McpConnection> {
  const { prefix, ...rest } = config;
  const custom = prefix !== undefined && prefix !== "" && prefix !== config.name;
  const server = await connectMcpServer({
    ...rest,
    prefix: prefix === undefined || prefix === config.name,
  });
  return {
    name: server.name,
    tools: async () => {
      const tools = await server.tools();
      return custom
        ? tools.map((tool) => Object.freeze({ ...tool, name: `${prefix}_${tool.name}` }))
        : tools;
    },
    close: () => server.close(),
  };
}

/**
 * Every real dependency, for the program entry points.
 *
 * @returns Dependencies for `main(args, deps)`.
 * @example
 * ```ts ignore
 * const code = await main(Deno.args, defaultCliDependencies());
 * ```
 */
export function defaultCliDependencies(): CliDependencies {
  return {
    backendFromEnv: cliBackend,
    probeNativeTools: cliProbe,
    trace: cliTrace,
    connect: cliConnect,
  };
}
