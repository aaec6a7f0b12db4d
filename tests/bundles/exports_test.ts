import assert from "node:assert/strict";
import { bundleBlueprint } from "../../bundles/bundle_blueprint.ts";
import { exportBundleCode } from "../../bundles/export_bundle_code.ts";
import { packageFactory } from "../../bundles/package_factory.ts";
import { claudeSkillCompatibility, wrapClaudeSkill } from "../../bundles/wrap_claude_skill.ts";
import { scaffoldBundle } from "../../bundles/scaffold_bundle.ts";
import { discoverBundles } from "../../bundles/discover_bundles.ts";
import { buildBundle, loadBundle } from "../../bundles/load_bundle.ts";
import { parseSkillMd } from "../../skills/skill_md.ts";
import { CODER, DEP_AUDIT, listTree, REPO, skillMd, SKILLS, tempFolder } from "./_helpers.ts";

Deno.test("exportBundleCode() writes a standalone program that type-checks and builds the same blueprint", async () => {
  for (const bundle of [CODER, DEP_AUDIT]) {
    const out = `${await tempFolder()}/agent.ts`;
    const { fingerprint } = await exportBundleCode(bundle, out, { library: REPO });
    assert.equal(fingerprint, (await bundleBlueprint(bundle)).fingerprint);
    const check = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", `${REPO}deno.json`, out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(check.code, 0, new TextDecoder().decode(check.stderr));
    // The program does not need the bundle folder: it carries the files.
    const program = await import(`file://${out}`);
    const exported = await program.loadAgentBundle();
    assert.notEqual(exported.folder.root, bundle);
    const blueprint = await bundleBlueprint(exported.folder.root);
    assert.equal(blueprint.fingerprint, program.FINGERPRINT);
    assert.equal(blueprint.fingerprint, fingerprint);
  }
});

Deno.test("exportBundleCode() refuses an existing file and a path inside the bundle", async () => {
  const dir = await tempFolder({ "taken.ts": "// mine" });
  await assert.rejects(
    exportBundleCode(CODER, `${dir}/taken.ts`),
    /taken\.ts: out-file: already exists/,
  );
  assert.equal(await Deno.readTextFile(`${dir}/taken.ts`), "// mine");
  await assert.rejects(exportBundleCode(CODER, `${CODER}/copy.ts`), /is inside the bundle folder/);
  await assert.rejects(exportBundleCode(CODER, `${dir}/x.js`), /must end in \.ts/);
});

Deno.test("packageFactory() turns a module's factory into a runnable bundle", async () => {
  const dir = await tempFolder({
    "agents.ts": `export function reviewer(runtime) {
      const { tool, z } = runtime.lib;
      return {
        tools: [tool({ name: "lint", description: "Lint", input: z.object({}), execute: () => ({ ok: true }) })],
        systemPrompt: "Review code.",
      };
    }
    export const notAFunction = 1;`,
  });
  const { name } = await packageFactory(`${dir}/agents.ts#reviewer`, `${dir}/bundle`, {
    tags: ["review"],
  });
  assert.equal(name, "reviewer");
  assert.deepEqual(await listTree(`${dir}/bundle`), ["SKILL.md", "looplet.ts"]);
  const skill = parseSkillMd(await Deno.readTextFile(`${dir}/bundle/SKILL.md`), "SKILL.md");
  assert.equal(skill.frontMatter.factory, `${dir}/agents.ts#reviewer`);
  const agent = await buildBundle(await loadBundle(`${dir}/bundle`));
  assert.deepEqual(agent.tools.map((tool) => tool.name), ["lint"]);
  assert.equal(agent.basePrompt, "Review code.");
});

Deno.test("packageFactory() refuses bad references and factories, writing nothing", async () => {
  const dir = await tempFolder({
    "agents.ts": "export function broken() { return { tools: 3 }; } export const x = 1;",
  });
  await assert.rejects(
    packageFactory("agents.ts", `${dir}/a`),
    /factory: must look like path\/to\/module\.ts#exportName/,
  );
  await assert.rejects(packageFactory(`${dir}/nope.ts#f`, `${dir}/a`), /does not exist/);
  await assert.rejects(
    packageFactory(`${dir}/agents.ts#missing`, `${dir}/a`),
    /has no exported function "missing"; exported functions: broken/,
  );
  await assert.rejects(
    packageFactory(`${dir}/agents.ts#broken`, `${dir}/a`),
    /build\(\)\.tools.*nothing was written/,
  );
  await assert.rejects(packageFactory(`${dir}/agents.ts#broken`, dir), /already exists/);
  assert.deepEqual(await listTree(dir), ["agents.ts"]);
});

Deno.test("claudeSkillCompatibility() grades the skill fixtures", async () => {
  assert.deepEqual(await claudeSkillCompatibility(`${SKILLS}house-style`), {
    compatibility: "instruction-only",
    gaps: [],
  });
  const comms = await claudeSkillCompatibility(`${SKILLS}status-updates`);
  assert.equal(comms.compatibility, "resources-present");
  assert.match(
    comms.gaps[0]!,
    /^4 resource file\(s\) \(examples\/faq\.md, .*the model cannot open them; add a read tool/,
  );
  const scripted = await tempFolder({
    "SKILL.md": skillMd("name: pdf\ndescription: PDF tools"),
    "scripts/extract.py": "print(1)",
  });
  const result = await claudeSkillCompatibility(scripted);
  assert.equal(result.compatibility, "scripts-present");
  assert.match(
    result.gaps[0]!,
    /^scripts\/extract\.py is copied but not exposed as a tool; .*tools\/extract\/tool\.json/,
  );
});

Deno.test("wrapClaudeSkill() copies the tree, keeps the original front matter, and the result runs", async () => {
  const out = `${await tempFolder()}/brand`;
  const result = await wrapClaudeSkill(`${SKILLS}ui-patterns`, out);
  assert.equal(result.compatibility, "resources-present");
  const original = await listTree(`${SKILLS}ui-patterns`);
  assert.deepEqual(await listTree(out), original);
  const text = await Deno.readTextFile(`${out}/SKILL.md`);
  const skill = parseSkillMd(text, "SKILL.md");
  assert.equal(skill.license, "MIT");
  assert.deepEqual(skill.metadata, { author: "looplet", version: "1.0.0" });
  assert.equal(skill.frontMatter.source_format, "claude-skill");
  assert.equal(skill.frontMatter.compatibility, "resources-present");
  const agent = await buildBundle(await loadBundle(out));
  assert.deepEqual(agent.tools, []);
  assert.match(
    agent.systemPrompt,
    /# Skill: acme-ui-patterns\n\n# UI Composition Patterns/,
  );
});

Deno.test("wrapClaudeSkill() refuses the skill as its own output, a folder inside it, and an existing one", async () => {
  const skill = await tempFolder({ "SKILL.md": skillMd("name: a\ndescription: b") });
  await assert.rejects(wrapClaudeSkill(skill, skill), /out-dir: is the skill folder itself/);
  await assert.rejects(wrapClaudeSkill(skill, `${skill}/inner`), /is inside the skill folder/);
  await assert.rejects(
    wrapClaudeSkill(skill, `${skill}/..`),
    /contains the skill folder|already exists/,
  );
  assert.deepEqual(await listTree(skill), ["SKILL.md"]);
  const parent = await tempFolder();
  await assert.rejects(wrapClaudeSkill(`${parent}/none`, `${parent}/out`), /is not a folder/);
  assert.deepEqual(await listTree(parent), []);
});

Deno.test("scaffoldBundle() creates a bundle that loads and has a script; refuses an existing folder", async () => {
  const parent = await tempFolder();
  const { files } = await scaffoldBundle(`${parent}/My Agent`);
  assert.deepEqual(files, ["SKILL.md", "looplet.ts"]);
  const bundle = await loadBundle(`${parent}/My Agent`);
  assert.equal(bundle.name, "my-agent");
  await assert.rejects(scaffoldBundle(`${parent}/My Agent`), /already exists/);
  await assert.rejects(
    scaffoldBundle(`${parent}/x`, { name: "Bad Name" }),
    /must be lowercase letters/,
  );
  assert.deepEqual(await listTree(parent), ["My Agent/SKILL.md", "My Agent/looplet.ts"]);
});

Deno.test("discoverBundles() finds bundles without importing them, reports invalid ones and duplicates", async () => {
  const root = await tempFolder({
    "good/SKILL.md": skillMd("name: good\ndescription: Good"),
    "good/looplet.ts": "throw new Error('must not be imported');",
    "nested/deeper/bad/SKILL.md": "---\nname: bad\n---\n",
    "again/SKILL.md": skillMd("name: good\ndescription: Duplicate"),
  });
  const { cards, warnings } = await discoverBundles([root]);
  assert.deepEqual(cards.map((card) => [card.name, card.ok, card.entrypoint]), [[
    "good",
    true,
    null,
  ]]);
  assert.match(cards[0]!.path, /\/again$/); // found first (folders are searched in name order)
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /bundle name "good" is used by .* and .*; keeping the first/);
  const all = await discoverBundles([root], { includeInvalid: true });
  const bad = all.cards.find((card) => !card.ok)!;
  assert.equal(all.cards.length, 2);
  assert.equal(bad.name, "bad");
  assert.match(bad.errors[0]!, /'description' is missing/);
  await assert.rejects(
    discoverBundles([`${root}/none`]),
    /Cannot search ".*none": it is not a folder/,
  );
});

Deno.test("discoverBundles() reads every skill fixture as a valid bundle", async () => {
  const { cards } = await discoverBundles([SKILLS]);
  assert.deepEqual(cards.map((card) => card.name), [
    "acme-ui-patterns",
    "csv-tools",
    "field-notes",
    "house-style",
    "palette-kit",
    "status-updates",
  ]);
});

Deno.test("exportBundleCode() embeds binary resources (a wrapped skill with a binary asset) and rebuilds them byte for byte", async () => {
  const dir = await tempFolder();
  await wrapClaudeSkill(`${SKILLS}palette-kit`, `${dir}/themes`);
  const out = `${dir}/themes.ts`;
  await exportBundleCode(`${dir}/themes`, out, { library: REPO });
  const program = await import(`file://${out}`);
  const bundle = await program.loadAgentBundle();
  const original = await Deno.readFile(`${SKILLS}palette-kit/assets/swatches.bin`);
  assert.deepEqual(await Deno.readFile(`${bundle.folder.root}/assets/swatches.bin`), original);
});
