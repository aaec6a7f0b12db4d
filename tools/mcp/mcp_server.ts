import type { AnyTool } from "../../loop/types.ts";
import type { McpAttachment } from "./_content.ts";

export type { McpAttachment } from "./_content.ts";

/**
 * One MCP server: started as a process speaking stdio (`command`) or reached
 * over streamable HTTP (`url`). Plain JSON, so bundles can declare it.
 *
 * @example A stdio server and an HTTP server
 * ```ts
 * import type { McpServerConfig } from "jsr:@looplet/looplet/mcp";
 * const servers: McpServerConfig[] = [
 *   { name: "fs", command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"], prefix: true },
 *   { name: "search", url: "http://127.0.0.1:3001/mcp", headers: { authorization: "Bearer abc" }, timeoutMs: 10_000 },
 * ];
 * ```
 */
export interface McpServerConfig {
  /** Name used in messages and as the optional tool-name prefix. */
  readonly name: string;
  /** stdio: the executable (looked up on the child's `PATH`). */
  readonly command?: string;
  /** stdio: its arguments. @default [] */
  readonly args?: readonly string[];
  /**
   * stdio: variables set for the child on top of the base environment
   * (`ConnectMcpServerOptions.baseEnv`, by default {@linkcode defaultMcpEnv}).
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /** stdio: working directory of the child. @default the current directory */
  readonly cwd?: string;
  /** Streamable HTTP: the MCP endpoint, e.g. `http://127.0.0.1:3001/mcp`. */
  readonly url?: string;
  /** Streamable HTTP: headers sent with every request (e.g. `authorization`). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Prefix tool names with `<name>_`, to keep tools of several servers apart. @default false */
  readonly prefix?: boolean;
  /** How long one request (a tool call) may take, in milliseconds. @default 60000 */
  readonly timeoutMs?: number;
}

/**
 * A log message the server sent with `notifications/message`.
 *
 * @example Print the server's warnings and errors
 * ```ts ignore
 * const server = await connectMcpServer(config, {
 *   onLog: (entry: McpLogEntry) => {
 *     if (entry.level === "warning" || entry.level === "error") console.error(entry.server, entry.data);
 *   },
 * });
 * ```
 */
export interface McpLogEntry {
  /** The server's name. */
  readonly server: string;
  /** Syslog level: `debug`, `info`, `notice`, `warning`, `error`, ... */
  readonly level: string;
  /** The logger name, when the server gave one. */
  readonly logger?: string;
  /** The logged data. */
  readonly data: unknown;
}

/**
 * Options of {@linkcode connectMcpServer}.
 *
 * @example Connect lazily, pass one secret, collect stderr
 * ```ts ignore
 * const lines: string[] = [];
 * const server = await connectMcpServer(config, {
 *   lazy: true,
 *   baseEnv: defaultMcpEnv({ extra: ["GITHUB_TOKEN"] }),
 *   onStderr: (line) => lines.push(line),
 * });
 * ```
 */
export interface ConnectMcpServerOptions {
  /**
   * Connect on first use (`tools()` or a request) instead of at once.
   * @default false
   */
  readonly lazy?: boolean;
  /**
   * stdio: the environment the child starts from; the config's `env` is laid
   * over it and nothing else is inherited. Pass `{}` to give the child exactly
   * the config's `env`.
   * @default defaultMcpEnv() (PATH, HOME, locale, CA and proxy settings)
   */
  readonly baseEnv?: Readonly<Record<string, string>>;
  /** How long starting and the `initialize` handshake may take, in milliseconds. @default 30000 */
  readonly connectTimeoutMs?: number;
  /** Start again once when the connection drops (the process exits, the HTTP session expires). @default true */
  readonly reconnect?: boolean;
  /** stdio: after closing stdin, wait this long for the process before SIGTERM, then SIGKILL. @default 2000 */
  readonly closeGraceMs?: number;
  /** stdio: receives each line the server writes to stderr (also kept; see `McpServer.stderr()`). */
  readonly onStderr?: (line: string) => void;
  /** Receives the server's log notifications. @default ignored */
  readonly onLog?: (entry: McpLogEntry) => void;
  /** HTTP: the fetch to use (tests inject one). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Most bytes one message from the server may hold (a stdio line, an HTTP
   * body, one SSE event). A longer one fails the request waiting for it and,
   * over stdio, ends the connection (the next request starts the server again).
   * @default 67108864 (64 MiB)
   */
  readonly maxMessageBytes?: number;
  /** How many images and binary resources to keep for `attachment()`. @default 16 */
  readonly keepAttachments?: number;
  /** Client name and version sent in `initialize`. @default { name: "looplet", version: <the looplet version> } */
  readonly clientInfo?: { readonly name: string; readonly version: string };
}

/**
 * A tool as the server describes it in `tools/list`.
 *
 * @example List the server's tools with their descriptions
 * ```ts ignore
 * for (const tool of await server.listTools()) {
 *   console.log(tool.name, tool.description ?? "", Object.keys(tool.inputSchema));
 * }
 * ```
 */
export interface McpToolDescription {
  /** The server's tool name. */
  readonly name: string;
  /** Human title, when given. */
  readonly title?: string;
  /** What the tool does. */
  readonly description?: string;
  /** JSON Schema of the arguments. */
  readonly inputSchema: Record<string, unknown>;
  /** JSON Schema of `structuredContent`, when declared. */
  readonly outputSchema?: Record<string, unknown>;
  /** Hints such as `readOnlyHint`. */
  readonly annotations?: Record<string, unknown>;
}

/**
 * Options of a single request.
 *
 * @example Call a tool with a timeout and progress
 * ```ts ignore
 * const result = await server.callTool("longRunningOperation", { duration: 5 }, {
 *   timeoutMs: 10_000,
 *   signal: AbortSignal.timeout(15_000),
 *   onProgress: ({ progress, total }) => console.log(`${progress}/${total ?? "?"}`),
 * });
 * ```
 */
export interface McpRequestOptions {
  /** Cancels the request; the server gets `notifications/cancelled`. */
  readonly signal?: AbortSignal;
  /** Overrides the config's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Receives `notifications/progress` for this request. */
  readonly onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

/**
 * What the server said about itself in `initialize`.
 *
 * @example Log what the server said about itself
 * ```ts ignore
 * const server = await connectMcpServer({ name: "fs", command: "mcp-server-filesystem", args: ["/tmp"] });
 * const info = server.serverInfo;
 * if (info) console.log(`${info.title ?? info.name} ${info.version}`);
 * ```
 */
export interface McpServerInfo {
  /** The server's own name. */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** Its title, when given. */
  readonly title?: string;
}

/**
 * A connected (or lazily connecting) MCP server.
 *
 * @example Use it with `await using`
 * ```ts ignore
 * await using server = await connectMcpServer({ name: "fs", command: "mcp-server-filesystem", args: ["/tmp"] });
 * const tools = await server.tools();
 * ```
 */
export interface McpServer extends AsyncDisposable {
  /** The config's name. */
  readonly name: string;
  /** The config it was made from. */
  readonly config: McpServerConfig;
  /** True while a connection is up. */
  readonly connected: boolean;
  /** stdio: the server's process id while connected. */
  readonly pid: number | undefined;
  /** The protocol version agreed in `initialize`, once connected. */
  readonly protocolVersion: string | undefined;
  /** What the server said about itself, once connected. */
  readonly serverInfo: McpServerInfo | undefined;
  /** The server's `instructions` for the model, once connected. */
  readonly instructions: string | undefined;
  /**
   * The server's tools as loop tools (listed once and cached until the server
   * says its list changed).
   */
  tools(): Promise<AnyTool[]>;
  /** The raw `tools/list` entries (all pages). */
  listTools(): Promise<McpToolDescription[]>;
  /**
   * Call a tool by its server-side name and return the raw MCP result.
   * `isError` results are returned, not thrown.
   */
  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: McpRequestOptions,
  ): Promise<Record<string, unknown>>;
  /** Send any request (`resources/list`, `prompts/get`, ...); throws `McpError` on a JSON-RPC error. */
  request(
    method: string,
    params?: Record<string, unknown>,
    options?: McpRequestOptions,
  ): Promise<Record<string, unknown>>;
  /** Binary content a tool returned, by the `ref` its step shows. */
  attachment(ref: string): McpAttachment | undefined;
  /** The last 8 KiB the server wrote to stderr (stdio). */
  stderr(): string;
  /** End the session and the process and its pipes. Idempotent. */
  close(): Promise<void>;
}
