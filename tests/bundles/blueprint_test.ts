import assert from "node:assert/strict";
import {
  BLUEPRINT_SCHEMA_VERSION,
  blueprintFingerprint,
  canonicalJson,
  compareBlueprints,
} from "../../bundles/blueprint.ts";
import { bundleBlueprint } from "../../bundles/bundle_blueprint.ts";
import { buildBundle, loadBundle } from "../../bundles/load_bundle.ts";
import { writeBundle } from "../../bundles/write_bundle.ts";
import { BundleError } from "../../bundles/bundle_error.ts";
import { CODER, DEP_AUDIT, listTree, tempFolder } from "./_helpers.ts";

Deno.test("bundleBlueprint() describes tools with JSON schemas, hooks with config, prompts and budget", async () => {
  const blueprint = await bundleBlueprint(DEP_AUDIT);
  assert.equal(blueprint.schema_version, BLUEPRINT_SCHEMA_VERSION);
  assert.equal(blueprint.name, "dep-audit");
  assert.deepEqual(blueprint.tags, ["dependencies", "security", "audit"]);
  assert.deepEqual(blueprint.config, { max_steps: 8, done_tool: "done" });
  assert.deepEqual(blueprint.tools.map((tool) => [tool.name, tool.origin, tool.concurrency_safe]), [
    ["find_lockfiles", "tools/find_lockfiles", true],
    ["list_dependencies", "tools/list_dependencies", true],
  ]);
  assert.deepEqual(blueprint.tools[1]!.parameters, {
    additionalProperties: false,
    properties: {},
    type: "object",
  });
  assert.deepEqual(blueprint.hooks, [{
    name: "deny-tools",
    config: { reason: "This audit is read-only", tools: ["bash", "write_file"] },
  }]);
  assert.equal(blueprint.memory[0]!.name, "policy.md");
  assert.equal(blueprint.source.kind, "bundle");
  assert.equal(blueprint.fingerprint, blueprintFingerprint(blueprint));
  assert.match(blueprint.fingerprint, /^[0-9a-f]{64}$/);
});

Deno.test("bundleBlueprint() is stable across builds and independent of the workspace path", async () => {
  const a = await bundleBlueprint(CODER, { workspace: await tempFolder() });
  const b = await bundleBlueprint(CODER, { workspace: await tempFolder() });
  assert.equal(a.fingerprint, b.fingerprint);
  const c = await bundleBlueprint(CODER, { workspace: await tempFolder(), maxSteps: 5 });
  assert.notEqual(a.fingerprint, c.fingerprint);
});

Deno.test("compareBlueprints() lists each difference by path", async () => {
  const base = await bundleBlueprint(DEP_AUDIT);
  assert.deepEqual(compareBlueprints(base, base), { ok: true, differences: [] });
  const changed = {
    ...base,
    config: { ...base.config, max_steps: 9 },
    tools: [{ ...base.tools[0]!, description: "changed" }],
  };
  const { ok, differences } = compareBlueprints(base, changed);
  assert.equal(ok, false);
  assert.deepEqual(differences, [
    "config.max_steps differs: 8 vs 9",
    'tools["find_lockfiles"].description differs: "Report which lockfiles (deno.lock, package-lock.json, ya... vs "changed"',
    'tools["list_dependencies"] only in left',
  ]);
  const renamed = { ...base, name: "other", source: { ...base.source, path: "x" } };
  assert.deepEqual(compareBlueprints(base, renamed).differences, [
    'name differs: "dep-audit" vs "other"',
  ]);
  assert.ok(compareBlueprints(base, renamed, { ignoreMetadata: true }).ok);
  assert.deepEqual(
    compareBlueprints(base, renamed, { includeSource: true, ignoreMetadata: true }).differences,
    [
      'source.path differs: "' + base.source.path + '" vs "x"',
    ],
  );
});

Deno.test("canonicalJson() sorts keys and drops functions and undefined", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: undefined, c: () => 1, e: [2, NaN] } }),
    '{"a":{"e":[2,null]},"b":1}',
  );
});

Deno.test("writeBundle() round trip: a built agent written as a folder loads back to an equal blueprint", async () => {
  const workspace = `${DEP_AUDIT}/demo_project`;
  const agent = await buildBundle(await loadBundle(DEP_AUDIT), { workspace });
  const original = await bundleBlueprint(DEP_AUDIT, { workspace });
  const out = `${await tempFolder()}/copy`;
  await writeBundle(agent, out, { tags: ["dependencies", "security", "audit"] });
  assert.deepEqual(await listTree(out), [
    "SKILL.md",
    "hooks/hooks.json",
    "memory/policy.md",
    "prompts/system.md",
    "tools/find_lockfiles/find_lockfiles.sh",
    "tools/find_lockfiles/tool.json",
    "tools/list_dependencies/list_dependencies.mjs",
    "tools/list_dependencies/tool.json",
  ]);
  const copy = await bundleBlueprint(out, { workspace });
  assert.deepEqual(compareBlueprints(original, copy), { ok: true, differences: [] });
  assert.equal(copy.fingerprint, original.fingerprint);
});

Deno.test("writeBundle() refuses tools defined in code and an existing folder, writing nothing", async () => {
  const agent = await buildBundle(await loadBundle(CODER), { workspace: await tempFolder() });
  const parent = await tempFolder();
  const error = await writeBundle(agent, `${parent}/out`).catch((error) => error);
  assert.ok(error instanceof BundleError);
  assert.match(
    error.message,
    /tools\.bash: tool "bash" is defined in code and cannot be written as data/,
  );
  assert.deepEqual(await listTree(parent), []);
  const dep = await buildBundle(await loadBundle(DEP_AUDIT));
  await assert.rejects(writeBundle(dep, parent), /already exists; choose a new path/);
});
