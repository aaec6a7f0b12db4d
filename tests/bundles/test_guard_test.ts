import assert from "node:assert/strict";
import { testGuard } from "../../bundles/test_guard.ts";
import { HOOK_FACTORIES } from "../../bundles/hook_registry.ts";
import type { CallContext } from "../../loop/types.ts";
import { tempFolder } from "./_helpers.ts";

function doneCall(): CallContext {
  return {
    call: { id: "1", name: "done", args: { answer: "x" } },
    step: 1,
    turn: 1,
    state: undefined as never,
    signal: new AbortController().signal,
  };
}

Deno.test("testGuard() denies done while the test command fails, with its output, and allows it once it passes", async () => {
  const workspace = await tempFolder({ "status": "1" });
  const guard = testGuard({ workspace, command: 'echo "2 failed" >&2; exit $(cat status)' });
  assert.deepEqual(guard.config, {
    command: 'echo "2 failed" >&2; exit $(cat status)',
    timeout_ms: 300000,
  });
  const denied = await guard.checkDone!(doneCall());
  assert.match(
    (denied as { deny: string }).deny,
    /^Tests have not passed yet: `.*` exited with 1\.\n2 failed\nFix the failures, run the tests, then call done again\.$/,
  );
  await Deno.writeTextFile(`${workspace}/status`, "0");
  assert.equal(await guard.checkDone!(doneCall()), undefined);
});

Deno.test("testGuard() reports a test run that times out", async () => {
  const guard = testGuard({ workspace: await tempFolder(), command: "sleep 5", timeoutMs: 100 });
  const denied = await guard.checkDone!(doneCall());
  assert.match((denied as { deny: string }).deny, /`sleep 5` timed out after 100 ms/);
});

Deno.test("HOOK_FACTORIES validate their JSON config", () => {
  const context = { workspace: "." };
  assert.throws(() => HOOK_FACTORIES.get("test-guard")!({ command: 3 }, context), /command/);
  assert.throws(() => HOOK_FACTORIES.get("deny-tools")!({}, context), /tools/);
  const deny = HOOK_FACTORIES.get("deny-tools")!({ tools: ["bash"] }, context);
  assert.deepEqual(
    deny.preDispatch!({ ...doneCall(), call: { id: "1", name: "bash", args: {} } }),
    {
      deny: 'Tool "bash" is not allowed in this bundle',
    },
  );
  assert.equal(deny.preDispatch!(doneCall()), undefined);
});

Deno.test("testGuard() strips terminal colour codes from the output the model reads", async () => {
  const workspace = await tempFolder();
  const guard = testGuard({
    workspace,
    command: String.raw`printf '\033[31mFAILED\033[0m test_x \033[1;32m(1)\033[0m\n'; exit 1`,
  });
  const denied = (await guard.checkDone!(doneCall())) as { deny: string };
  assert.match(denied.deny, /\nFAILED test_x \(1\)\n/);
  assert.ok(!denied.deny.includes("\x1b"));
});
