import assert from "node:assert/strict";
import {
  buildCartridge,
  CartridgeError,
  CartridgeExtendsError,
  CartridgePermissionError,
  CartridgeSlotError,
  cartridgeSummary,
  CartridgeTierError,
  readCartridge,
} from "../../cartridge/mod.ts";
import { cartridgeFolder, MANIFEST } from "./_helpers.ts";

async function withCartridge(files: Record<string, string>, fn: (root: string) => Promise<void>) {
  const root = await cartridgeFolder(files);
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("readCartridge() merges runtime.yaml, lets the model block win, resolves runtime references", async () => {
  await withCartridge({
    "cartridge.json": MANIFEST,
    "config.yaml":
      "max_steps: ${runtime.budget:-9}\nmodel:\n  provider: openai\n  name: m\n  temperature: 0.1\n",
    "runtime.yaml": "max_tokens: 300\ntemperature: 0.7\n",
  }, async (root) => {
    const definition = await readCartridge(root, { runtime: { budget: 4 } });
    assert.equal(definition.maxSteps, 4);
    assert.equal(definition.temperature, 0.1);
    assert.equal(definition.maxTokens, 300);
    assert.equal((await readCartridge(root)).maxSteps, 9);
  });
});

Deno.test("readCartridge() refuses a RUNTIME key in config.yaml with one line naming file, field and fix", async () => {
  await withCartridge(
    { "cartridge.json": MANIFEST, "config.yaml": "context_window: 1000\n" },
    async (root) => {
      await assert.rejects(() => readCartridge(root), (error: Error) => {
        assert.ok(error instanceof CartridgeTierError);
        assert.equal(
          error.message,
          `${root}/config.yaml: context_window: is a RUNTIME-tier key, which spec v2 forbids in config.yaml; move it to runtime.yaml`,
        );
        return true;
      });
    },
  );
});

Deno.test("readCartridge() layers extends: child config and tools win, parent tools are inherited", async () => {
  const root = await cartridgeFolder({
    "base/cartridge.json": JSON.stringify({ name: "base", schema_version: 2 }),
    "base/config.yaml": "max_steps: 30\nmodel: { provider: openai, name: base-model }\n",
    "base/tools/a/tool.yaml": "name: a\ndescription: A.\ncommand: [echo, base]\n",
    "base/tools/b/tool.yaml": "name: b\ndescription: B from base.\ncommand: [echo, base]\n",
    "child/cartridge.json": JSON.stringify({ name: "child", schema_version: 2 }),
    "child/config.yaml": "extends: ../base\nmodel: { name: child-model }\n",
    "child/tools/b/tool.yaml": "name: b\ndescription: B from child.\ncommand: [echo, child]\n",
  });
  try {
    const definition = await readCartridge(`${root}/child`);
    assert.equal(definition.maxSteps, 30);
    assert.deepEqual(definition.model, { provider: "openai", name: "child-model" });
    assert.deepEqual(definition.tools.map((tool) => [tool.name, tool.description]), [
      ["a", "A."],
      ["b", "B from child."],
    ]);
    assert.equal(definition.chain.length, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readCartridge() refuses a list in extends:", async () => {
  await withCartridge(
    { "cartridge.json": MANIFEST, "config.yaml": "extends: [../a, ../b]\n" },
    async (root) => {
      await assert.rejects(() => readCartridge(root), CartridgeExtendsError);
    },
  );
});

Deno.test("readCartridge() normalises parameters and orders permission rules deny, ask, allow", async () => {
  await withCartridge({
    "cartridge.json": MANIFEST,
    "config.yaml":
      "permissions:\n  default: deny\n  allow: [look]\n  deny:\n    - tool: look\n      matches: { path: /etc }\n",
    "tools/look/tool.yaml":
      'name: look\ndescription: Look.\ncommand: [cat]\nparameters:\n  path: { type: string }\n  depth: { type: integer, default: 1 }\n  note: "(optional) why"\n',
  }, async (root) => {
    const definition = await readCartridge(root);
    assert.deepEqual(definition.tools[0]?.parameters, {
      type: "object",
      properties: {
        path: { type: "string" },
        depth: { type: "integer", default: 1 },
        note: { type: "string", description: "(optional) why" },
      },
      required: ["path"],
    });
    assert.deepEqual(definition.permissions!.rules.map((rule) => rule.decision), ["deny", "allow"]);
    const agent = await buildCartridge(definition, { modelGateway: false });
    try {
      const permissions = agent.hooks[0] as unknown as {
        evaluate(
          call: { id: string; name: string; args: Record<string, unknown> },
        ): { decision: string };
      };
      assert.equal(
        permissions.evaluate({ id: "1", name: "look", args: { path: "/etc" } }).decision,
        "deny",
      );
      assert.equal(
        permissions.evaluate({ id: "2", name: "look", args: { path: "/tmp" } }).decision,
        "allow",
      );
      assert.equal(permissions.evaluate({ id: "3", name: "other", args: {} }).decision, "deny");
    } finally {
      await agent.close();
    }
  });
});

Deno.test("buildCartridge() refuses ask: rules without an ask handler", async () => {
  await withCartridge({
    "cartridge.json": MANIFEST,
    "config.yaml": "permissions:\n  ask: [deploy]\n",
  }, async (root) => {
    const definition = await readCartridge(root);
    await assert.rejects(() => buildCartridge(definition), CartridgePermissionError);
    const agent = await buildCartridge(definition, { ask: () => true });
    await agent.close();
  });
});

Deno.test("buildCartridge() puts memory in the prompt once, long_term.md first, within max_tokens", async () => {
  await withCartridge({
    "cartridge.json": MANIFEST,
    "prompts/system.md": "Base prompt.\n",
    "memory/long_term.md": "L".repeat(30),
    "memory/a_notes.md": "N".repeat(30),
    "config.yaml": "memory:\n  include: [memory/a_notes.md]\n  max_tokens: 10\n",
  }, async (root) => {
    const agent = await buildCartridge(await readCartridge(root));
    try {
      assert.deepEqual(agent.memory.map((entry) => entry.name), ["long_term.md", "a_notes.md"]);
      assert.equal(
        agent.memory.map((entry) => entry.text).join(""),
        "L".repeat(30) + "N".repeat(10),
      );
      assert.equal(agent.systemPrompt.split("# Memory: long_term.md").length, 2);
      assert.equal(cartridgeSummary(agent).memory_source_count, 2);
    } finally {
      await agent.close();
    }
  });
});

Deno.test("buildCartridge() adds a summary done tool and checks the done tool's output schema", async () => {
  await withCartridge({
    "cartridge.json": MANIFEST,
    "tools/done/tool.yaml":
      "name: done\ndescription: Finish.\nparameters:\n  pass: { type: boolean }\noutput_schema:\n  type: object\n  required: [pass]\n  properties: { pass: { const: true } }\n",
  }, async (root) => {
    const agent = await buildCartridge(await readCartridge(root));
    try {
      const check = agent.hooks.find((hook) => hook.name === "output-schema")!;
      const call = (args: Record<string, unknown>) =>
        check.checkDone!({ call: { id: "1", name: "done", args }, step: 1, turn: 1 } as never);
      assert.match(String((call({ pass: false }) as { deny: string }).deny), /output schema/);
      assert.equal(call({ pass: true }), undefined);
    } finally {
      await agent.close();
    }
  });
  await withCartridge({ "cartridge.json": MANIFEST }, async (root) => {
    const agent = await buildCartridge(await readCartridge(root));
    try {
      const done = agent.tools.find((tool) => tool.name === "done")!;
      assert.deepEqual(done.input.toJSONSchema(), {
        type: "object",
        properties: {
          summary: { type: "string", description: "Brief summary of what was accomplished" },
        },
        required: ["summary"],
      });
    } finally {
      await agent.close();
    }
  });
});

Deno.test("readCartridge() reports malformed slots as CartridgeSlotError, all one line", async () => {
  const cases: Record<string, string>[] = [
    { "config.yaml": "max_steps: 0\n" },
    { "config.yaml": "max_steps: [1\n" },
    { "config.yaml": 'mcp_servers:\n  fs:\n    command: "unterminated \'quote"\n' },
    { "config.yaml": "model:\n  reasoning_effort: extreme\n" },
    { "tools/t/tool.yaml": "name: t\ndescription: T.\n" },
    { "hooks/10_x/config.yaml": "kind: lep\ncommand: [srv]\non_failure: shrug\n" },
  ];
  for (const files of cases) {
    await withCartridge({ "cartridge.json": MANIFEST, ...files }, async (root) => {
      await assert.rejects(() => readCartridge(root), (error: Error) => {
        assert.ok(error instanceof CartridgeSlotError, `${JSON.stringify(files)}: ${error.name}`);
        assert.ok(error instanceof CartridgeError);
        assert.doesNotMatch(error.message, /\n/);
        assert.ok(error.message.startsWith(root), error.message);
        return true;
      });
    });
  }
});
