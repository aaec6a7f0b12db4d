import { McpClient } from "./_client.ts";
import type { ConnectMcpServerOptions, McpServer, McpServerConfig } from "./mcp_server.ts";

const NAME = /^[A-Za-z0-9_-]+$/;

function fail(config: { name?: unknown }, message: string, kind = TypeError): never {
  const name = typeof config.name === "string" && config.name !== "" ? ` "${config.name}"` : "";
  throw new kind(`Cannot connect to MCP server${name}: ${message}`);
}

function assertStringRecord(config: McpServerConfig, field: "env" | "headers"): void {
  const value = config[field];
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(config, `'${field}' must be an object of strings`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") {
      fail(config, `'${field}.${key}' must be a string, got ${typeof item}`);
    }
  }
}

/**
 * Check a server config without starting anything; the bundle loader calls
 * this when it reads a bundle's declared servers, so a bad declaration fails
 * at load time rather than at the first run.
 *
 * @param config The config to check (for example parsed from a bundle file).
 * @throws {TypeError} Naming the server and the field, when a field is missing or malformed.
 * @throws {RangeError} When `timeoutMs` is not a positive number.
 * @example Check a declared server
 * ```ts
 * import { assertMcpServerConfig } from "jsr:@looplet/looplet/mcp";
 * assertMcpServerConfig({ name: "fs", command: "mcp-server-filesystem", args: ["/tmp"] });
 * ```
 */
export function assertMcpServerConfig(config: McpServerConfig): void {
  if (typeof config !== "object" || config === null) {
    throw new TypeError("Cannot connect to MCP server: the config must be an object");
  }
  if (typeof config.name !== "string" || config.name.trim() === "") {
    fail(config, "'name' must be a non-empty string");
  }
  if (config.prefix === true && !NAME.test(config.name)) {
    fail(
      config,
      "with 'prefix', 'name' must be letters, digits, '_' or '-' (it starts every tool name)",
    );
  }
  const hasCommand = config.command !== undefined;
  const hasUrl = config.url !== undefined;
  if (hasCommand === hasUrl) {
    fail(config, "give either 'command' (stdio) or 'url' (streamable HTTP), not both or neither");
  }
  if (hasCommand && (typeof config.command !== "string" || config.command.trim() === "")) {
    fail(config, "'command' must be a non-empty string");
  }
  if (
    config.args !== undefined &&
    (!Array.isArray(config.args) || !config.args.every((arg) => typeof arg === "string"))
  ) {
    fail(config, "'args' must be an array of strings");
  }
  if (config.cwd !== undefined && typeof config.cwd !== "string") {
    fail(config, "'cwd' must be a string");
  }
  assertStringRecord(config, "env");
  assertStringRecord(config, "headers");
  if (hasUrl) {
    let url: URL | undefined;
    try {
      url = new URL(String(config.url));
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      fail(config, `'url' must be an http(s) URL, got ${JSON.stringify(config.url)}`);
    }
    if (config.command === undefined && (config.args ?? config.env ?? config.cwd) !== undefined) {
      fail(config, "'args', 'env' and 'cwd' are for stdio servers; this one has a 'url'");
    }
  }
  const { timeoutMs } = config;
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
  ) {
    fail(config, `'timeoutMs' must be a positive number, got ${timeoutMs}`, RangeError);
  }
}

/**
 * Connect to an MCP server over stdio or streamable HTTP, run the
 * `initialize` handshake (unless `lazy`), and return a handle whose
 * `tools()` are ready for `composableLoop`.
 *
 * A stdio server starts with an explicit environment: `options.baseEnv`
 * (default {@linkcode defaultMcpEnv}: PATH, HOME, locale, CA and proxy
 * settings) plus the config's `env`. Its stderr is captured, never printed.
 *
 * @param config The server: `name` plus `command` or `url`.
 * @param options Laziness, environment, timeouts, listeners.
 * @returns The connected server; call `close()` (or use `closeMcpServers`) when done.
 * @throws {TypeError} When the config is malformed (before anything starts).
 * @throws {RangeError} When a timeout is not a positive number.
 * @throws {McpError} When the server cannot be started or reached, exits, or fails the handshake.
 * @example Give an agent the filesystem server's tools
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { closeMcpServers, connectMcpServer } from "jsr:@looplet/looplet/mcp";
 *
 * const fs = await connectMcpServer({
 *   name: "fs",
 *   command: "npx",
 *   args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp/work"],
 *   prefix: true,
 * });
 * const run = composableLoop({ llm, task, tools: await fs.tools(), hooks: [closeMcpServers([fs])] });
 * for await (const step of run) console.log(step.pretty());
 * ```
 */
export async function connectMcpServer(
  config: McpServerConfig,
  options: ConnectMcpServerOptions = {},
): Promise<McpServer> {
  assertMcpServerConfig(config);
  for (const field of ["connectTimeoutMs", "closeGraceMs", "keepAttachments"] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== "number" || !(value >= 0))) {
      fail(config, `option '${field}' must be a non-negative number, got ${value}`, RangeError);
    }
  }
  const { maxMessageBytes } = options;
  if (
    maxMessageBytes !== undefined &&
    (typeof maxMessageBytes !== "number" || !(maxMessageBytes > 0))
  ) {
    fail(
      config,
      `option 'maxMessageBytes' must be a positive number, got ${maxMessageBytes}`,
      RangeError,
    );
  }
  const client = new McpClient(Object.freeze({ ...config }), options);
  if (options.lazy !== true) await client.connect();
  return client;
}
