import assert from "node:assert/strict";
import { parse } from "yaml";
import { parseFlatFrontMatter } from "../../bundles/_front_matter.ts";
import { REPO, SKILLS } from "./_helpers.ts";

function frontLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
  return lines.slice(1, close);
}

const SAMPLES = [
  "name: a\ndescription: Plain text, with commas",
  "name: \"quoted \\\"x\\\"\"\ndescription: 'it''s'",
  "name: a\ntags: [x, 'y z', 3]\nmax-steps: 30\nflag: true\nnothing: ~",
  "name: a\ndescription:\n  folded over\n  two lines\ntags:\n  - one\n  - two",
  "name: a # comment\ndescription: url https://x.y/z#frag",
  "name: a\ndescription: 1.5e3",
  // Everything below needs the real YAML parser; the fast reader must decline.
  "name: a\nmetadata:\n  author: x",
  "name: a\ndescription: >\n  folded",
  "name: a\ndescription: has: colon",
  "name: &anchor a",
  "name: a\nname: b",
  "name: a\ndescription: 0x1F",
  "name: a\ndescription:\n  para one\n\n  para two",
  "  name: a",
  "name: {a: 1}",
];

Deno.test("parseFlatFrontMatter() agrees with the YAML parser whenever it answers", () => {
  let answered = 0;
  for (const sample of SAMPLES) {
    const fast = parseFlatFrontMatter(sample.split("\n"));
    if (fast === undefined) continue;
    answered++;
    assert.deepEqual(fast, parse(sample), sample);
  }
  assert.equal(answered, 6, "the six flat samples are read without YAML");
  for (const sample of SAMPLES.slice(6)) {
    assert.equal(parseFlatFrontMatter(sample.split("\n")), undefined, sample);
  }
});

Deno.test("parseFlatFrontMatter() reads the skill fixtures and example bundles like YAML does", async () => {
  const files = [
    ...[
      "csv-tools",
      "field-notes",
      "house-style",
      "palette-kit",
      "status-updates",
      "ui-patterns",
    ]
      .map((name) => `${SKILLS}${name}/SKILL.md`),
    `${REPO}examples/skills/coder/SKILL.md`,
    `${REPO}examples/skills/dep_audit/SKILL.md`,
  ];
  for (const file of files) {
    const lines = frontLines(await Deno.readTextFile(file));
    const fast = parseFlatFrontMatter(lines);
    if (fast !== undefined) assert.deepEqual(fast, parse(lines.join("\n")), file);
    else assert.match(file, /ui-patterns/, `${file} should be flat`);
  }
});
