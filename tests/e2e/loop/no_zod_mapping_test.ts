import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

Deno.test("the loop runs from a project that maps no zod, with a schema that is not Zod", async () => {
  const project = await Deno.makeTempDir({ prefix: "looplet-nozod-" });
  try {
    const library = new URL("../../../mod.ts", import.meta.url).href;
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
