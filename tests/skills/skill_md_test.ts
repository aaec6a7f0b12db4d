import assert from "node:assert/strict";
import {
  formatSkillProblem,
  parseSkillMd,
  readSkillMd,
  SkillMdError,
} from "../../skills/skill_md.ts";

const FIXTURES = new URL("../fixtures/skills/", import.meta.url);

async function fixture(name: string): Promise<string> {
  return await Deno.readTextFile(new URL(`${name}/SKILL.md`, FIXTURES));
}

Deno.test("parseSkillMd() reads a skill's name, description, license and body", async () => {
  const skill = parseSkillMd(await fixture("house-style"), "house-style/SKILL.md");
  assert.equal(skill.name, "house-style");
  assert.match(skill.description, /brand colors/);
  assert.equal(typeof skill.license, "string");
  assert.ok(skill.body.length > 100);
  assert.ok(!skill.body.startsWith("---"));
});

Deno.test("parseSkillMd() folds a multi-line description and keeps metadata", async () => {
  const skill = parseSkillMd(
    await fixture("ui-patterns"),
    "ui-patterns/SKILL.md",
  );
  assert.equal(skill.name, "acme-ui-patterns");
  assert.match(
    skill.description,
    /^Component composition patterns that scale\. Use when refactoring/,
  );
  assert.ok(!skill.description.includes("\n"));
  assert.deepEqual(skill.metadata, { author: "looplet", version: "1.0.0" });
  assert.equal(skill.license, "MIT");
});

Deno.test("parseSkillMd() reads every fixture skill without problems", async () => {
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (!entry.isDirectory) continue;
    const { skill, problems } = readSkillMd(await fixture(entry.name), `${entry.name}/SKILL.md`);
    assert.deepEqual(problems, [], entry.name);
    assert.ok(skill?.description, entry.name);
  }
});

Deno.test("parseSkillMd() keeps non-ASCII text byte for byte", async () => {
  const skill = parseSkillMd(await fixture("field-notes"), "field-notes/SKILL.md");
  assert.match(skill.description, /café interviews, 現場メモ, naïve sketches/);
  assert.ok(skill.body.startsWith("# Field Notes ✎\n"));
  assert.match(skill.body, /„Wir kommen jeden Tag hierher\.“/);
  assert.match(skill.body, /Non-ASCII text \(ä, ø, ç, 日本, 🙂\)/);
});

Deno.test("readSkillMd() reports the fixture without front matter at line 1", async () => {
  const path = "no-front-matter/SKILL.md";
  const text = await Deno.readTextFile(
    new URL(`../fixtures/skills_invalid/${path}`, import.meta.url),
  );
  const { skill, problems } = readSkillMd(text, path);
  assert.equal(skill, undefined);
  assert.deepEqual(problems.map((problem) => [problem.path, problem.line]), [[path, 1]]);
  assert.match(problems[0]!.message, /has no front matter; start the file with a '---' line/);
});

Deno.test("readSkillMd() reports a file without front matter at line 1", () => {
  const { skill, problems } = readSkillMd("# Just markdown\n", "x/SKILL.md");
  assert.equal(skill, undefined);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.line, 1);
  assert.match(problems[0]!.message, /has no front matter; start the file with a '---' line/);
});

Deno.test("readSkillMd() reports unclosed front matter", () => {
  const { problems } = readSkillMd("---\nname: a\ndescription: b\n", "x/SKILL.md");
  assert.match(problems[0]!.message, /front matter is not closed/);
});

Deno.test("readSkillMd() reports invalid YAML with the file line", () => {
  const { problems } = readSkillMd("---\nname: a\ndescription: [unclosed\n---\nbody", "x/SKILL.md");
  assert.ok(problems.length >= 1);
  assert.match(problems[0]!.message, /not valid YAML/);
  assert.ok(problems[0]!.line !== undefined && problems[0]!.line >= 2, `line ${problems[0]!.line}`);
});

Deno.test("readSkillMd() lists every missing field, not just the first", () => {
  const { problems } = readSkillMd("---\nlicense: 3\n---\nbody", "x/SKILL.md");
  assert.deepEqual(problems.map((problem) => problem.field), ["name", "description", "license"]);
  assert.ok(problems.every((problem) => problem.path === "x/SKILL.md"));
});

Deno.test("readSkillMd() accepts allowed-tools as a string or a list", () => {
  const fromString = parseSkillMd(
    "---\nname: a\ndescription: b\nallowed-tools: Read, Grep Bash\n---\n",
    "a",
  );
  assert.deepEqual(fromString.allowedTools, ["Read", "Grep", "Bash"]);
  const fromList = parseSkillMd(
    "---\nname: a\ndescription: b\nallowed-tools: [Read, Grep]\n---\n",
    "a",
  );
  assert.deepEqual(fromList.allowedTools, ["Read", "Grep"]);
  const { problems } = readSkillMd(
    "---\nname: a\ndescription: b\nallowed-tools: {x: 1}\n---\n",
    "a",
  );
  assert.equal(problems[0]!.field, "allowed-tools");
});

Deno.test("readSkillMd() warns but accepts a name that breaks the naming rule", () => {
  const skill = parseSkillMd("---\nname: My Skill\ndescription: b\n---\n", "a/SKILL.md");
  assert.equal(skill.name, "My Skill");
  assert.match(skill.warnings[0]!, /lowercase letters, digits and hyphens/);
});

Deno.test("parseSkillMd() throws SkillMdError carrying every problem", () => {
  assert.throws(() => parseSkillMd("---\n---\n", "x/SKILL.md"), (error: unknown) => {
    assert.ok(error instanceof SkillMdError);
    assert.equal(error.problems.length, 2);
    assert.match(error.message, /^x\/SKILL\.md:2: 'name' is missing/);
    return true;
  });
});

Deno.test("readSkillMd() reports YAML alias errors and alias bombs as problems naming the file", () => {
  const unresolved = readSkillMd("---\nname: *a\ndescription: x\n---\n", "bad/SKILL.md");
  assert.equal(unresolved.skill, undefined);
  assert.equal(unresolved.problems.length, 1);
  assert.equal(unresolved.problems[0]?.path, "bad/SKILL.md");
  assert.match(unresolved.problems[0]!.message, /cannot be read: Unresolved alias/);
  const rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (const [name, previous] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"]]) {
    rows.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`);
  }
  const bomb = readSkillMd(`---\nname: x\ndescription: y\n${rows.join("\n")}\n---\n`, "b/SKILL.md");
  assert.equal(bomb.skill, undefined);
  assert.match(bomb.problems[0]!.message, /cannot be read: Excessive alias count/);
});

Deno.test("readSkillMd() reports a repeated key with its line", () => {
  const { problems } = readSkillMd("---\nname: a\ndescription: b\nname: c\n---\n", "r/SKILL.md");
  assert.deepEqual(problems.map((problem) => [problem.line, problem.message]), [
    [4, 'front matter is not valid YAML: key "name" is given twice; keep one'],
  ]);
});

Deno.test("readSkillMd() warns about very long instructions and refuses huge ones", () => {
  const head = "---\nname: big\ndescription: Big\n---\n";
  const long = readSkillMd(head + "x".repeat(300_000), "big/SKILL.md");
  assert.ok(long.skill);
  assert.ok(long.skill.warnings.some((warning) => /300000 characters long/.test(warning)));
  const huge = readSkillMd(head + "x".repeat(10_000_001), "big/SKILL.md");
  assert.equal(huge.skill, undefined);
  assert.match(huge.problems[0]!.message, /more than 10000000; keep SKILL.md short/);
});

Deno.test("readSkillMd() warns about text that was not UTF-8", () => {
  const bytes = new Uint8Array([
    ...new TextEncoder().encode("---\nname: enc\ndescription: Caf"),
    0xe9, // Latin-1 é
    ...new TextEncoder().encode("\n---\nBody"),
  ]);
  const { skill } = readSkillMd(new TextDecoder().decode(bytes), "enc/SKILL.md");
  assert.ok(skill);
  assert.ok(skill.warnings.some((warning) => /not UTF-8; save it as UTF-8/.test(warning)));
});

Deno.test("readSkillMd() refuses front matter over maxFrontMatterChars without parsing it", () => {
  const text = `---\nname: big\ndescription: ${"x".repeat(1_000_000)}\n---\nBody`;
  const { skill, problems } = readSkillMd(text, "big/SKILL.md");
  assert.equal(skill, undefined);
  assert.deepEqual(problems.map(formatSkillProblem), [
    "big/SKILL.md:2: front matter is 1000023 characters long, more than 'maxFrontMatterChars' " +
    "(1000000); keep it to a few short fields and put the instructions after the closing '---' line",
  ]);
  const raised = readSkillMd(text, "big/SKILL.md", { maxFrontMatterChars: 2_000_000 });
  assert.equal(raised.skill?.description.length, 1_000_000);
  const small = "---\nname: a\ndescription: b\n---\n"; // 22 characters of front matter
  assert.equal(readSkillMd(small, "a", { maxFrontMatterChars: 22 }).skill?.name, "a");
  assert.match(readSkillMd(small, "a", { maxFrontMatterChars: 21 }).problems[0]!.message, /is 22/);
  assert.throws(() => readSkillMd(small, "a", { maxFrontMatterChars: 0 }), RangeError);
});
