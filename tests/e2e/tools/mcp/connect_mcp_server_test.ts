import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type AgentRun,
  composableLoop,
  type Hook,
  ScriptedBackend,
  type ScriptedResponse,
  type Step,
} from "../../../../mod.ts";
import type { LoopEvent } from "../../../../loop/types.ts";
import {
  closeMcpServers,
  connectMcpServer,
  McpError,
  type McpServer,
  type McpServerConfig,
} from "../../../../tools/mcp/mod.ts";
import { everythingStdio, filesystemStdio, startEverythingHttp } from "./_servers.ts";
import { toolContext } from "./_tool_context.ts";

function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

function tiny(extra: Partial<McpServerConfig> = {}, flags: string[] = []): McpServerConfig {
  return { name: "tiny", command: "node", args: [fixture("tiny_server.mjs"), ...flags], ...extra };
}

function processAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`) &&
    !Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.startsWith("Z");
}

/** A loop on the server's tools making `calls` in order; the server closes when the run ends. */
async function scriptedRun(
  server: McpServer,
  task: string,
  calls: ScriptedResponse[],
  hooks: Hook[] = [],
): Promise<AgentRun> {
  return composableLoop({
    llm: new ScriptedBackend(calls),
    task,
    tools: await server.tools(),
    hooks: [closeMcpServers([server]), ...hooks],
  });
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${error}`);
    assert.match(error.message, pattern);
    return error;
  }
  throw new assert.AssertionError({ message: `expected a rejection matching ${pattern}` });
}

// ---------------------------------------------------------------------------
// Real servers: server-everything (stdio and streamable HTTP), server-filesystem
// ---------------------------------------------------------------------------

Deno.test("connectMcpServer() lists server-everything's tools over stdio with the server's schemas", async () => {
  await using server = await connectMcpServer(everythingStdio());
  assert.equal(server.protocolVersion, "2025-11-25");
  assert.equal(server.serverInfo?.name, "mcp-servers/everything");
  const raw = await server.listTools();
  const tools = await server.tools();
  const names = tools.map((item) => item.name);
  for (const expected of ["echo", "get-sum", "get-structured-content", "get-tiny-image"]) {
    assert.ok(names.includes(expected), `missing ${expected} in ${names}`);
  }
  const sum = tools.find((item) => item.name === "get-sum")!;
  assert.deepEqual(
    sum.input.toJSONSchema(),
    raw.find((item) => item.name === "get-sum")!.inputSchema,
  );
  assert.equal(sum.description, "Returns the sum of two numbers");
  assert.equal(sum.input.safeParse({ a: 1, b: 2 }).success, true);
  assert.equal(sum.input.safeParse({ a: 1 }).success, false);
  assert.equal(sum.concurrencySafe, true, "readOnlyHint tools may run side by side");
  assert.equal(
    tools.find((item) => item.name === "toggle-simulated-logging")!.concurrencySafe,
    false,
  );
});

Deno.test("connectMcpServer() reconnects once to server-everything after its process is killed", async () => {
  await using server = await connectMcpServer(everythingStdio());
  const first = server.pid!;
  Deno.kill(first, "SIGKILL");
  await waitFor(() => !server.connected);
  const result = await server.callTool("echo", { message: "back" });
  assert.deepEqual(result.content, [{ type: "text", text: "Echo: back" }]);
  assert.notEqual(server.pid, first);
  assert.equal(processAlive(first), false);
});

Deno.test("a scripted agent calls server-everything tools over stdio and the results arrive as steps", async () => {
  const server = await connectMcpServer(everythingStdio({ prefix: true }));
  const run = await scriptedRun(server, "Use the everything server", [
    ScriptedBackend.call("everything_echo", { message: "hi there" }),
    ScriptedBackend.call("everything_get-sum", { a: 2, b: 40 }),
    ScriptedBackend.call("everything_get-structured-content", { location: "Chicago" }),
    ScriptedBackend.call("everything_get-tiny-image", {}),
    ScriptedBackend.call("everything_get-annotated-message", { messageType: "fatal" }),
    ScriptedBackend.call("everything_get-sum", { a: 2 }),
    ScriptedBackend.call("done", { answer: "ok" }),
  ]);
  const steps: Step[] = await Array.fromAsync(run);
  assert.equal((await run.outcome).stopReason, "done");
  const [echo, sum, weather, image, badEnum, missing] = steps.map((step) => step.result);
  assert.equal(echo!.data, "Echo: hi there");
  assert.equal(sum!.data, "The sum of 2 and 40 is 42.");
  assert.deepEqual(Object.keys(weather!.data as object).sort(), [
    "conditions",
    "humidity",
    "temperature",
  ]);
  const blocks = (image!.data as { content: Record<string, unknown>[] }).content;
  assert.equal(blocks[0]!.type, "text");
  assert.equal(blocks[1]!.type, "image");
  assert.equal(blocks[1]!.mimeType, "image/png");
  assert.match(String(blocks[1]!.ref), /^mcp:\/\/everything\/attachments\/\d+$/);
  assert.ok(
    !JSON.stringify(image!.data).includes("iVBORw0KGgo"),
    "base64 must not reach the model",
  );
  assert.equal(badEnum!.errorKind, "validation");
  assert.match(badEnum!.error!, /Invalid option: expected one of "error"\|"success"\|"debug"/);
  assert.equal(missing!.errorKind, "validation");
  assert.match(missing!.error!, /expected number, received undefined[\s\S]*→ at b/);
  assert.equal(server.connected, false, "the hook closed the server at the end of the run");
});

Deno.test("McpServer.attachment() returns the bytes of an image a tool returned", async () => {
  await using server = await connectMcpServer(everythingStdio(), { keepAttachments: 1 });
  const image = (await server.tools()).find((item) => item.name === "get-tiny-image")!;
  const data = await image.execute({}, toolContext()) as { content: { ref?: string }[] };
  const ref = data.content.find((block) => block.ref)!.ref!;
  const attachment = server.attachment(ref)!;
  assert.equal(attachment.mimeType, "image/png");
  assert.deepEqual([...attachment.data.slice(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
  assert.equal(server.attachment("mcp://everything/attachments/999"), undefined);
});

Deno.test("a scripted agent edits files through server-filesystem with nested arguments, confined to its root", async () => {
  const root = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${outside}/secret.txt`, "top secret");
    const server = await connectMcpServer(filesystemStdio(root));
    const run = await scriptedRun(server, "Edit notes.md", [
      ScriptedBackend.call("write_file", { path: `${root}/notes.md`, content: "hello world\n" }),
      ScriptedBackend.call("edit_file", {
        path: `${root}/notes.md`,
        edits: [{ oldText: "world" }], // newText missing: rejected before the call
      }),
      ScriptedBackend.call("edit_file", {
        path: `${root}/notes.md`,
        edits: [{ oldText: "world", newText: "MCP" }],
      }),
      ScriptedBackend.call("read_text_file", { path: `${root}/notes.md` }),
      ScriptedBackend.call("read_text_file", { path: `${outside}/secret.txt` }),
      ScriptedBackend.call("list_directory_with_sizes", { path: root, sortBy: "size" }),
      ScriptedBackend.call("done", { answer: "edited" }),
    ]);
    const steps = await Array.fromAsync(run);
    const [write, badEdit, edit, read, escape, list] = steps.map((step) => step.result);
    assert.equal(write!.error, undefined);
    assert.equal(badEdit!.errorKind, "validation");
    assert.match(badEdit!.error!, /→ at edits\[0\]\.newText/);
    assert.equal(edit!.error, undefined);
    // server-filesystem answers with structuredContent { content }, which becomes the data
    assert.match((edit!.data as { content: string }).content, /-hello world\n\+hello MCP/);
    assert.deepEqual(read!.data, { content: "hello MCP\n" });
    assert.equal(await Deno.readTextFile(`${root}/notes.md`), "hello MCP\n");
    assert.equal(escape!.errorKind, "execution");
    assert.match(
      escape!.error!,
      /Tool "read_text_file" of MCP server "fs" failed: .*Access denied/,
    );
    assert.match(JSON.stringify(list!.data), /\[FILE\] notes\.md/);
    assert.equal((await run.outcome).stopReason, "done");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("a scripted agent uses server-everything over streamable HTTP on a loopback port", async () => {
  await using http = await startEverythingHttp();
  const seen: string[] = [];
  const recordingFetch: typeof fetch = (input, init) => {
    seen.push(`${init?.method} ${new Headers(init?.headers).has("mcp-session-id")}`);
    return fetch(input, init);
  };
  const server = await connectMcpServer({ name: "web", url: http.url }, { fetch: recordingFetch });
  assert.equal(server.protocolVersion, "2025-11-25");
  const run = await scriptedRun(server, "Use the web server", [
    ScriptedBackend.call("echo", { message: "over http" }),
    ScriptedBackend.call("get-sum", { a: 1.5, b: 2 }),
    ScriptedBackend.call("get-structured-content", { location: "New York" }),
    ScriptedBackend.call("done", { answer: "ok" }),
  ]);
  const [echo, sum, weather] = (await Array.fromAsync(run)).map((step) => step.result);
  assert.equal(echo!.data, "Echo: over http");
  assert.equal(sum!.data, "The sum of 1.5 and 2 is 3.5.");
  assert.equal(typeof (weather!.data as { temperature: unknown }).temperature, "number");
  assert.equal(seen[0], "POST false", "initialize goes without a session id");
  assert.ok(
    seen.slice(1).every((line) => line.endsWith("true")),
    `session id on later requests: ${seen}`,
  );
  assert.equal(seen.at(-1), "DELETE true", "close() ends the HTTP session");
});

Deno.test("a timed-out call over HTTP aborts the request and names the server", async () => {
  await using http = await startEverythingHttp();
  // Only the long call gets the short deadline: the echo after it must not race a 200 ms clock.
  // The operation takes 20 s, so a missing timeout fails the assertion rather than passing late.
  await using server = await connectMcpServer({ name: "web", url: http.url });
  await rejectsWith(
    server.callTool("trigger-long-running-operation", { duration: 20, steps: 2 }, {
      timeoutMs: 200,
    }),
    /^MCP server "web" did not answer "tools\/call" for tool "trigger-long-running-operation" within 200ms; sent notifications\/cancelled/,
  );
  assert.deepEqual((await server.callTool("echo", { message: "still here" })).content, [
    { type: "text", text: "Echo: still here" },
  ]);
});

Deno.test("connectMcpServer() over HTTP starts a new session once when the server answers 404", async () => {
  await using http = await startEverythingHttp();
  let expire = false;
  let initializes = 0;
  const flakyFetch: typeof fetch = async (input, init) => {
    const body = typeof init?.body === "string" ? init.body : "";
    if (body.includes('"initialize"')) initializes++;
    if (expire && new Headers(init?.headers).has("mcp-session-id")) {
      expire = false;
      return new Response("session not found", { status: 404 });
    }
    return await fetch(input, init);
  };
  await using server = await connectMcpServer({ name: "web", url: http.url }, {
    fetch: flakyFetch,
  });
  expire = true;
  const result = await server.callTool("echo", { message: "again" });
  assert.deepEqual(result.content, [{ type: "text", text: "Echo: again" }]);
  assert.equal(initializes, 2);
});

Deno.test("an MCP tool reports progress and a timeout names the server", async () => {
  // 5 s leaves the quick 0.15 s call room under load; the slow one takes 30 s.
  const server = await connectMcpServer(everythingStdio({ timeoutMs: 5000 }));
  const events: LoopEvent[] = [];
  const run = await scriptedRun(server, "Run long operations", [
    ScriptedBackend.call("trigger-long-running-operation", { duration: 0.15, steps: 3 }),
    ScriptedBackend.call("trigger-long-running-operation", { duration: 30, steps: 2 }),
    ScriptedBackend.call("done", { answer: "ok" }),
  ], [{ onEvent: (event) => void events.push(event) }]);
  const [quick, slow] = (await Array.fromAsync(run)).map((step) => step.result);
  assert.match(String(quick!.data), /completed/);
  const progress = events.filter((event) => event.type === "tool_progress");
  assert.deepEqual(progress.map((event) => event.type === "tool_progress" && event.message), [
    "1/3",
    "2/3",
    "3/3",
  ]);
  assert.equal(slow!.errorKind, "timeout");
  assert.match(
    slow!.error!,
    /MCP server "everything" did not answer "tools\/call" for tool "trigger-long-running-operation" within 5000ms; sent notifications\/cancelled/,
  );
});

Deno.test("breaking out of the loop closes the server and ends its process", async () => {
  const server = await connectMcpServer(everythingStdio());
  const pid = server.pid!;
  assert.ok(processAlive(pid));
  const run = await scriptedRun(server, "echo", [
    ScriptedBackend.call("echo", { message: "one" }),
    ScriptedBackend.call("echo", { message: "two" }),
    ScriptedBackend.call("done", { answer: "never" }),
  ]);
  for await (const step of run) {
    assert.equal(step.result.data, "Echo: one");
    break;
  }
  assert.equal(server.connected, false);
  assert.equal(processAlive(pid), false, `process ${pid} still runs`);
  await rejectsWith(server.listTools(), /Cannot use MCP server "everything": it was closed/);
});

Deno.test("connectMcpServer() passes the child only the documented default variables plus 'env'", async () => {
  Deno.env.set("LOOPLET_TEST_SECRET", "do-not-leak");
  try {
    await using server = await connectMcpServer(
      everythingStdio({ env: { LOOPLET_TEST_FLAG: "on" } }),
    );
    const result = await server.callTool("get-env", {});
    const env = JSON.parse((result.content as { text: string }[])[0]!.text);
    assert.equal(env.LOOPLET_TEST_FLAG, "on");
    assert.equal(env.LOOPLET_TEST_SECRET, undefined);
    assert.equal(env.PATH, Deno.env.get("PATH"));
  } finally {
    Deno.env.delete("LOOPLET_TEST_SECRET");
  }
  const nodePath = new Deno.Command("node", { args: ["-p", "process.execPath"] }).outputSync();
  const node = new TextDecoder().decode(nodePath.stdout).trim();
  await using bare = await connectMcpServer(everythingStdio({ command: node }), { baseEnv: {} });
  const result = await bare.callTool("get-env", {});
  const env = JSON.parse((result.content as { text: string }[])[0]!.text);
  assert.equal(env.PATH, undefined, "baseEnv: {} gives the child nothing but 'env'");
});

Deno.test("connectMcpServer() with lazy: true starts the server on first use", async () => {
  await using server = await connectMcpServer(everythingStdio(), { lazy: true });
  assert.equal(server.connected, false);
  assert.equal(server.pid, undefined);
  assert.ok((await server.tools()).length > 5);
  assert.equal(server.connected, true);
});

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

Deno.test("connectMcpServer() names the server when the command does not exist", async () => {
  const error = await rejectsWith(
    connectMcpServer({ name: "ghost", command: "looplet-no-such-mcp-server" }),
    /^Cannot start MCP server "ghost": command "looplet-no-such-mcp-server" was not found; searched PATH=/,
  );
  assert.ok(error instanceof McpError);
  assert.equal(error.server, "ghost");
});

Deno.test("connectMcpServer() reports a server that exits at start with its exit code and stderr", async () => {
  await rejectsWith(
    connectMcpServer({ name: "broken", command: "node", args: [fixture("exits_at_start.mjs")] }),
    /^Cannot connect to MCP server "broken": MCP server "broken" exited \(exit code 3\); stderr: fatal: DATABASE_URL is not set/,
  );
});

Deno.test("connectMcpServer() names the server and quotes its stdout when it prints garbage", async () => {
  // The server never answers, so this waits the whole deadline; it must be long enough for a
  // loaded machine to start node and print the banner (700 ms was not, under load).
  await rejectsWith(
    connectMcpServer(
      { name: "noisy", command: "node", args: [fixture("garbage_stdout.mjs")] },
      { connectTimeoutMs: 8000 },
    ),
    /Cannot connect to MCP server "noisy": MCP server "noisy" did not answer "initialize" within 8000ms; it wrote lines to stdout that are not JSON-RPC \(a stdio server must log to stderr\): "Welcome to Acme MCP v1.0!"/,
  );
});

Deno.test("connectMcpServer() tolerates a banner on stdout before a working handshake", async () => {
  await using server = await connectMcpServer(tiny({}, ["--banner"]));
  assert.deepEqual((await server.tools()).map((item) => item.name), ["query", "hang", "crash"]);
});

Deno.test("a JSON-RPC error from the server becomes a failed step naming the server", async () => {
  const server = await connectMcpServer(tiny());
  const error = await rejectsWith(
    server.callTool("query", { sql: "select 1" }),
    /^MCP server "tiny" answered with JSON-RPC error -32603: database is locked \(\{"retryAfter":5\}\)$/,
  );
  assert.equal((error as McpError).code, -32603);
  const run = await scriptedRun(server, "query", [
    ScriptedBackend.call("query", { sql: "select 1" }),
    ScriptedBackend.call("done", { answer: "failed" }),
  ]);
  const [step] = await Array.fromAsync(run);
  assert.equal(step!.result.errorKind, "execution");
  assert.match(
    step!.result.error!,
    /McpError: MCP server "tiny" answered with JSON-RPC error -32603/,
  );
});

Deno.test("arguments that fail the server's schema are rejected before the call", async () => {
  const server = await connectMcpServer(tiny());
  const run = await scriptedRun(server, "query", [
    ScriptedBackend.call("query", { sequel: "select 1" }),
    ScriptedBackend.call("done", { answer: "gave up" }),
  ]);
  const [step] = await Array.fromAsync(run);
  assert.equal(step!.result.errorKind, "validation");
  assert.match(step!.result.error!, /Invalid arguments for tool "query"/);
  assert.match(step!.result.error!, /expected string, received undefined\n {2}→ at sql/);
  assert.match(step!.result.error!, /Unexpected argument "sequel"/);
  assert.ok(!server.stderr().includes("got tools/call"), "the server never saw the call");
});

Deno.test("a timed-out or cancelled call sends notifications/cancelled to the server", async () => {
  await using server = await connectMcpServer(tiny({ timeoutMs: 100 }));
  await rejectsWith(
    server.callTool("hang", {}),
    /^MCP server "tiny" did not answer "tools\/call" for tool "hang" within 100ms/,
  );
  const controller = new AbortController();
  const pending = server.callTool("hang", {}, { signal: controller.signal, timeoutMs: 30_000 });
  // Stop once the server has the second call, so there is a request to cancel.
  await waitFor(() => (server.stderr().match(/got tools\/call/g) ?? []).length === 2);
  controller.abort(new Error("user pressed stop"));
  await rejectsWith(pending, /user pressed stop/);
  await waitFor(() => (server.stderr().match(/got notifications\/cancelled/g) ?? []).length === 2);
  assert.match(
    server.stderr(),
    /got notifications\/cancelled \{"requestId":\d+,"reason":"Timed out after 100ms"\}/,
  );
});

Deno.test("connectMcpServer() restarts a server once after its process dies", async () => {
  await using server = await connectMcpServer(tiny());
  const first = server.pid;
  await rejectsWith(server.callTool("crash", {}), /MCP server "tiny" exited \(exit code 7\)/);
  assert.equal(server.connected, false);
  const result = server.callTool("query", { sql: "x" });
  await rejectsWith(result, /database is locked/); // answered by a fresh process
  assert.notEqual(server.pid, first);
  assert.equal(server.connected, true);
});

Deno.test("connectMcpServer() refuses a server speaking an unknown protocol version", async () => {
  await rejectsWith(
    connectMcpServer(tiny({}, ["--old"])),
    /MCP server "tiny" speaks protocol version "1999-01-01"; looplet speaks 2025-11-25, 2025-06-18/,
  );
});

Deno.test("connectMcpServer() rejects malformed configs before starting anything", async () => {
  const cases: [unknown, RegExp, ErrorConstructor][] = [
    [{ name: "", command: "x" }, /'name' must be a non-empty string/, TypeError],
    [{ name: "a" }, /give either 'command' \(stdio\) or 'url'/, TypeError],
    [{ name: "a", command: "x", url: "http://h" }, /not both or neither/, TypeError],
    [{ name: "a", url: "ftp://h" }, /'url' must be an http\(s\) URL, got "ftp:\/\/h"/, TypeError],
    [{ name: "a", command: "x", args: "--flag" }, /'args' must be an array of strings/, TypeError],
    [{ name: "a", command: "x", env: { A: 1 } }, /'env.A' must be a string, got number/, TypeError],
    [{ name: "my server", command: "x", prefix: true }, /with 'prefix', 'name' must be/, TypeError],
    [
      { name: "a", command: "x", timeoutMs: 0 },
      /'timeoutMs' must be a positive number/,
      RangeError,
    ],
  ];
  for (const [config, pattern, kind] of cases) {
    await assert.rejects(
      connectMcpServer(config as McpServerConfig),
      (error: Error) => error instanceof kind && pattern.test(error.message),
      `config ${JSON.stringify(config)}`,
    );
  }
});

// ---------------------------------------------------------------------------

/** Poll `condition` until it holds; fail after a 10 s deadline (never reached when all is well). */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
