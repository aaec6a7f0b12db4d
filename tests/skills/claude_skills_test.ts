// Optional: the real third-party Agent Skills, when a ../shared/fixtures/claude-skills folder sits
// beside the clone (it is not part of the project). Without it the test is skipped and says so.
import assert from "node:assert/strict";
import { readSkillMd, SkillStore } from "../../skills/mod.ts";
import { discoverBundles } from "../../bundles/discover_bundles.ts";
import { claudeSkillCompatibility } from "../../bundles/wrap_claude_skill.ts";

const REAL_SKILLS = new URL("../../../shared/fixtures/claude-skills/", import.meta.url).pathname;
const present = (() => {
  try {
    return Deno.statSync(REAL_SKILLS).isDirectory;
  } catch {
    return false;
  }
})();
if (!present) {
  console.log(`claude_skills_test: skipped, ${REAL_SKILLS} does not exist (optional fixtures)`);
}

Deno.test({
  name: "the real third-party Claude skills load, search and grade as they should",
  ignore: !present,
  fn: async () => {
    const folders: string[] = [];
    for await (const entry of Deno.readDir(REAL_SKILLS)) {
      if (entry.isDirectory) folders.push(entry.name);
    }
    assert.ok(folders.length > 0, `no skill folders in ${REAL_SKILLS}`);
    for (const folder of folders) {
      const path = `${REAL_SKILLS}${folder}/SKILL.md`;
      const { skill, problems } = readSkillMd(await Deno.readTextFile(path), path);
      assert.deepEqual(problems, [], folder);
      assert.ok(skill?.description, folder);
      const { compatibility } = await claudeSkillCompatibility(`${REAL_SKILLS}${folder}`);
      assert.notEqual(compatibility, "looplet-bundle", folder);
    }
    const store = await SkillStore.load(REAL_SKILLS);
    assert.equal(store.skills.length, folders.length);
    for (const skill of store.skills) {
      assert.equal(store.search(skill.name, 1)[0]?.name, skill.name);
    }
    const { cards, warnings } = await discoverBundles([REAL_SKILLS]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      cards.map((card) => card.name).sort(),
      store.skills.map((skill) => skill.name).sort(),
    );
  },
});
