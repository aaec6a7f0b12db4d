import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI, fakeOpenAI, REPO, runDeno } from "./_process.ts";

async function entries(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
}

Deno.test({
  name:
    "a packaged factory exports to a program that runs a real model on 127.0.0.1, writes a trace and leaves no temp folder",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "looplet-export-" });
    const temp = join(dir, "tmp");
    const workspace = join(dir, "ws");
    await Deno.mkdir(temp);
    await Deno.mkdir(workspace);
    await Deno.mkdir(join(dir, "lib"));
    await Deno.writeTextFile(join(dir, "lib", "words.ts"), 'export const HELLO = "hello";\n');
    await Deno.writeTextFile(
      join(dir, "agents.ts"),
      `import { HELLO } from "./lib/words.ts";
export function greeter(runtime) {
  const { tool, z } = runtime.lib;
  return { tools: [tool({ name: "hi", description: "Say hi", input: z.object({}), execute: () => HELLO })] };
}
`,
    );
    const model = fakeOpenAI([
      { name: "hi", args: {} },
      { name: "done", args: { answer: "said hello" } },
    ]);
    try {
      const bundle = join(dir, "bundles", "nested", "greeter");
      const packaged = await runDeno([
        "run",
        "-A",
        CLI,
        "package",
        `${join(dir, "agents.ts")}#greeter`,
        bundle,
      ]);
      assert.equal(packaged.code, 0, packaged.stderr);
      const program = join(dir, "greeter_agent.ts");
      const exported = await runDeno([
        "run",
        "-A",
        CLI,
        "export-code",
        bundle,
        program,
        "--library",
        REPO,
      ]);
      assert.equal(exported.code, 0, exported.stderr);
      await Deno.remove(join(dir, "agents.ts"));
      await Deno.remove(join(dir, "lib"), { recursive: true });
      await Deno.remove(join(dir, "bundles"), { recursive: true });
      const header = await Deno.readTextFile(program);
      const config = join(REPO, "deno.json");
      assert.ok(header.includes(`deno run -A --config ${config} greeter_agent.ts "<task>"`));
      const run = await runDeno([
        "run",
        "-A",
        "--config",
        config,
        program,
        "say hi",
        "--workspace",
        workspace,
      ], {
        cwd: dir,
        env: { OPENAI_BASE_URL: model.url, OPENAI_MODEL: "fake", TMPDIR: temp },
      });
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(
        run.stdout,
        /Model: openai-compatible.* model fake at http:\/\/127\.0\.0\.1:\d+\/v1/,
      );
      assert.match(run.stdout, /#1 ✓ hi\(\) → hello/);
      assert.match(run.stdout, /✓ done in 2 steps: said hello/);
      const trace = /Trace: (.*)/.exec(run.stdout)![1];
      assert.ok(trace!.startsWith(join(workspace, ".looplet", "traces")));
      const trajectory = JSON.parse(await Deno.readTextFile(join(trace!, "trajectory.json")));
      assert.equal(trajectory.termination_reason ?? trajectory.stop_reason, "done");
      assert.deepEqual(await entries(temp), [], "no looplet-bundle-* folder is left behind");
      const kept = await runDeno([
        "run",
        "-A",
        "--config",
        config,
        program,
        "--blueprint",
        "--keep",
      ], {
        cwd: dir,
        env: { TMPDIR: temp },
      });
      assert.equal(kept.code, 0, kept.stderr);
      assert.match(kept.stderr, /kept bundle folder: .*looplet-bundle-/);
      assert.equal((await entries(temp)).length, 1);
    } finally {
      await model.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("export-code refuses a bundle whose code imports a bare specifier, naming the import", async () => {
  const dir = await Deno.makeTempDir({ prefix: "looplet-export-" });
  try {
    await Deno.writeTextFile(
      join(dir, "agents.ts"),
      `import { z } from "zod";\nexport function agent() { z.string(); return {}; }\n`,
    );
    const bundle = join(dir, "agent");
    const packaged = await runDeno([
      "run",
      "-A",
      CLI,
      "package",
      `${join(dir, "agents.ts")}#agent`,
      bundle,
    ]);
    assert.equal(packaged.code, 0, packaged.stderr);
    const refused = await runDeno(["run", "-A", CLI, "export-code", bundle, join(dir, "out.ts")]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /agents\.ts: import: imports "zod", which the exported program cannot resolve without an import map/,
    );
    assert.equal(await Deno.stat(join(dir, "out.ts")).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
