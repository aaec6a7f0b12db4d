import assert from "node:assert/strict";
import { SkillMdError, SkillStore } from "../../skills/mod.ts";

const FIXTURES = new URL("../fixtures/skills/", import.meta.url).pathname;

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "looplet-skills-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SkillStore.load() finds every skill under a tree, sorted by name", async () => {
  const store = await SkillStore.load(FIXTURES);
  assert.deepEqual(store.skills.map((s) => s.name), [
    "acme-ui-patterns",
    "csv-tools",
    "field-notes",
    "house-style",
    "palette-kit",
    "status-updates",
  ]);
  const card = store.list().find((c) => c.name === "acme-ui-patterns")!;
  assert.ok(card.path.endsWith("ui-patterns/SKILL.md"));
  assert.match(card.description, /^Component composition patterns/);
  assert.match(store.get("palette-kit").body, /# Palette Kit/);
  assert.throws(
    () => store.get("themes"),
    /Unknown skill "themes"; available skills: csv-tools, field-notes, .*acme-ui-patterns$/,
  );
});

Deno.test("SkillStore.search() ranks name matches above description and body matches", async () => {
  const store = await SkillStore.load(FIXTURES);
  assert.deepEqual(store.search("palette").map((c) => c.name)[0], "palette-kit");
  assert.deepEqual(store.search("brand colors").map((c) => c.name)[0], "house-style");
  assert.deepEqual(
    store.search("component libraries").map((c) => c.name)[0],
    "acme-ui-patterns",
  );
  assert.equal(store.search("newsletter", 1)[0]!.name, "status-updates");
  assert.deepEqual(store.search("zzzz-nothing"), []);
  assert.equal(store.search("", 2).length, 2);
});

Deno.test("SkillStore.load() stops at a SKILL.md without front matter, naming file and line", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/plain`);
    await Deno.writeTextFile(
      `${dir}/plain/SKILL.md`,
      "# Just a heading\n\nNo front matter here.\n",
    );
    await assert.rejects(
      SkillStore.load(dir),
      (error: unknown) =>
        error instanceof SkillMdError &&
        error.problems.length === 1 &&
        error.problems[0]!.path === `${dir}/plain/SKILL.md` &&
        error.problems[0]!.line === 1 &&
        error.message.startsWith(
          `${dir}/plain/SKILL.md:1: has no front matter; start the file with a '---' line`,
        ),
    );
    const skipped = await SkillStore.load([dir, `${FIXTURES}/house-style`], {
      invalid: "skip",
    });
    assert.deepEqual(skipped.skills.map((s) => s.name), ["house-style"]);
    assert.match(
      skipped.warnings[0]!,
      /^Skipped invalid skill: .*plain\/SKILL\.md:1: has no front matter/,
    );
  });
});

Deno.test("SkillStore.load() refuses two skills with the same name, naming both files", async () => {
  await withDir(async (dir) => {
    for (const folder of ["a", "b"]) {
      await Deno.mkdir(`${dir}/${folder}`);
      await Deno.writeTextFile(
        `${dir}/${folder}/SKILL.md`,
        `---\nname: twin\ndescription: Skill ${folder}\n---\nBody ${folder}\n`,
      );
    }
    await assert.rejects(
      SkillStore.load(dir),
      (error: unknown) =>
        error instanceof SkillMdError &&
        error.problems[0]!.field === "name" &&
        error.message ===
          `${dir}/b/SKILL.md:2: duplicate skill name "twin": "${dir}/a/SKILL.md" has it too; rename one of them`,
    );
  });
});

Deno.test("SkillStore.load() rejects no roots and a missing root", async () => {
  await assert.rejects(SkillStore.load([]), /pass at least one folder or SKILL.md path/);
  await assert.rejects(
    SkillStore.load("/definitely/not/here"),
    /Cannot load skills: "\/definitely\/not\/here" does not exist/,
  );
});
