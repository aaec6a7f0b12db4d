import assert from "node:assert/strict";
import {
  bundleToCartridge,
  cartridgeCategory,
  cartridgeComponents,
  cartridgeToBundle,
  describeCartridge,
  diffCartridges,
  readCartridge,
  startModelGateway,
} from "../../cartridge/mod.ts";
import { readBundleFolder } from "../../bundles/read_bundle_folder.ts";
import { cartridgeFolder, MANIFEST } from "./_helpers.ts";

Deno.test("diffCartridges() lists changes by category from the path alone", async () => {
  const a = await cartridgeFolder({
    "cartridge.json": MANIFEST,
    "prompts/system.md": "one\n",
    "tools/t/tool.yaml": "x",
    "__pycache__/c.pyc": "1",
  });
  const b = await cartridgeFolder({
    "cartridge.json": MANIFEST,
    "prompts/system.md": "one\ntwo\n",
    "runtime.yaml": "max_tokens: 10\n",
    "hooks/10_x/config.yaml": "kind: lep\n",
  });
  try {
    const changes = await diffCartridges(a, b);
    assert.deepEqual(changes.map((change) => [change.category, change.change, change.path]), [
      ["prompt", "modified", "prompts/system.md"],
      ["runtime", "added", "runtime.yaml"],
      ["tool", "removed", "tools/t/tool.yaml"],
      ["hook", "added", "hooks/10_x/config.yaml"],
    ]);
    assert.equal(cartridgeCategory("memory/long_term.md"), "memory");
    assert.deepEqual(await diffCartridges(a, a), []);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("describeCartridge() and cartridgeComponents() grade portability", async () => {
  const root = await cartridgeFolder({
    "cartridge.json": JSON.stringify({ name: "mixed", schema_version: 2, description: "Mixed" }),
    "config.yaml": "mcp_servers:\n  fs:\n    command: fs-server\nbuiltin_hooks: [stagnation]\n",
    "runtime.yaml": "cache_policy: aggressive\n",
    "tools/grep/tool.yaml": "name: grep\ndescription: Search.\n",
    "tools/grep/execute.py": "def execute(**_): return []\n",
  });
  try {
    const definition = await readCartridge(root);
    const { profile, components } = cartridgeComponents(definition);
    assert.equal(profile, "python-host");
    assert.deepEqual(components.filter((c) => c.tier === "inprocess").map((c) => c.name), ["grep"]);
    const text = describeCartridge(definition).join("\n");
    assert.match(text, /mixed \(cartridge spec v2\)/);
    assert.match(text, /mcp:fs/);
    assert.match(text, /runtime.yaml keys this host does not use: cache_policy/);
    assert.match(text, /portability: python-host \(tool grep\)/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("bundleToCartridge() converts the overlap and reports the gaps; the result loads", async () => {
  const bundle = await cartridgeFolder({
    "SKILL.md":
      "---\nname: counter\ndescription: Counts lines\nmax-steps: 7\n---\nCount carefully.\n",
    "prompts/system.md": "You count lines.\n",
    "tools/count/tool.json": JSON.stringify({
      name: "count",
      description: "Count lines.",
      input_schema: {
        type: "object",
        properties: { path: { type: "string" } },
        required: ["path"],
      },
      command: ["sh", "${TOOL_DIR}/count.sh"],
    }),
    "tools/count/count.sh": "wc -l\n",
    "hooks/hooks.json": JSON.stringify({
      hooks: [{ use: "deny-tools", config: { tools: ["rm"] } }, { use: "test-guard" }],
    }),
    "memory/notes.md": "Lines end with \\n.\n",
  });
  const out = `${await Deno.makeTempDir()}/counter.cartridge`;
  try {
    const { gaps, written } = await bundleToCartridge(bundle, out);
    assert.ok(written.includes("tools/count/count.sh"));
    assert.deepEqual(gaps, [
      'hooks/hooks.json hooks[1]: "test-guard" has no cartridge equivalent (port it to an LEP server)',
    ]);
    const definition = await readCartridge(out);
    assert.equal(definition.maxSteps, 7);
    assert.match(
      definition.systemPrompt ?? "",
      /You count lines\.\n\n# Skill: counter\n\nCount carefully\./,
    );
    assert.deepEqual(definition.tools[0]?.body, {
      kind: "command",
      argv: ["sh", `${definition.root}/tools/count/count.sh`],
    });
    assert.deepEqual(definition.permissions?.rules, [{ tool: "rm", decision: "deny", reason: "" }]);
    assert.deepEqual(definition.memory.map((entry) => entry.name), ["notes.md"]);
  } finally {
    await Deno.remove(bundle, { recursive: true });
  }
});

Deno.test("cartridgeToBundle() writes a valid bundle and lists what bundles cannot hold", async () => {
  const root = await cartridgeFolder({
    "cartridge.json": JSON.stringify({ name: "greeter", schema_version: 2, description: "Greets" }),
    "config.yaml":
      "max_steps: 5\nmodel: { provider: openai, name: m }\npermissions:\n  deny: [rm]\n  ask: [deploy]\n",
    "prompts/system.md": "Greet.\n",
    "tools/greet/tool.yaml":
      "name: greet\ndescription: Greet.\nparameters:\n  name: { type: string }\n",
    "tools/greet/execute.py": "def execute(*, name):\n    return {'greeting': 'Hi ' + name}\n",
    "hooks/10_gate/config.yaml": "kind: lep\ncommand: gate\n",
  });
  const out = `${await Deno.makeTempDir()}/greeter`;
  try {
    const { gaps } = await cartridgeToBundle(root, out);
    const { folder, problems } = await readBundleFolder(out);
    assert.deepEqual(problems, []);
    assert.equal(folder?.maxSteps, 5);
    assert.deepEqual(folder?.tools[0]?.manifest.command, [
      "python3",
      "${TOOL_DIR}/_looplet_runner.py",
      "execute",
      "${TOOL_DIR}/execute.py",
    ]);
    assert.deepEqual(folder?.hooks, [{ use: "deny-tools", config: { tools: ["rm"] } }]);
    assert.ok(gaps.some((gap) => gap.includes("hooks/10_gate: LEP hooks")));
    assert.ok(gaps.some((gap) => gap.includes("model block")));
    assert.ok(gaps.some((gap) => gap.includes("permissions: 1 rule(s)")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("startModelGateway() answers llm/* on its socket, with an error until a backend is bound", async () => {
  const gateway = await startModelGateway();
  const connection = await Deno.connect({ transport: "unix", path: gateway.socketPath });
  const reader = connection.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const ask = async (request: unknown) => {
    await connection.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    while (!buffer.includes("\n")) buffer += (await reader.read()).value ?? "";
    const [line, rest] = [
      buffer.slice(0, buffer.indexOf("\n")),
      buffer.slice(buffer.indexOf("\n") + 1),
    ];
    buffer = rest;
    return JSON.parse(line);
  };
  try {
    assert.deepEqual(await ask({ id: 1, method: "llm/initialize" }), {
      id: 1,
      result: { mgp_version: "0.1", ready: false },
    });
    assert.deepEqual(await ask({ id: 2, method: "llm/generate", params: { prompt: "hi" } }), {
      id: 2,
      error: { message: "no LLM backend is bound" },
    });
    gateway.bind({
      name: "upper",
      capabilities: { nativeTools: true },
      generate: (request) =>
        Promise.resolve({ text: (request.messages[0]?.content ?? "").toUpperCase() }),
    });
    assert.deepEqual(await ask({ id: 3, method: "llm/generate", params: { prompt: "hi" } }), {
      id: 3,
      result: { text: "HI" },
    });
  } finally {
    await reader.cancel(); // closes the connection too
    await gateway.close();
  }
});
