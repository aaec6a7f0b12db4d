/**
 * The npm package `looplet` as a user gets it: the tarball from `deno task npm`
 * installed into an empty folder, then a scripted agent, the CLI and the
 * matrix slice (checkpoints, a trace, an MCP stdio server, a bundle run) under
 * Node 22 and Bun.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ok, ROOT, type Runtime, runtimes, tarball } from "./_package.ts";

const ZOD = JSON.parse(Deno.readTextFileSync(join(ROOT, "deno.json"))).imports.zod.replace(
  /^npm:/,
  "",
);
const EVERYTHING = join(
  ROOT,
  ".ci/mcp-servers/node_modules/@modelcontextprotocol/server-everything/dist/index.js",
);

let folder: Promise<string> | undefined;

/** One install for the whole file: an empty folder, `npm install <tarball> zod`. */
function installedFolder(): Promise<string> {
  return folder ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "looplet-npm-"));
    globalThis.addEventListener("unload", () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "npm-user", private: true, type: "module" }),
    );
    await ok(
      ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", tarball(), ZOD],
      dir,
      undefined,
      55_000,
    );
    return dir;
  })();
}

/** Write `source` as an ES module in the install folder and run it on `runtime`. */
async function script(runtime: Runtime, name: string, source: string): Promise<string> {
  const dir = await installedFolder();
  const file = `${name}-${runtime.name.replace(/\W/g, "")}.mjs`;
  writeFileSync(join(dir, file), source);
  return await ok([runtime.bin, file], dir, runtime);
}

/** An SSP server (the protocol of tests/fixtures/cartridges/_servers/counter_ssp.py) in JavaScript. */
const COUNTER_SSP = `
import { createServer } from "node:net";
let count = 0;
const server = createServer((socket) => {
  let buffer = "";
  socket.on("data", (chunk) => {
    buffer += chunk;
    for (let newline; (newline = buffer.indexOf("\\n")) >= 0;) {
      const request = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      const params = request.params ?? {};
      let result = { ok: true };
      if (request.method === "state/initialize") result = { methods: ["bump", "value"] };
      if (request.method === "state/call") {
        if (params.name === "bump") count += Number((params.args ?? [1])[0]);
        result = { value: count };
      }
      socket.write(JSON.stringify({ id: request.id, result }) + "\\n");
    }
  });
});
server.listen(process.env.LOOPLET_STATE_SOCKET);
`;

const GREET = `
import { composableLoop, ScriptedBackend, tool } from "looplet";
import { z } from "zod";
const greet = tool({
  name: "greet",
  description: "Greet someone",
  input: z.object({ name: z.string() }),
  execute: ({ name }) => "Hello, " + name,
});
const llm = () => new ScriptedBackend([
  ScriptedBackend.call("greet", { name: "Ann" }),
  ScriptedBackend.call("done", { answer: "greeted Ann" }),
]);
`;

for (const runtime of runtimes()) {
  Deno.test(`npm package on ${runtime.name}: a scripted agent runs`, async () => {
    const out = await script(
      runtime,
      "agent",
      `${GREET}
const run = composableLoop({ llm: llm(), tools: [greet], task: "Greet Ann" });
const lines = [];
for await (const step of run) lines.push(step.summary());
const outcome = await run.outcome;
console.log(JSON.stringify({ lines, stop: outcome.stopReason, answer: outcome.finalAnswer,
  runtime: typeof Bun === "undefined" ? process.version : "bun " + Bun.version }));
`,
    );
    const result = JSON.parse(out);
    assert.equal(result.stop, "done");
    assert.equal(result.answer, "greeted Ann");
    assert.match(result.lines[0], /greet\(name=Ann\) → Hello, Ann/);
    assert.match(result.runtime, runtime.name === "bun" ? /^bun 1\./ : /^v22\./);
  });

  Deno.test(`npm package on ${runtime.name}: the looplet bin scaffolds and runs a bundle`, async () => {
    const dir = await installedFolder();
    const name = `bundle-${runtime.name.replace(/\W/g, "")}`;
    assert.match(await ok([...runtime.cli, "--version"], dir, runtime), /^looplet \d+\.\d+\.\d+/);
    await ok([...runtime.cli, "new", name], dir, runtime);
    const out = await ok(
      [...runtime.cli, "run", name, "Say hello", "--scripted", "--no-trace"],
      dir,
      runtime,
    );
    assert.match(out, /Model: scripted/);
    assert.match(out, /done/);
  });

  Deno.test(`npm package on ${runtime.name}: the CLI writes a trace that show reads`, async () => {
    const dir = await installedFolder();
    const name = `traced-${runtime.name.replace(/\W/g, "")}`;
    await ok([...runtime.cli, "new", name], dir, runtime);
    const trace = `${name}-trace`;
    await ok(
      [...runtime.cli, "run", name, "Say hello", "--scripted", "--trace-dir", trace],
      dir,
      runtime,
    );
    const shown = await ok([...runtime.cli, "show", trace], dir, runtime);
    assert.match(shown, /done/);
  });

  Deno.test(`npm package on ${runtime.name}: a run with checkpoints resumes from the store`, async () => {
    const out = await script(
      runtime,
      "checkpoint",
      `${GREET}
import { readdirSync } from "node:fs";
import { checkpointHook, FileCheckpointStore } from "looplet/hooks";
const dir = "checkpoints-" + Math.random().toString(36).slice(2);
// durable: fsync; fileEvery 1 and keep 2: a snapshot file per step, the oldest deleted.
const options = { durable: true, fileEvery: 1, keep: 2 };
const first = new FileCheckpointStore(dir, options);
const hooks = [checkpointHook(first)];
await composableLoop({ llm: llm(), tools: [greet], task: "Greet Ann", maxSteps: 1, hooks }).complete();
await first.close();
// A second store resumes after step 1, reopening the journal on disk.
const second = new FileCheckpointStore(dir, options);
const resume = await second.latest({ task: "Greet Ann" });
const after = resume.steps.length;
await composableLoop({ llm: llm(), tools: [greet], task: "Greet Ann", resume, hooks: [checkpointHook(second)] }).complete();
const state = await new FileCheckpointStore(dir).latest({ task: "Greet Ann" });
const files = readdirSync(dir).sort().map((name) => name.replace(/\\d{8}/, "N"));
await second.clear();
console.log(JSON.stringify({ after, tools: state.steps.map((s) => s.call.tool), files,
  cleared: readdirSync(dir), warnings: second.warnings }));
`,
    );
    assert.deepEqual(JSON.parse(out), {
      after: 1,
      tools: ["greet", "greet", "done"],
      files: ["checkpoint-N.json", "checkpoint-N.json", "journal.jsonl"],
      cleared: [],
      warnings: [],
    });
  });

  Deno.test(`npm package on ${runtime.name}: ProvenanceSink writes a trace loadTrace reads`, async () => {
    const out = await script(
      runtime,
      "trace",
      `${GREET}
import { loadTrace, ProvenanceSink } from "looplet/provenance";
const dir = "trace-" + Math.random().toString(36).slice(2);
const traced = async (options) => {
  const sink = new ProvenanceSink(dir, options);
  await composableLoop({ llm: sink.wrap(llm()), tools: [greet], task: "Greet Ann", hooks: [sink.hook()] }).complete();
  await sink.flush();
  return sink.runId;
};
await traced();
// A second run over the same directory clears the first one's files.
const runId = await traced({ overwrite: true });
const trace = await loadTrace(dir);
console.log(JSON.stringify({ stop: trace.stopReason, steps: trace.steps.length, calls: trace.calls.length,
  complete: trace.complete, same: trace.runId === runId }));
`,
    );
    assert.deepEqual(JSON.parse(out), {
      stop: "done",
      steps: 2,
      calls: 2,
      complete: true,
      same: true,
    });
  });

  Deno.test(`npm package on ${runtime.name}: an MCP stdio server's tool runs in the loop`, async () => {
    const out = await script(
      runtime,
      "mcp",
      `
import { composableLoop, ScriptedBackend } from "looplet";
import { closeMcpServers, connectMcpServer } from "looplet/mcp";
const server = await connectMcpServer({
  name: "everything", command: ${JSON.stringify(runtime.bin)}, args: [${
        JSON.stringify(EVERYTHING)
      }, "stdio"], timeoutMs: 20000,
});
const run = composableLoop({
  llm: new ScriptedBackend([
    ScriptedBackend.call("echo", { message: "hi from " + ${JSON.stringify(runtime.name)} }),
    ScriptedBackend.call("done", { answer: "echoed" }),
  ]),
  tools: await server.tools(),
  task: "Echo",
  hooks: [closeMcpServers([server])],
});
const results = [];
for await (const step of run) results.push(step.result.data);
console.log(JSON.stringify({ stop: (await run.outcome).stopReason, first: JSON.stringify(results[0]) }));
`,
    );
    const result = JSON.parse(out);
    assert.equal(result.stop, "done");
    assert.match(result.first, new RegExp(`hi from ${runtime.name}`));
  });

  Deno.test(`npm package on ${runtime.name}: a cartridge's state service and model gateway answer`, async () => {
    const dir = await installedFolder();
    const ssp = `ssp-${runtime.name.replace(/\W/g, "")}.mjs`;
    writeFileSync(join(dir, ssp), COUNTER_SSP);
    const out = await script(
      runtime,
      "cartridge",
      `
import { connect } from "node:net";
import { startModelGateway, startStateServices } from "looplet/cartridge";
const services = await startStateServices(
  [{ name: "counter", argv: [${JSON.stringify(runtime.bin)}, ${
        JSON.stringify(ssp)
      }], timeoutMs: 20000 }],
  { cwd: process.cwd(), env: {} },
);
const gateway = await startModelGateway();
gateway.bind({
  name: "upper",
  capabilities: { nativeTools: true },
  generate: async (request) => ({ text: request.messages[0].content.toUpperCase() }),
});
const socket = connect({ path: gateway.socketPath });
let buffer = "";
const answer = new Promise((resolve, reject) => {
  socket.on("error", reject);
  socket.on("data", (chunk) => {
    buffer += chunk;
    if (buffer.includes("\\n")) resolve(JSON.parse(buffer.slice(0, buffer.indexOf("\\n"))));
  });
});
socket.write(JSON.stringify({ id: 7, method: "llm/generate", params: { prompt: "hi" } }) + "\\n");
const generated = await answer;
socket.destroy();
const bumped = await services.call("counter", "bump", [2]);
const methods = services.methods.get("counter");
const exported = Object.keys(services.env);
await services.close();
await gateway.close();
console.log(JSON.stringify({ generated, bumped, methods, exported }));
`,
    );
    assert.deepEqual(JSON.parse(out), {
      generated: { id: 7, result: { text: "HI" } },
      bumped: 2,
      methods: ["bump", "value"],
      exported: ["LOOPLET_STATE_COUNTER"],
    });
  });
}
