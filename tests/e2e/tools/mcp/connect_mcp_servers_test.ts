import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  closeMcpServers,
  connectMcpServers,
  type McpServerConfig,
} from "../../../../tools/mcp/mod.ts";

const TINY = fileURLToPath(new URL("./fixtures/tiny_server.mjs", import.meta.url));

function tiny(name: string, prefix = false): McpServerConfig {
  return { name, command: "node", args: [TINY], prefix };
}

Deno.test("connectMcpServers() gathers prefixed tools of several servers and closes them all", async () => {
  const mcp = await connectMcpServers([tiny("db1", true), tiny("db2", true)]);
  assert.deepEqual(mcp.tools.map((item) => item.name), [
    "db1_query",
    "db1_hang",
    "db1_crash",
    "db2_query",
    "db2_hang",
    "db2_crash",
  ]);
  assert.ok(mcp.servers.every((server) => server.connected));
  await mcp.hook.onLoopEnd!({} as never);
  assert.ok(mcp.servers.every((server) => !server.connected));
});

Deno.test("connectMcpServers() refuses tools that clash and closes what it started", async () => {
  // Deno's resource sanitizer fails this test if a child process is left running.
  await assert.rejects(
    connectMcpServers([tiny("db1"), tiny("db2")]),
    {
      name: "TypeError",
      message:
        'connectMcpServers(): MCP servers "db1" and "db2" both have a tool "query"; set \'prefix: true\' on one of them',
    },
  );
});

Deno.test("connectMcpServers() closes the started servers when one fails to start", async () => {
  const lines: string[] = [];
  await assert.rejects(
    connectMcpServers([tiny("ok"), { name: "ghost", command: "looplet-no-such-mcp-server" }], {
      onStderr: (line) => lines.push(line),
    }),
    /Cannot start MCP server "ghost"/,
  );
  // "ok" was initialized (stderr shows it) and then closed: its stdin was closed, so it exited.
  assert.ok(lines.some((line) => line.startsWith("got initialize")));
});

Deno.test("connectMcpServers() rejects repeated names before starting anything", async () => {
  await assert.rejects(connectMcpServers([tiny("db"), tiny("db")]), {
    name: "TypeError",
    message: 'connectMcpServers(): two MCP servers are named "db"; names must be unique',
  });
});

Deno.test("closeMcpServers() closes every server even when one fails to close", async () => {
  const closed: string[] = [];
  const hook = closeMcpServers([
    { close: () => Promise.reject(new Error("boom")) },
    { close: () => Promise.resolve(void closed.push("b")) },
  ]);
  await hook.onLoopEnd!({} as never);
  assert.deepEqual(closed, ["b"]);
  assert.throws(() => closeMcpServers([{} as never]), {
    name: "TypeError",
    message: "closeMcpServers(): 'servers' must be an array of connected MCP servers",
  });
});
