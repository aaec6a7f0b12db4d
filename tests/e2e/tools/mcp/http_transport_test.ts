import assert from "node:assert/strict";
import { connectMcpServer } from "../../../../tools/mcp/mod.ts";
import { toolContext } from "./_tool_context.ts";

/**
 * A hand-written streamable HTTP endpoint on 127.0.0.1 for what the reference
 * server does not do: SSE with CRLF line endings split across chunks, a
 * server-to-client ping before the answer, JSON-RPC errors in HTTP 200 and
 * HTTP 4xx bodies, and authentication by header.
 */
function startFakeServer() {
  const received: { method: string; session: string | null; version: string | null }[] = [];
  const encoder = new TextEncoder();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    if (request.headers.get("authorization") !== "Bearer t0ken") {
      return new Response("missing token", { status: 401, statusText: "Unauthorized" });
    }
    if (request.method === "DELETE") {
      received.push({
        method: "DELETE",
        session: request.headers.get("mcp-session-id"),
        version: null,
      });
      return new Response(null, { status: 200 });
    }
    const message = await request.json();
    received.push({
      method: message.method ?? "response",
      session: request.headers.get("mcp-session-id"),
      version: request.headers.get("mcp-protocol-version"),
    });
    if (message.id === undefined || message.method === undefined) {
      return new Response(null, { status: 202 });
    }
    const reply = (body: unknown, status = 200) =>
      Response.json({ jsonrpc: "2.0", id: message.id, ...body as object }, { status });
    switch (message.method) {
      case "initialize":
        return new Response(
          JSON.stringify({
            jsonrpc: "2.0",
            id: message.id,
            result: {
              protocolVersion: "2025-03-26",
              capabilities: { tools: {} },
              serverInfo: { name: "fake", version: "1" },
            },
          }),
          { headers: { "content-type": "application/json", "mcp-session-id": "s-1" } },
        );
      case "tools/list": {
        const events = [
          `: comment\r\nevent: message\r\ndata: ${
            JSON.stringify({ jsonrpc: "2.0", id: "srv-1", method: "ping" })
          }\r\n\r\n`,
          `data: ${
            JSON.stringify({
              jsonrpc: "2.0",
              id: message.id,
              result: {
                tools: [
                  {
                    name: "add",
                    description: "Add",
                    inputSchema: {
                      type: "object",
                      properties: { a: { type: "number" } },
                      required: ["a"],
                    },
                  },
                  { name: "boom", description: "Fails", inputSchema: { type: "object" } },
                ],
              },
            })
          }\r\n\r\n`,
        ].join("");
        const body = new ReadableStream({
          start(controller) {
            // split at awkward places, including between \r and \n
            const bytes = encoder.encode(events);
            for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      }
      case "tools/call":
        if (message.params.name === "boom") {
          return reply({ error: { code: -32000, message: "quota exceeded" } }, 400);
        }
        return reply({
          result: { content: [{ type: "text", text: `got ${message.params.arguments.a}` }] },
        });
      default:
        return reply({ error: { code: -32601, message: "Method not found" } });
    }
  });
  return { server, received, url: `http://127.0.0.1:${server.addr.port}/mcp` };
}

Deno.test("streamable HTTP: SSE answers, server pings, session and version headers, JSON-RPC errors", async () => {
  const fake = startFakeServer();
  try {
    const server = await connectMcpServer({
      name: "fake",
      url: fake.url,
      headers: { authorization: "Bearer t0ken" },
    });
    assert.equal(server.protocolVersion, "2025-03-26");
    const tools = await server.tools();
    assert.deepEqual(tools.map((item) => item.name), ["add", "boom"]);
    assert.equal(await tools[0]!.execute({ a: 2 }, toolContext()), "got 2");
    await assert.rejects(tools[1]!.execute({}, toolContext()), {
      name: "McpError",
      message: 'MCP server "fake" answered with JSON-RPC error -32000: quota exceeded',
    });
    await assert.rejects(server.request("resources/list"), { code: -32601 });
    await server.close();
    const methods = fake.received.map((item) => item.method);
    assert.deepEqual(methods, [
      "initialize",
      "notifications/initialized",
      "tools/list",
      "response", // our answer to the server's ping
      "tools/call",
      "tools/call",
      "resources/list",
      "DELETE",
    ]);
    assert.equal(fake.received[0]!.session, null);
    assert.ok(fake.received.slice(1).every((item) => item.session === "s-1"));
    assert.ok(fake.received.slice(1, -1).every((item) => item.version === "2025-03-26"));
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("streamable HTTP: a 401 names the server and points at 'headers'", async () => {
  const fake = startFakeServer();
  try {
    await assert.rejects(
      connectMcpServer({ name: "fake", url: fake.url }),
      (error: Error) =>
        error.message ===
          `Cannot connect to MCP server "fake": MCP server "fake" answered HTTP 401 Unauthorized at ${fake.url}: missing token; check 'headers' (authorization)`,
    );
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("streamable HTTP: an unreachable URL names the server and the URL", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assert.rejects(
    connectMcpServer({ name: "gone", url: `http://127.0.0.1:${port}/mcp` }),
    (error: Error) =>
      error.name === "McpError" &&
      error.message.startsWith(`Cannot reach MCP server "gone" at http://127.0.0.1:${port}/mcp: `),
  );
});
