import assert from "node:assert/strict";
import { composableLoop } from "../../../loop/composable_loop.ts";
import { ScriptedBackend } from "../../../backends/scripted.ts";
import { buildCartridge, CartridgeProtocolError, readCartridge } from "../../../cartridge/mod.ts";
import { alive, PORTABLE, serverPids, workspaceWithPids } from "./_helpers.ts";

async function runCartridge(name: string, script: ReturnType<typeof ScriptedBackend.call>[]) {
  const workspace = await workspaceWithPids();
  const agent = await buildCartridge(await readCartridge(`${PORTABLE}${name}.cartridge`), {
    workspace,
  });
  try {
    const run = composableLoop({
      ...agent.loopOptions(new ScriptedBackend(script), "Write a note"),
      signal: AbortSignal.timeout(30_000),
    });
    const steps = await Array.fromAsync(run);
    const lepPids = agent.hooks.map((hook) => (hook as { pid?: number }).pid)
      .filter((pid): pid is number => pid !== undefined);
    return { steps, outcome: await run.outcome, workspace, lepPids };
  } finally {
    await agent.close();
  }
}

/**
 * Every server that started is stopped. `started` is how many must have written their pid
 * file: a server killed by a timeout may not have got that far on a loaded machine.
 */
async function assertStopped(workspace: string, started: number, extraPids: number[] = []) {
  const pids = await serverPids(workspace);
  assert.ok(pids.size >= started, `${pids.size} servers wrote a pid file, expected ${started}`);
  for (const [name, pid] of pids) assert.equal(alive(pid), false, `${name} is still running`);
  for (const pid of extraPids) assert.equal(alive(pid), false, `server ${pid} is still running`);
  await Deno.remove(workspace, { recursive: true });
}

const NOTE_THEN_DONE = [
  ScriptedBackend.call("note", { text: "hi" }),
  ScriptedBackend.call("done", { summary: "noted" }),
  ScriptedBackend.call("done", { summary: "noted" }),
];

Deno.test("an LEP server that never answers loop/initialize fails closed with a clear step error", async () => {
  const { steps, outcome, workspace, lepPids } = await runCartridge("lep_silent", NOTE_THEN_DONE);
  assert.equal(steps.length, 3);
  for (const step of steps) {
    assert.match(
      step.result.error ?? "",
      /LEP hook "10_guard" is unavailable \(the server did not answer "loop\/initialize" within 1000 ms\); failing closed/,
    );
  }
  assert.equal(outcome.stopReason, "max_steps");
  assert.equal(lepPids.length, 1);
  await assertStopped(workspace, 0, lepPids);
});

Deno.test("an LEP server that writes garbage fails closed and says what it wrote", async () => {
  const { steps, workspace } = await runCartridge("lep_garbage", NOTE_THEN_DONE);
  assert.match(
    steps[0]?.result.error ?? "",
    /wrote a line that is not JSON: "<<< definitely not json >>>"/,
  );
  assert.equal(steps[0]?.result.errorKind, "permission_denied");
  await assertStopped(workspace, 1);
});

Deno.test("an LEP server that dies mid-run fails its slot closed; undeclared slots go on", async () => {
  const { steps, outcome, workspace } = await runCartridge("lep_dies", NOTE_THEN_DONE);
  assert.match(
    steps[0]?.result.error ?? "",
    /exited with code 3: policy server crashed on purpose/,
  );
  assert.equal(steps[1]?.call.tool, "done");
  assert.equal(steps[1]?.result.error, undefined);
  assert.equal(outcome.stopReason, "done");
  await assertStopped(workspace, 1);
});

Deno.test("an MCP server that dies during a call gives a failed step, not a hang", async () => {
  const { steps, outcome, workspace } = await runCartridge("mcp_dies", [
    ScriptedBackend.call("fragile", {}),
    ScriptedBackend.call("done", { summary: "survived" }),
  ]);
  assert.ok(steps[0]?.failed, "the call failed");
  assert.equal(outcome.stopReason, "done");
  await assertStopped(workspace, 1);
});

Deno.test("a state service that never binds its socket fails the build and is stopped", async () => {
  const workspace = await workspaceWithPids();
  const definition = await readCartridge(`${PORTABLE}ssp_never_binds.cartridge`);
  await assert.rejects(
    () => buildCartridge(definition, { workspace }),
    (error: Error) => {
      assert.ok(error instanceof CartridgeProtocolError);
      assert.match(error.message, /state_services: state service "log" never bound its socket/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );
  await assertStopped(workspace, 0);
});
