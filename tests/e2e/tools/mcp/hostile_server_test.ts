// An MCP server is untrusted input: a huge answer, a broken body or a wrapper
// that dies under it must end as an McpError naming the server, never hang or
// leave the connection stuck.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connectMcpServer, McpError, type McpServerConfig } from "../../../../tools/mcp/mod.ts";

function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

function processAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) &&
    !Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.startsWith("Z");
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${error}`);
    return error;
  }
  throw new assert.AssertionError({ message: "expected a rejection" });
}

const hostile: McpServerConfig = {
  name: "hostile",
  command: "node",
  args: [fixture("hostile_server.mjs")],
  timeoutMs: 20_000,
};

Deno.test("a stdio answer longer than maxMessageBytes fails naming the limit, and the next call reconnects", async () => {
  const server = await connectMcpServer(
    hostile,
    { maxMessageBytes: 1024 * 1024 },
  );
  try {
    const firstPid = server.pid;
    const error = await rejection(server.callTool("huge", {}));
    assert.ok(error instanceof McpError, String(error));
    assert.match(
      error.message,
      /MCP server "hostile" sent a message longer than 1048576 bytes; raise 'maxMessageBytes'/,
    );
    assert.equal(server.connected, false);
    const tools = await server.listTools();
    assert.ok(tools.some((tool) => tool.name === "huge"));
    assert.notEqual(server.pid, firstPid);
  } finally {
    await server.close();
  }
});

Deno.test("a stdio server started through a wrapper is reopened when the wrapper dies, and the orphan is ended", async () => {
  let serverPid: number | undefined;
  const sawPid = Promise.withResolvers<void>();
  const server = await connectMcpServer(
    { ...hostile, args: [fixture("wrapper.mjs")] },
    {
      onStderr: (line) => {
        const match = /^server pid (\d+)$/.exec(line);
        if (match && serverPid === undefined) {
          serverPid = Number(match[1]);
          sawPid.resolve();
        }
      },
    },
  );
  const deadline = AbortSignal.timeout(30_000);
  try {
    await sawPid.promise;
    const wrapperPid = server.pid!;
    Deno.kill(wrapperPid, "SIGKILL");
    // Each round trip either reaches the dying connection or a new one; the
    // pid changes once the drop was seen and the next request reconnected.
    while (server.pid === undefined || server.pid === wrapperPid) {
      deadline.throwIfAborted();
      await server.request("tools/list").catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the process's exit arrive
    }
    assert.equal(server.connected, true);
    // The drop was seen when the old pipes closed: the orphaned server is gone.
    assert.equal(processAlive(serverPid!), false);
    const error = await rejection(server.callTool("query", { sql: "select 1" }));
    assert.match(error.message, /database is locked/);
  } finally {
    await server.close();
  }
});

Deno.test("streamable HTTP: a body that breaks while read, or is too long, is an McpError naming the server", async () => {
  const encoder = new TextEncoder();
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    result: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      serverInfo: { name: "fake", version: "1" },
    },
  };
  let mode: "broken" | "long" = "broken";
  const fakeFetch = ((_input: string | URL | Request, init?: RequestInit) => {
    const message = JSON.parse(String(init?.body));
    if (message.method === "initialize") return Promise.resolve(Response.json(initialize));
    if (message.id === undefined) return Promise.resolve(new Response(null, { status: 202 }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (mode === "long") {
          controller.enqueue(encoder.encode(`{"jsonrpc":"2.0","id":${message.id},"result":{"x":"`));
          controller.enqueue(new Uint8Array(4096).fill(97));
          controller.enqueue(encoder.encode(`"}}`));
          controller.close();
        } else {
          controller.enqueue(encoder.encode('{"jsonrpc":"2.0","id"'));
          controller.error(new TypeError("connection reset"));
        }
      },
    });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "application/json" } }),
    );
  }) as typeof fetch;
  const server = await connectMcpServer({ name: "web", url: "http://127.0.0.1:9/mcp" }, {
    fetch: fakeFetch,
    maxMessageBytes: 1024,
  });
  try {
    const broken = await rejection(server.request("tools/list"));
    assert.ok(broken instanceof McpError, `${broken.name}: ${broken.message}`);
    assert.match(broken.message, /Cannot read the answer of MCP server "web".*connection reset/);
    mode = "long";
    const long = await rejection(server.request("tools/list"));
    assert.ok(long instanceof McpError);
    assert.match(long.message, /longer than 1024 bytes; raise 'maxMessageBytes'/);
  } finally {
    await server.close();
  }
});

Deno.test("a server's catastrophic pattern fails the step as a validation error, without stalling the loop", async () => {
  const word = `${"a".repeat(30)}!`; // JavaScript's engine: about 2^30 steps
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      fileURLToPath(new URL("./_pattern_agent.ts", import.meta.url)),
      fixture("hostile_server.mjs"),
      word,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(40_000),
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const result = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(result.errorKind, "validation");
  assert.match(result.error, /must match pattern \/\^\(a\+\)\+\$\/\n {2}→ at word/);
});
