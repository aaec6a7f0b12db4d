import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { main } from "../../cli.ts";
import { showCommand } from "../../provenance/mod.ts";
import { captureIo, record, tempDir } from "./_helpers.ts";

Deno.test("showCommand() --html --diff writes the two traces side by side", async () => {
  const [a, b] = [await tempDir(), await tempDir()];
  await record(a);
  await record(b);
  const { out, err, io } = captureIo();
  assert.equal(await showCommand(a, { html: true, diff: b }, io), 0, err.join("\n"));
  assert.deepEqual(out, [`wrote ${join(a, "diff.html")}`]);
  const html = await readFile(join(a, "diff.html"), "utf8");
  assert.match(html, /3 same · 0 changed · 0 only in A · 0 only in B/);
});

Deno.test("showCommand() --html --watch on a finished run writes the page once and ends", async () => {
  const dir = await tempDir();
  await record(dir);
  const { out, io } = captureIo();
  assert.equal(await showCommand(dir, { html: true, watch: true }, io), 0);
  assert.deepEqual(out, [`wrote ${join(dir, "trace.html")} (3 steps, run ended)`]);
});

Deno.test("looplet show: --diff and --watch need --html, and not both", async () => {
  const { err, io } = captureIo();
  const run = (args: string[]) => main(["show", ...args], { stdout: io.stdout, stderr: io.stderr });
  assert.equal(await run(["x", "--diff", "y"]), 2);
  assert.equal(await run(["x", "--watch"]), 2);
  assert.equal(await run(["x", "--html", "--watch", "--diff", "y"]), 2);
  assert.match(err[0]!, /^error: --diff writes HTML; add --html/);
  assert.match(err[1]!, /^error: --watch writes HTML; add --html/);
  assert.match(err[2]!, /^error: give --diff or --watch, not both/);
});
