import assert from "node:assert/strict";
import { z } from "zod";
import { composableLoop } from "../../loop/composable_loop.ts";
import { tool as defineTool } from "../../tools/tool.ts";
import { ScriptedBackend } from "../../backends/scripted.ts";

Deno.test("composableLoop() refuses an unknown option with a did-you-mean", () => {
  const llm = new ScriptedBackend(["x"]);
  assert.throws(
    () => composableLoop({ llm, task: "t", maxstep: 3 } as never),
    (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.equal(
        error.message,
        "Cannot start loop: 'maxstep' is not an option; did you mean 'maxSteps'?",
      );
      return true;
    },
  );
  assert.throws(
    () => composableLoop({ llm, task: "t", zzz: 1 } as never),
    /'zzz' is not an option$/,
  );
});

Deno.test("invalid tool arguments are formatted as Zod's prettifyError does, without importing zod", async () => {
  const input = z.object({ items: z.array(z.object({ name: z.string() })), "odd key": z.number() });
  const tool = defineTool({ name: "take", description: "d", input, execute: () => "ok" });
  const bad = { items: [{ name: 1 }], "odd key": "x" };
  const run = composableLoop({
    llm: new ScriptedBackend([{ toolCalls: [{ name: "take", args: bad }] }]),
    task: "t",
    tools: [tool],
    maxSteps: 1,
  });
  const [step] = await Array.fromAsync(run);
  const expected = z.prettifyError(input.safeParse(bad).error!);
  assert.ok(step!.result.error?.startsWith(`Invalid arguments for tool "take":\n${expected}\n`));
});
