import type { AnyTool, Hook } from "../../loop/types.ts";
import { closeMcpServers } from "./close_mcp_servers.ts";
import { assertMcpServerConfig, connectMcpServer } from "./connect_mcp_server.ts";
import type { ConnectMcpServerOptions, McpServer, McpServerConfig } from "./mcp_server.ts";

/**
 * Several connected servers, their tools, and one way to release them all.
 *
 * @example Close the servers when the block ends
 * ```ts ignore
 * await using mcp = await connectMcpServers([{ name: "fs", command: "mcp-server-filesystem", args: [dir] }]);
 * console.log(mcp.servers.map((server) => server.name), mcp.tools.length);
 * const run = composableLoop({ llm, task, tools: [...mcp.tools], hooks: [mcp.hook] });
 * ```
 */
export interface McpToolset extends AsyncDisposable {
  /** The servers, in config order. */
  readonly servers: readonly McpServer[];
  /** Every server's tools, in config order. */
  readonly tools: readonly AnyTool[];
  /** Closes every server when the loop run ends (also on `break` and errors). */
  readonly hook: Hook;
  /** Close every server now. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connect several MCP servers (as a bundle declares them), list their tools,
 * and check that no two tools share a name. If any server fails, the ones
 * already started are closed before the error is thrown, so nothing leaks.
 *
 * @param configs The servers; their names must be unique.
 * @param options Options for every server (see `connectMcpServer`).
 * @returns The servers, their tools, and a hook that closes them at the end of a run.
 * @throws {TypeError} When a config is malformed, names repeat, or two tools share a name (use `prefix: true`).
 * @throws {McpError} When a server cannot start or list its tools.
 * @example Attach a bundle's servers to a run
 * ```ts ignore
 * const mcp = await connectMcpServers([
 *   { name: "fs", command: "mcp-server-filesystem", args: [dir], prefix: true },
 *   { name: "search", url: "http://127.0.0.1:3001/mcp", prefix: true },
 * ]);
 * const run = composableLoop({ llm, task, tools: [...mine, ...mcp.tools], hooks: [mcp.hook] });
 * ```
 */
export async function connectMcpServers(
  configs: readonly McpServerConfig[],
  options: ConnectMcpServerOptions = {},
): Promise<McpToolset> {
  if (!Array.isArray(configs)) {
    throw new TypeError("connectMcpServers(): 'configs' must be an array of MCP server configs");
  }
  const names = new Set<string>();
  for (const config of configs) {
    assertMcpServerConfig(config);
    if (names.has(config.name)) {
      throw new TypeError(
        `connectMcpServers(): two MCP servers are named "${config.name}"; names must be unique`,
      );
    }
    names.add(config.name);
  }
  const settled = await Promise.allSettled(
    configs.map((config) => connectMcpServer(config, { ...options, lazy: false })),
  );
  const servers = settled.flatMap((item) => item.status === "fulfilled" ? [item.value] : []);
  const closeAll = async () => {
    await Promise.allSettled(servers.map((server) => server.close()));
  };
  try {
    const failed = settled.find((item) => item.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const lists = await Promise.all(
      servers.map(async (server) => ({ server, tools: await server.tools() })),
    );
    const owner = new Map<string, string>();
    for (const { server, tools } of lists) {
      for (const item of tools) {
        const other = owner.get(item.name);
        if (other !== undefined) {
          throw new TypeError(
            `connectMcpServers(): MCP servers "${other}" and "${server.name}" both have a tool ` +
              `"${item.name}"; set 'prefix: true' on one of them`,
          );
        }
        owner.set(item.name, server.name);
      }
    }
    const hook = closeMcpServers(servers);
    return {
      servers,
      tools: lists.flatMap((list) => list.tools),
      hook,
      close: closeAll,
      [Symbol.asyncDispose]: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
