/**
 * MCP benchmark: time to connect to server-everything over stdio and list its
 * tools, and what our client adds to one tool call compared with the bare
 * protocol round trip against the same server.
 *
 * Needs the reference servers: `deno task mcp:servers`. Run:
 * `deno task mcp:bench` (or `deno run -A bench/mcp_bench.ts [calls]`).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { connectMcpServer, jsonSchemaInput } from "../tools/mcp/mod.ts";
import { ScriptedBackend } from "../mod.ts";
import { median, quantile } from "./_bench_utils.ts";

const ENTRY = fileURLToPath(
  new URL(
    "../.ci/mcp-servers/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
    import.meta.url,
  ),
);
const CONNECTS = 8;
const CALLS = Number(Deno.args[0] ?? 500);

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

/** A bare client: spawn, handshake by hand, one line per request, no checks. */
async function rawRoundTrips(calls: number): Promise<{ handshake: number; times: number[] }> {
  const started = performance.now();
  const child = new Deno.Command("node", {
    args: [ENTRY, "stdio"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const encoder = new TextEncoder();
  let buffer = "";
  async function answer(id: number): Promise<void> {
    while (true) {
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.includes(`"id":${id}`)) return;
        newline = buffer.indexOf("\n");
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("server ended");
      buffer += value;
    }
  }
  const send = (message: unknown) =>
    writer.write(encoder.encode(JSON.stringify({ jsonrpc: "2.0", ...message as object }) + "\n"));
  await send({
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "raw", version: "0" },
    },
  });
  await answer(0);
  await send({ method: "notifications/initialized" });
  await send({ id: 1, method: "tools/list" });
  await answer(1);
  const handshake = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await send({
      id: i + 2,
      method: "tools/call",
      params: { name: "echo", arguments: { message: "hi" } },
    });
    await answer(i + 2);
    times.push(performance.now() - t);
  }
  await writer.close();
  await child.status;
  await reader.cancel().catch(() => {});
  return { handshake, times };
}

const context = {
  signal: new AbortController().signal,
  step: 1,
  turn: 1,
  call: { id: "1", name: "echo", args: {} },
  metadata: {},
  llm: new ScriptedBackend([]),
  progress() {},
  addUsage() {},
  idempotencyKey: "run:call",
};

// 1. connect + list tools (each a fresh process)
const connectTimes: number[] = [];
const handshakeTimes: number[] = [];
const listTimes: number[] = [];
for (let i = 0; i < CONNECTS; i++) {
  const t = performance.now();
  const server = await connectMcpServer({
    name: "everything",
    command: "node",
    args: [ENTRY, "stdio"],
  });
  const connected = performance.now();
  handshakeTimes.push(connected - t);
  await server.tools();
  listTimes.push(performance.now() - connected);
  connectTimes.push(performance.now() - t);
  await server.close();
}
const rawSpawns: number[] = [];
for (let i = 0; i < 3; i++) rawSpawns.push((await rawRoundTrips(0)).handshake);

// 2. per-call round trip: ours (validate + JSON-RPC + map result) vs bare lines
const server = await connectMcpServer({ name: "everything", command: "node", args: [ENTRY] });
const echo = (await server.tools()).find((item) => item.name === "echo")!;
for (let i = 0; i < 50; i++) await echo.execute({ message: "warm" }, context);
const ours: number[] = [];
for (let i = 0; i < CALLS; i++) {
  const t = performance.now();
  const args = echo.input.safeParse({ message: "hi" });
  if (!args.success) throw new Error("bad args");
  await echo.execute(args.data, context);
  ours.push(performance.now() - t);
}
await server.close();
const raw = await rawRoundTrips(CALLS + 50);
const rawTimes = raw.times.slice(50);

// 3. our CPU per call in isolation (no I/O): schema check of filesystem edit_file args
const input = jsonSchemaInput(JSON.parse(
  await Deno.readTextFile(new URL("../tests/fixtures/mcp/edit_file_schema.json", import.meta.url)),
));
const value = {
  path: "a.md",
  edits: [{ oldText: "a", newText: "b" }, { oldText: "c", newText: "d" }],
};
const n = 100_000;
let t = performance.now();
for (let i = 0; i < n; i++) input.safeParse(value);
const validateUs = ((performance.now() - t) / n) * 1000;
t = performance.now();
for (let i = 0; i < n; i++) {
  JSON.parse(JSON.stringify({
    jsonrpc: "2.0",
    id: i,
    method: "tools/call",
    params: { name: "edit_file", arguments: value },
  }));
}
const encodeUs = ((performance.now() - t) / n) * 1000;

console.log(`MCP bench (server-everything ${CONNECTS} connects, ${CALLS} calls)`);
console.log(`connect (spawn + initialize), median: ${fmt(median(handshakeTimes))}`);
console.log(`tools/list + conversion, median:      ${fmt(median(listTimes))}`);
console.log(`connect + list tools, median:         ${fmt(median(connectTimes))}`);
console.log(`bare client spawn + handshake + list: ${fmt(median(rawSpawns))}`);
console.log(
  `echo round trip, ours: median ${fmt(median(ours))}, p90 ${fmt(quantile(ours, 0.9))}`,
);
console.log(
  `echo round trip, bare: median ${fmt(median(rawTimes))}, p90 ${fmt(quantile(rawTimes, 0.9))}`,
);
console.log(`our added time per call (median diff): ${fmt(median(ours) - median(rawTimes))}`);
console.log(`schema check of edit_file args: ${validateUs.toFixed(2)} µs`);
console.log(`JSON-RPC encode+decode of a call: ${encodeUs.toFixed(2)} µs`);
