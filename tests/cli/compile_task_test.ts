import assert from "node:assert/strict";

const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));

function task(name: string): string {
  const entry = config.tasks[name];
  return typeof entry === "string" ? entry : entry.command;
}

Deno.test("deno task compile builds the single-file CLI first and compiles it for every target", () => {
  const steps = task("compile").split(" && ");
  assert.equal(steps[0], "deno task bundle");
  const compiles = steps.slice(1);
  const targets = compiles.map((step) => /--target (\S+)/.exec(step)?.[1]);
  assert.deepEqual(targets, [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  for (const step of compiles) {
    assert.match(step, /^deno compile -A .* dist\/looplet\.mjs$/, step);
    assert.doesNotMatch(step, /--include/, "the single-file build embeds what it loads");
  }
  assert.match(task("bundle"), /-o dist\/looplet\.mjs packages\/cli\/single_file\.ts$/);
});
