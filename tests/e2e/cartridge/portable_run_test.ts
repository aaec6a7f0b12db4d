import assert from "node:assert/strict";
import { main } from "../../../cli/mod.ts";
import { composableLoop } from "../../../loop/composable_loop.ts";
import { ScriptedBackend } from "../../../backends/scripted.ts";
import type { Backend } from "../../../loop/types.ts";
import { buildCartridge, readCartridge } from "../../../cartridge/mod.ts";
import { alive, PORTABLE, serverPids, workspaceWithPids } from "./_helpers.ts";

const HELLO = `${PORTABLE}hello_portable.cartridge`;

Deno.test("looplet run drives a portable cartridge (MCP tools, LEP gate, SSP state) to done", async () => {
  const workspace = await workspaceWithPids();
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ["run", HELLO, "Greet Ada", "--scripted", "--no-trace", "--workspace", workspace],
      { stdout: (line) => out.push(line), stderr: (line) => err.push(line), env: {} },
    );
    const text = out.join("\n");
    assert.equal(code, 0, `${text}\n${err.join("\n")}`);
    // The LEP hook's decisions are visible in the steps: done refused, Mallory denied.
    assert.match(
      text,
      /#1 ✗ done\(summary=nobody to greet\) → ERROR: Done rejected: greet someone before calling done/,
    );
    assert.match(text, /#2 ✗ greet\(name=Mallory\) → ERROR: Mallory may not be greeted/);
    assert.match(text, /#3 ✓ greet\(name=Ada\) → greeting: Hello, Ada!/);
    assert.match(text, /✓ done in 4 steps: \{"summary":"greeted Ada"\}/);
    const pids = await serverPids(workspace);
    assert.deepEqual([...pids.keys()].map((key) => key.split("-")[0]).sort(), [
      "lep",
      "mcp",
      "ssp",
    ]);
    for (const [name, pid] of pids) assert.equal(alive(pid), false, `${name} is still running`);
  } finally {
    await Deno.remove(workspace, { recursive: true });
  }
});

Deno.test("buildCartridge() serves the host model to an MCP tool over MGP", async () => {
  const workspace = await workspaceWithPids();
  const agent = await buildCartridge(await readCartridge(HELLO), { workspace });
  try {
    const shouter: Backend = {
      name: "shouter",
      capabilities: { nativeTools: true },
      generate: (request) =>
        Promise.resolve({
          text: String(request.messages[0]?.content).replace("Shout: ", "").toUpperCase(),
        }),
    };
    const llm = new ScriptedBackend([
      ScriptedBackend.call("shout", { word: "ada" }),
      ScriptedBackend.call("greet", { name: "Ada" }),
      ScriptedBackend.call("done", { summary: "shouted" }),
    ]);
    const options = agent.loopOptions(llm, "Shout");
    agent.bindBackend(shouter);
    const run = composableLoop({ ...options, signal: AbortSignal.timeout(30_000) });
    const steps = await Array.fromAsync(run);
    assert.deepEqual(steps[0]?.result.data, { shout: "ADA" });
    assert.equal((await run.outcome).stopReason, "done");
  } finally {
    await agent.close();
    await Deno.remove(workspace, { recursive: true });
  }
});
