// The README's first example must run as written (with the local package in place of JSR).
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

Deno.test("README example runs and prints the documented step lines", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, "README has a ts example");
  const code =
    example.replaceAll('"jsr:@looplet/looplet"', JSON.stringify(new URL("mod.ts", root).href)) +
    "\nconsole.log(JSON.stringify({ stopReason, finalAnswer }));\n";
  const file = await Deno.makeTempFile({
    dir: new URL("tests/", root).pathname,
    suffix: "_readme.ts",
  });
  try {
    await Deno.writeTextFile(file, code);
    const { code: exit, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--check", "--config", new URL("deno.json", root).pathname, file],
      env: { NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.equal(exit, 0, new TextDecoder().decode(stderr));
    const lines = out.trim().split("\n").map((line) => line.replace(/ \[\d+ms\]$/, ""));
    assert.deepEqual(lines, [
      "#1 ✓ greet(name=Alice) → greeting: Hello, Alice!",
      "#2 ✓ greet(name=Bob) → greeting: Hello, Bob!",
      "#3 ✓ done(answer=Greeted Alice and Bob) → Greeted Alice and Bob",
      '{"stopReason":"done","finalAnswer":"Greeted Alice and Bob"}',
    ]);
  } finally {
    await Deno.remove(file);
  }
});
