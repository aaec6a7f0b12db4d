import assert from "node:assert/strict";
import { parse } from "yaml";
import { parseFlatFrontMatter } from "../../bundles/_front_matter.ts";
import { REPO, SKILLS } from "./_helpers.ts";

function frontLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
  return lines.slice(1, close);
}

/** Read by the fast reader, exactly as YAML reads them. */
const FLAT = [
  "name: a\ndescription: Plain text, with commas (and parens) - dashes; it's fine",
  "name: \"quoted x\"\ndescription: 'it''s'",
  "name: a\ntags: [x, y z, Third one]\nmax-steps: 30\nflag: true\nnothing: ~",
  "name: a\ntags:\n  - one\n  - two words\n# a comment\n\nlicense: MIT",
  "name: a\ndescription: Café, naïve — ok",
];
/** Need the full YAML parser; the fast reader must decline (or agree). */
const HARD = [
  "name: a\ndescription:\n  folded over\n  two lines",
  "name: a # comment\ndescription: url https://x.y/z#frag",
  "name: a\ndescription: 1.5e3",
  'name: "quoted \\"x\\""',
  "name: a\nmetadata:\n  author: x",
  "name: a\ndescription: >\n  folded",
  "name: a\ndescription: has: colon",
  "name: a\ndescription: ? x",
  "name: a\ntags:\n - x\n  - y",
  "name: &anchor a",
  "name: a\nname: b",
  "name: a\ndescription: 0x1F",
  "name: a\ndescription: yes",
  "name: a\ndescription:\n  para one\n\n  para two",
  "  name: a",
  "name: {a: 1}",
];

Deno.test("parseFlatFrontMatter() agrees with the YAML parser whenever it answers", () => {
  for (const sample of FLAT) {
    assert.deepEqual(parseFlatFrontMatter(sample.split("\n")), parse(sample), sample);
  }
  for (const sample of HARD) {
    const fast = parseFlatFrontMatter(sample.split("\n"));
    assert.equal(fast, undefined, sample);
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
