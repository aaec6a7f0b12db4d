import type { Hook } from "../../loop/types.ts";

/**
 * Anything with an async `close()`, such as an `McpServer`.
 *
 * @example Close a resource of your own with the servers
 * ```ts ignore
 * const cache: Closable = { close: async () => await db.close() };
 * const hook = closeMcpServers([fs, cache]);
 * ```
 */
export interface Closable {
  /** Release the resource. */
  close(): Promise<void>;
}

/**
 * A hook that closes MCP servers when the run ends: normally, on an error,
 * or when the caller `break`s out of the loop. Servers close in parallel; a
 * server that fails to close does not keep the others open.
 *
 * @param servers The servers to close.
 * @returns A hook for `composableLoop({ hooks })`.
 * @example Close the server however the run ends
 * ```ts ignore
 * const fs = await connectMcpServer({ name: "fs", command: "mcp-server-filesystem", args: [dir] });
 * const run = composableLoop({ llm, task, tools: await fs.tools(), hooks: [closeMcpServers([fs])] });
 * for await (const step of run) if (step.number === 3) break; // fs is closed here too
 * ```
 */
export function closeMcpServers(servers: readonly Closable[]): Hook {
  if (!Array.isArray(servers) || !servers.every((item) => typeof item?.close === "function")) {
    throw new TypeError("closeMcpServers(): 'servers' must be an array of connected MCP servers");
  }
  return {
    name: "close-mcp-servers",
    async onLoopEnd() {
      await Promise.allSettled(servers.map((server) => server.close()));
    },
  };
}
