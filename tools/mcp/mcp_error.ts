/**
 * Options of {@linkcode McpError}.
 *
 * @example Wrap a JSON-RPC error from a server
 * ```ts
 * import { McpError } from "jsr:@looplet/looplet/mcp";
 * const error = new McpError("fs", 'MCP server "fs": method not found', { code: -32601, data: { method: "prompts/list" } });
 * ```
 */
export interface McpErrorOptions {
  /** The JSON-RPC error code the server sent, when the server answered with an error. */
  readonly code?: number;
  /** The JSON-RPC error's `data`, when the server sent one. */
  readonly data?: unknown;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * A failure talking to an MCP server: it could not start, broke the
 * protocol, answered with a JSON-RPC error, or went away. The message always
 * names the server. Inside a loop, a tool call that fails this way becomes a
 * failed step the model sees.
 *
 * @example Tell a JSON-RPC error from a dead server
 * ```ts ignore
 * import { McpError } from "jsr:@looplet/looplet/mcp";
 * try {
 *   await server.request("resources/list");
 * } catch (error) {
 *   if (error instanceof McpError && error.code === -32601) console.log("not supported");
 * }
 * ```
 */
export class McpError extends Error {
  /** The server's name from its config. */
  readonly server: string;
  /** The JSON-RPC error code, when the server answered with an error. */
  readonly code: number | undefined;
  /** The JSON-RPC error's `data`. */
  readonly data: unknown;

  /**
   * Make an error about one server.
   *
   * @param server The server's name.
   * @param message What went wrong; should already name the server.
   * @param options Code, data and cause.
   */
  constructor(server: string, message: string, options: McpErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "McpError";
    this.server = server;
    this.code = options.code;
    this.data = options.data;
  }
}
