import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { chromium } from "playwright-core";
import { ScriptedBackend, tool } from "../../../mod.ts";
import { loadTrace, renderTraceHtml, writeTraceHtml } from "../../../provenance/mod.ts";
import { greet, record, REFERENCE_TRACE, tempDir } from "../../provenance/_helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const lookup = tool({
  name: "lookup",
  description: "Look up a user.",
  input: z.object({ id: z.number() }),
  execute: ({ id }) => {
    if (id === 404) throw new Error("user 404 not found");
    return { id, name: "Bob <admin>" };
  },
});

async function recordMixed(): Promise<string> {
  const dir = await tempDir();
  await record(dir, {
    tools: [greet, lookup],
    script: [
      {
        ...ScriptedBackend.call("greet", { name: "Alice" }),
        usage: { inputTokens: 100, outputTokens: 10 },
      },
      {
        ...ScriptedBackend.call("lookup", { id: 7 }),
        usage: { inputTokens: 140, outputTokens: 8 },
      },
      {
        ...ScriptedBackend.call("lookup", { id: 404 }),
        usage: { inputTokens: 170, outputTokens: 8 },
      },
      {
        ...ScriptedBackend.call("done", { answer: "Found Bob" }),
        usage: { inputTokens: 200, outputTokens: 6 },
      },
    ],
  });
  return dir;
}

Deno.test("renderTraceHtml() escapes recorded text and links no outside resource", async () => {
  const dir = await recordMixed();
  const html = renderTraceHtml(await loadTrace(dir, { bodies: true }));
  assert.ok(html.includes("Bob &lt;admin&gt;"));
  assert.ok(!html.includes("Bob <admin>"));
  assert.ok(!/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html));
  assert.ok(!/@import|url\(/i.test(html));
  assert.equal(html.match(/<details class="step/g)?.length, 4);
  assert.equal(html.match(/class="bar turn"/g)?.length, 4, "one timeline bar per turn");
  assert.equal(html.match(/class="bar call"/g)?.length, 4, "one timeline bar per model call");
});

// Chromium comes from Debian's package; .ci/run installs it. Under CI the test
// must run (a missing browser fails it); on a developer's machine without the
// package it is skipped rather than failing the README's test command.
const HAS_CHROMIUM = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name:
    "trace viewer renders every step in headless Chromium and expanding a step shows its result",
  ignore: !HAS_CHROMIUM && Deno.env.get("CI") !== "true",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await Deno.stat(CHROMIUM).catch(() => {
      throw new Error(
        `Cannot run the browser test: ${CHROMIUM} is missing; install it with apt-get install -y chromium (.ci/run does)`,
      );
    });
    const dir = await recordMixed();
    const file = await writeTraceHtml(dir, join(dir, "view.html"));
    const referenceFile = await writeTraceHtml(REFERENCE_TRACE, join(dir, "reference.html"));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      const external: string[] = [];
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file://")) return route.continue();
        external.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      await page.goto(`file://${file}`);
      assert.equal(await page.locator("details.step").count(), 4);
      assert.equal(await page.locator("#status").innerText(), "done");
      assert.deepEqual(
        await page.locator("details.step .head").allInnerTexts(),
        [
          'greet(name=Alice) → { "greeting": "Hello, Alice!" }',
          'lookup(id=7) → { "id": 7, "name": "Bob <admin>" }',
          "lookup(id=404) → ERROR: Error: user 404 not found",
          "done(answer=Found Bob) → Found Bob",
        ],
      );
      const result = page.locator("#step-2 pre.result");
      assert.equal(await result.isVisible(), false, "results start collapsed");
      await page.locator("#step-2 > summary").click();
      assert.equal(await result.isVisible(), true);
      assert.match(await result.innerText(), /"name": "Bob <admin>"/);
      // A failed step shows its error when expanded.
      await page.locator("#step-3 > summary").click();
      assert.match(
        await page.locator("#step-3 pre.result.error").innerText(),
        /user 404 not found/,
      );
      // The prompt of the step's model call expands too.
      await page.locator("#step-2 details.call > summary").click();
      assert.match(
        await page.locator("#step-2 details.call pre.prompt").innerText(),
        /^# call 01 — method=generate/,
      );
      // Token use per call is listed.
      assert.equal(await page.locator("table.calls tbody tr").count(), 4);
      assert.match(
        await page.locator('table.calls tr[data-call="1"]').innerText(),
        /140 in \/ 8 out/,
      );
      // Clicking a timeline bar opens its step.
      await page.locator("#collapse-all").click();
      await page.locator('.bar[data-target="step-4"]').first().click();
      assert.equal(await page.locator("#step-4").getAttribute("open"), "");
      await page.goto(`file://${referenceFile}`);
      assert.equal(await page.locator("details.step").count(), 3);
      assert.deepEqual(external, [], "the page made network requests");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
});
