import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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

Deno.test("the loop runs from a project that maps no zod, with a schema that is not Zod", async () => {
  const project = await Deno.makeTempDir({ prefix: "looplet-nozod-" });
  try {
    const library = new URL("../../mod.ts", import.meta.url).href;
    await Deno.writeTextFile(`${project}/deno.json`, "{}");
    await Deno.writeTextFile(
      `${project}/main.ts`,
      `import { composableLoop, ScriptedBackend } from ${JSON.stringify(library)};
const input = {
  safeParse: (value: unknown) => typeof (value as { n?: unknown }).n === "number"
    ? { success: true as const, data: value }
    : { success: false as const, error: { issues: [{ message: "Expected a number", path: ["n"] }] } },
  toJSONSchema: () => ({ type: "object", properties: { n: { type: "number" } } }),
};
const tool = { name: "count", description: "d", input, execute: () => 1 };
const run = composableLoop({ llm: new ScriptedBackend([{ toolCalls: [{ name: "count", args: { n: "x" } }] }]), task: "t", tools: [tool as never], maxSteps: 1 });
for await (const step of run) console.log(JSON.stringify(step.result.error));
`,
    );
    const result = spawnSync(Deno.execPath(), ["run", "-A", "--no-lock", "main.ts"], {
      cwd: project,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /✖ Expected a number\\n {2}→ at n/);
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});
