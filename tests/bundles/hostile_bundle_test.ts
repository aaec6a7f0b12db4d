// A bundle folder is untrusted input: one bad bundle is one reported problem,
// and a name that would escape a folder is refused.
import assert from "node:assert/strict";
import { checkBundle, discoverBundles, readBundleFolder } from "../../bundles/mod.ts";
import { cli, skillMd, tempFolder } from "./_helpers.ts";

const GOOD = skillMd("name: good\ndescription: Works");

Deno.test("discoverBundles() reports a YAML alias error in one SKILL.md and still lists the others", async () => {
  const root = await tempFolder({
    "good/SKILL.md": GOOD,
    "alias/SKILL.md": skillMd("name: *a\ndescription: x"),
    "bomb/SKILL.md": skillMd(
      "a: &a [x, x, x, x, x, x, x, x, x, x]\n" +
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
        "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nname: bomb\ndescription: y",
    ),
  });
  try {
    const { cards } = await discoverBundles([root], { includeInvalid: true });
    const byFolder = Object.fromEntries(cards.map((card) => [card.path.split("/").at(-1), card]));
    assert.equal(byFolder.good.ok, true);
    assert.equal(byFolder.alias.ok, false);
    assert.match(byFolder.alias.errors[0], /alias\/SKILL\.md:2: front matter cannot be read/);
    assert.equal(byFolder.bomb.ok, false);
    assert.match(byFolder.bomb.errors[0], /Excessive alias count/);
    const valid = await discoverBundles([root]);
    assert.deepEqual(valid.cards.map((card) => card.name), ["good"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a bundle name that would escape a folder is an error, in reading and in discovery", async () => {
  const root = await tempFolder({
    "evil/SKILL.md": skillMd("name: ../../../../tmp/x\ndescription: Escapes"),
    "upper/SKILL.md": skillMd("name: Has Spaces\ndescription: Bad"),
  });
  try {
    const evil = await readBundleFolder(`${root}/evil`);
    assert.equal(evil.folder, undefined);
    assert.equal(evil.problems[0]?.field, "name");
    assert.match(evil.problems[0]!.message, /'name' "..\/..\/..\/..\/tmp\/x" must be lowercase/);
    const { cards } = await discoverBundles([root], { includeInvalid: true });
    assert.deepEqual(cards.map((card) => card.ok), [false, false]);
    assert.ok(
      cards.every((card) => card.errors.some((error) => /names folders and files/.test(error))),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readBundleFolder() names the file when memory/x.md is a folder or tool.json is not UTF-8", async () => {
  const root = await tempFolder({ "SKILL.md": GOOD, "memory/notes.md/inner.txt": "x" });
  try {
    await Deno.mkdir(`${root}/tools/t`, { recursive: true });
    await Deno.writeFile(`${root}/tools/t/tool.json`, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    const { folder, problems } = await readBundleFolder(root);
    assert.equal(folder, undefined);
    const lines = problems.map((problem) =>
      `${problem.path.slice(root.length)}: ${problem.message}`
    );
    assert.ok(lines.includes("/memory/notes.md: is a folder; it must be a file"), lines.join("\n"));
    assert.ok(
      lines.includes("/tools/t/tool.json: is not UTF-8 text; save it as UTF-8"),
      lines.join("\n"),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkBundle() finds what run would refuse: unknown hooks, bad hook config, a broken entrypoint", async () => {
  const root = await tempFolder({
    "SKILL.md": GOOD,
    "hooks/hooks.json": JSON.stringify({
      hooks: [{ use: "no-such-hook" }, { use: "deny-tools", config: { tools: [] } }],
    }),
    "looplet.ts": "export const build = 42;\n",
  });
  try {
    assert.ok((await readBundleFolder(root)).folder, "the folder itself reads fine");
    const { problems } = await checkBundle(root);
    const fields = problems.map((problem) => problem.field);
    assert.deepEqual(fields, ["hooks[0].use", "hooks[1].config", "build"]);
    assert.match(problems[0]!.message, /unknown hook "no-such-hook"/);
    const { cards } = await discoverBundles([root], { includeInvalid: true, check: true });
    assert.equal(cards[0]?.ok, false);
    assert.equal(cards[0]?.errors.length, 3);
    const plain = await discoverBundles([root]);
    assert.equal(plain.cards[0]?.ok, true, "without check, discovery stays shallow");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("looplet run refuses a bundle whose name would put its trace outside the workspace", async () => {
  const marker = `looplet-escape-${crypto.randomUUID()}`;
  const root = await tempFolder({
    "evil/SKILL.md": skillMd(`name: ../../../../../../tmp/${marker}\ndescription: Escapes`),
    "evil/scripted.json": JSON.stringify([{ text: "done" }]),
    "work/.keep": "",
  });
  try {
    const { code, err } = await cli([
      "run",
      `${root}/evil`,
      "Do it",
      "--scripted",
      "--workspace",
      `${root}/work`,
    ], { trace: () => Promise.reject(new Error("no trace may be written")) });
    assert.equal(code, 1);
    assert.match(err, /'name' ".*" must be lowercase letters/);
    const escaped = [...Deno.readDirSync("/tmp")].filter((entry) => entry.name.startsWith(marker));
    assert.deepEqual(escaped, []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("looplet list-bundles --check lists what run would refuse and exits 1", async () => {
  const root = await tempFolder({
    "good/SKILL.md": GOOD,
    "hooked/SKILL.md": skillMd("name: hooked\ndescription: Bad hook"),
    "hooked/hooks/hooks.json": JSON.stringify({ hooks: [{ use: "no-such-hook" }] }),
  });
  try {
    const plain = await cli(["list-bundles", root]);
    assert.equal(plain.code, 0);
    assert.match(plain.out, /hooked\tok/);
    const checked = await cli(["list-bundles", root, "--check"]);
    assert.equal(checked.code, 1);
    assert.match(checked.out, /good\tok/);
    assert.match(checked.out, /hooked\tinvalid/);
    assert.match(checked.out, /unknown hook "no-such-hook"/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
