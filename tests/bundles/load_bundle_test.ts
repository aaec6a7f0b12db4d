import assert from "node:assert/strict";
import { BundleError } from "../../bundles/bundle_error.ts";
import { buildBundle, bundleScriptedResponses, loadBundle } from "../../bundles/load_bundle.ts";
import { CODER, DEP_AUDIT, skillMd, tempFolder } from "./_helpers.ts";

async function problemsOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (error) => error);
  assert.ok(error instanceof BundleError, `expected a BundleError, got ${error}`);
  return error.message;
}

Deno.test("loadBundle() + buildBundle() build the coder: workspace tools, think, test guard", async () => {
  const workspace = await tempFolder();
  const agent = await buildBundle(await loadBundle(CODER), { workspace });
  assert.deepEqual(agent.tools.map((tool) => tool.name), [
    "bash",
    "read_file",
    "write_file",
    "edit_file",
    "glob",
    "grep",
    "think",
  ]);
  assert.deepEqual(agent.hooks.map((hook) => hook.name), ["test-guard"]);
  assert.equal(agent.maxSteps, 30);
  assert.match(agent.systemPrompt, /^You are a careful software engineer/);
  assert.match(agent.systemPrompt, /# Skill: coder\n\n# How to work/);
});

Deno.test("buildBundle() honours runtime options (require_tests: false drops the guard)", async () => {
  const agent = await buildBundle(await loadBundle(CODER), {
    workspace: await tempFolder(),
    options: { require_tests: false },
  });
  assert.deepEqual(agent.hooks, []);
});

Deno.test("buildBundle() builds a declarative bundle: module and command tools, hooks, prompt, memory", async () => {
  const agent = await buildBundle(await loadBundle(DEP_AUDIT), {
    workspace: `${DEP_AUDIT}/demo_project`,
  });
  assert.deepEqual(agent.tools.map((tool) => tool.name), ["find_lockfiles", "list_dependencies"]);
  assert.equal(agent.toolOrigins.get("find_lockfiles"), "tools/find_lockfiles");
  assert.deepEqual(agent.hooks.map((hook) => hook.name), ["deny-tools"]);
  assert.match(agent.systemPrompt, /^You are a dependency auditor/);
  assert.match(agent.systemPrompt, /# Memory: policy\.md\n\nAudit policy:/);
  assert.equal(agent.maxSteps, 8);
  assert.equal((await bundleScriptedResponses(await loadBundle(DEP_AUDIT))).length, 3);
});

Deno.test("loadBundle() reports a folder without SKILL.md with the fix", async () => {
  const root = await tempFolder({ "looplet.ts": "export function build() { return {}; }" });
  assert.match(
    await problemsOf(loadBundle(root)),
    /: SKILL\.md: has no SKILL\.md; add one with 'name' and 'description'/,
  );
});

Deno.test("loadBundle() reports every problem at once: bad YAML is reported with its line", async () => {
  const root = await tempFolder({ "SKILL.md": "---\nname: x\ndescription: [unclosed\n---\nbody" });
  assert.match(await problemsOf(loadBundle(root)), /SKILL\.md:\d+: front matter is not valid YAML/);
});

Deno.test("loadBundle() reports a missing description and bad bundle fields together", async () => {
  const root = await tempFolder({ "SKILL.md": skillMd("name: x\nmax-steps: -3") });
  const message = await problemsOf(loadBundle(root));
  assert.match(message, /SKILL\.md:\d+: 'description' is missing; add 'description: /);
});

Deno.test("loadBundle() refuses an entrypoint outside the folder, naming the field and fix", async () => {
  const outside = await tempFolder({ "evil.ts": "export function build() { return {}; }" });
  const root = await tempFolder({
    "SKILL.md": skillMd(
      `name: x\ndescription: d\nentrypoint: ../${outside.split("/").at(-1)}/evil.ts`,
    ),
  });
  assert.match(
    await problemsOf(loadBundle(root)),
    /SKILL\.md: 'entrypoint' "\.\.\/.*evil\.ts" is outside the bundle folder; move the module into the bundle/,
  );
});

Deno.test("loadBundle() refuses a missing entrypoint and a module without build()", async () => {
  const missing = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d\nentrypoint: nope.ts"),
  });
  assert.match(
    await problemsOf(loadBundle(missing)),
    /'entrypoint' "nope\.ts" does not exist; create it/,
  );
  const noBuild = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "looplet.ts": "export const build = 3;",
  });
  assert.match(
    await problemsOf(loadBundle(noBuild)),
    /looplet\.ts: build: must export a function build\(runtime\)/,
  );
});

Deno.test("buildBundle() reports an entrypoint that throws, naming the file and field", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "looplet.ts": 'export function build() { throw new Error("no API key"); }',
  });
  assert.match(
    await problemsOf(buildBundle(await loadBundle(root))),
    /looplet\.ts: build: build\(runtime\) threw Error: no API key; fix the entrypoint/,
  );
});

Deno.test("buildBundle() reports an entrypoint that returns the wrong shape, field by field", async () => {
  const nothing = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "looplet.ts": "export function build() { return null; }",
  });
  assert.match(
    await problemsOf(buildBundle(await loadBundle(nothing))),
    /build\(runtime\) returned null; return an object/,
  );
  const wrong = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "looplet.ts":
      'export function build() { return { tools: [{ name: "a b" }], maxSteps: 0, prompt: "x" }; }',
  });
  const message = await problemsOf(buildBundle(await loadBundle(wrong)));
  assert.match(message, /build\(\)\.maxSteps/);
  assert.match(message, /Unrecognized key: "prompt"/);
  assert.match(message, /build\(\)\.tools\[0\]: tool 'name' must be 1-64 letters/);
});

const COMMAND_TOOL = (name: string, command: string[]) =>
  JSON.stringify({
    name,
    description: `The ${name} tool`,
    input_schema: { type: "object", properties: {} },
    command,
  });

Deno.test("buildBundle() refuses duplicate tool names, naming both places", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "looplet.ts": `export function build(runtime) {
      const { tool, z } = runtime.lib;
      return { tools: [tool({ name: "grep", description: "g", input: z.object({}), execute: () => 1 })] };
    }`,
    "tools/grep/tool.json": COMMAND_TOOL("grep", ["true"]),
  });
  assert.match(
    await problemsOf(buildBundle(await loadBundle(root))),
    /tools\/grep\/tool\.json: name: tool name "grep" is already used by entrypoint; tool names must be unique/,
  );
});

Deno.test("loadBundle() reports a tool manifest whose schema is invalid, with the field", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "tools/a/tool.json": JSON.stringify({
      name: "a",
      description: "A",
      input_schema: { type: "object", properties: { n: { type: "numbr" } } },
      command: ["true"],
    }),
    "tools/b/tool.json": JSON.stringify({
      name: "b",
      description: "B",
      input_schema: { type: "array" },
      command: ["true"],
    }),
    "tools/c/tool.json": JSON.stringify({ name: "c", input_schema: {}, command: ["y"] }),
    "tools/d/tool.json": JSON.stringify({
      name: "d",
      description: "D",
      input_schema: { type: "object" },
      module: "x.ts",
      command: ["y"],
    }),
  });
  const message = await problemsOf(loadBundle(root));
  assert.match(
    message,
    /tools\/a\/tool\.json: input_schema: is not a usable JSON Schema: Unsupported type: numbr/,
  );
  assert.match(message, /tools\/b\/tool\.json: input_schema: 'type' must be "object", got "array"/);
  assert.match(
    message,
    /tools\/c\/tool\.json: description: is missing; describe what the tool does/,
  );
  assert.match(message, /tools\/d\/tool\.json: give exactly one of 'command'/);
});

Deno.test("buildBundle() names a tool module that does not import, with the fix", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "tools/e/tool.json": JSON.stringify({
      name: "e",
      description: "E",
      input_schema: { type: "object" },
      module: "run.mjs",
    }),
    "tools/e/run.mjs": "export const execute = (;\n",
  });
  const message = await problemsOf(loadBundle(root).then((bundle) => buildBundle(bundle)));
  assert.match(
    message,
    /(^|\n)\S*tools\/e\/tool\.json: module: "run\.mjs" cannot be imported \([^)]*SyntaxError[^)]*\); fix the module so it loads/,
  );
});

Deno.test("loadBundle() validates hooks.json and mcp.json with file and field", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "hooks/hooks.json": JSON.stringify({ hooks: [{ use: 3 }] }),
    "mcp.json": JSON.stringify({ servers: [{ name: "fs" }, { name: "web", url: "not a url" }] }),
  });
  const message = await problemsOf(loadBundle(root));
  assert.match(message, /hooks\/hooks\.json: hooks\[0\]\.use: /);
  assert.match(
    message,
    /mcp\.json: servers\[0\]\.command: give exactly one of 'command' \(stdio\) or 'url'/,
  );
  assert.match(message, /mcp\.json: servers\[1\]\.url: /);
});

Deno.test("buildBundle() refuses an unknown hook name, listing the known ones", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "hooks/hooks.json": JSON.stringify({ hooks: [{ use: "nope" }] }),
  });
  assert.match(
    await problemsOf(buildBundle(await loadBundle(root))),
    /hooks\[0\]\.use: unknown hook "nope"; known hooks: test-guard, deny-tools/,
  );
});

Deno.test("buildBundle() attaches MCP servers through the injected connect, and closes them", async () => {
  const root = await tempFolder({
    "SKILL.md": skillMd("name: x\ndescription: d"),
    "mcp.json": JSON.stringify({
      servers: [{ name: "files", command: "mcp-files", args: ["--root", "."], timeout_ms: 5000 }],
    }),
  });
  const bundle = await loadBundle(root);
  await assert.rejects(
    buildBundle(bundle),
    /declares MCP servers but this build of looplet has no MCP support/,
  );
  const seen: unknown[] = [];
  let closed = 0;
  const { BUNDLE_LIBRARY } = await import("../../bundles/bundle_library.ts");
  const { tool, z } = BUNDLE_LIBRARY;
  const agent = await buildBundle(bundle, {
    connect: (config) => {
      seen.push(config);
      return Promise.resolve({
        name: config.name,
        tools: () =>
          Promise.resolve([
            tool({
              name: "files_read",
              description: "Read",
              input: z.object({}),
              execute: () => "",
            }),
          ]),
        close: () => {
          closed++;
          return Promise.resolve();
        },
      });
    },
  });
  assert.deepEqual(seen, [{
    name: "files",
    command: "mcp-files",
    args: ["--root", "."],
    timeoutMs: 5000,
  }]);
  assert.equal(agent.toolOrigins.get("files_read"), "mcp:files");
  await agent.close();
  assert.equal(closed, 1);
});

Deno.test("bundleScriptedResponses() explains how to add replies when a bundle has none", async () => {
  const root = await tempFolder({ "SKILL.md": skillMd("name: x\ndescription: d") });
  assert.match(
    await problemsOf(bundleScriptedResponses(await loadBundle(root))),
    /has no scripted replies; export scriptedResponses\(\) from the entrypoint, add scripted\.json, or pass --scripted-response/,
  );
});
