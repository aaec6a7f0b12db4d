import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { chromium, type Page } from "playwright-core";
import { ScriptedBackend, tool } from "../../../mod.ts";
import { writeTraceDiffHtml, writeTraceHtml } from "../../../provenance/mod.ts";
import { greet, record, tempDir } from "../../provenance/_helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"];
const HAS_CHROMIUM = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** A stand-in for the workspace bash tool: its result shape, without a shell. */
const bash = tool({
  name: "bash",
  description: "Run a command.",
  input: z.object({ command: z.string() }),
  execute: ({ command }) =>
    command === "deno test"
      ? { exit_code: 1, stdout: "running 2 tests\ntest a ... FAILED", stderr: "error: 1 failed" }
      : { exit_code: 0, stdout: "a.ts\nb.ts", stderr: "" },
});

const read = tool({
  name: "read_file",
  description: "Read a file.",
  input: z.object({ path: z.string() }),
  execute: ({ path }) => path.endsWith(".json") ? '{"name":"looplet","private":true}' : "one\ntwo",
});

async function recordRun(failing: boolean): Promise<string> {
  const dir = await tempDir();
  await record(dir, {
    tools: [greet, bash, read],
    metadata: { model: "gpt-test-2026" },
    script: [
      ScriptedBackend.call("bash", { command: "ls" }),
      ScriptedBackend.call("read_file", { path: "notes.txt" }),
      ScriptedBackend.call("read_file", { path: "package.json" }),
      ScriptedBackend.call("bash", { command: failing ? "deno test" : "deno fmt" }),
      ScriptedBackend.call("greet", { name: "Ann" }),
      ScriptedBackend.call("done", { answer: "checked" }),
    ],
  });
  return dir;
}

async function withPage(fn: (page: Page) => Promise<void>): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await fn(page);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
}

async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const bytes = await Deno.readFile(file);
  assert.deepEqual([...bytes.slice(1, 4)], [0x50, 0x4e, 0x47], `${file} is a PNG`);
}

Deno.test({
  name:
    "trace viewer in Chromium: text kept as text, JSON as JSON, a failed bash step, the model, search and failed-only",
  ignore: !HAS_CHROMIUM && Deno.env.get("CI") !== "true",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await recordRun(true);
    const file = await writeTraceHtml(dir, join(dir, "view.html"));
    await withPage(async (page) => {
      await page.goto(`file://${file}`);
      await screenshot(page, dir, "viewer");
      assert.equal(await page.locator("#model").innerText(), "gpt-test-2026");
      assert.equal(await page.locator("details.step").count(), 6);
      // The bash step that exited 1 is failed: class, glyph, one-line summary, timeline bar.
      const failed = page.locator("#step-4");
      assert.match((await failed.getAttribute("class"))!, /\bfailed\b/);
      assert.equal(await failed.locator(".glyph").innerText(), "✗");
      assert.match(
        await failed.locator(".head").innerText(),
        /bash\(command=deno test\) → FAILED \(exit 1\)/,
      );
      assert.match(
        (await page.locator('.bar:not(.call):not(.turn)[data-target="step-4"]').getAttribute(
          "class",
        ))!,
        /failed/,
      );
      assert.equal(
        await page.locator("#step-1 .glyph").innerText(),
        "✓",
        "exit 0 is not a failure",
      );
      // Its stdout is shown as lines of text, not as an escaped JSON string.
      await failed.locator("> summary").click();
      const stdout = failed.locator(".fields pre.result.text").first();
      assert.equal(await stdout.innerText(), "running 2 tests\ntest a ... FAILED");
      // A plain-text result keeps its lines; JSON in a string is shown as indented JSON.
      await page.locator("#step-2 > summary").click();
      assert.equal(await page.locator("#step-2 pre.result.text").innerText(), "one\ntwo");
      await page.locator("#step-3 > summary").click();
      assert.equal(
        await page.locator("#step-3 pre.result.json").innerText(),
        '{\n  "name": "looplet",\n  "private": true\n}',
      );
      // Search filters the steps by any text in them, results included.
      await page.locator("#search").fill("FAILED");
      assert.deepEqual(await visibleSteps(page), ["4"]);
      assert.equal(await page.locator("#match-count").innerText(), "1 of 6 steps");
      await page.locator("#search").fill("read_file");
      assert.deepEqual(await visibleSteps(page), ["2", "3"]);
      await page.locator("#search").fill("");
      assert.deepEqual(await visibleSteps(page), ["1", "2", "3", "4", "5", "6"]);
      await page.locator("#failed-only").check();
      assert.deepEqual(await visibleSteps(page), ["4"]);
      await screenshot(page, dir, "viewer-filtered");
    });
  },
});

async function visibleSteps(page: Page): Promise<string[]> {
  return await page.locator("details.step:visible").evaluateAll((steps) =>
    steps.map((step) => step.getAttribute("data-step") ?? "")
  );
}

Deno.test({
  name: "trace diff in Chromium: two runs side by side, the changed bash step marked",
  ignore: !HAS_CHROMIUM && Deno.env.get("CI") !== "true",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const before = await recordRun(false);
    const after = await recordRun(true);
    const file = await writeTraceDiffHtml(before, after, join(after, "diff.html"));
    await withPage(async (page) => {
      await page.goto(`file://${file}`);
      await screenshot(page, after, "diff");
      const headers = await page.locator("table.diff thead th").allInnerTexts();
      assert.equal(headers.length, 2);
      assert.ok(headers[0]!.startsWith(before) && headers[1]!.startsWith(after));
      assert.match(headers[1]!, /done · 6 steps .* gpt-test-2026/);
      const rows = await page.locator("table.diff tbody tr").evaluateAll((trs) =>
        trs.map((tr) => tr.className)
      );
      // "deno fmt" vs "deno test": different calls, so one row only in A and one only in B.
      assert.deepEqual(rows, ["same", "same", "same", "added", "removed", "same", "same"]);
      const added = page.locator("table.diff tr.added td.b");
      assert.match(await added.innerText(), /✗ #4 bash\(command=deno test\) → FAILED \(exit 1\)/);
      assert.match((await added.getAttribute("class"))!, /failed/);
      assert.match(
        await page.locator("tr.removed td.a").innerText(),
        /#4 bash\(command=deno fmt\)/,
      );
      assert.equal(
        await page.locator("#diff-counts").innerText(),
        "5 same · 0 changed · 1 only in A · 1 only in B",
      );
    });
  },
});
