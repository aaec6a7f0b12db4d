// Every README `ts` snippet runs as written (with the local package in place of JSR). The two
// that need an MCP server or an HTTP server run in tests/e2e/readme_test.ts.
import assert from "node:assert/strict";
import { readmeSnippets, runSnippet, snippet, SNIPPET_RUNNERS } from "./_readme_snippets.ts";

const withoutTimes = (out: string) =>
  out.trim().split("\n").map((line) => line.replace(/ \[\d+ms\]$/, ""));

Deno.test("every README ts snippet is run by a test", () => {
  const markers = Object.keys(SNIPPET_RUNNERS);
  for (const [index, code] of readmeSnippets().entries()) {
    const claimed = markers.filter((marker) => code.includes(marker));
    assert.equal(
      claimed.length,
      1,
      `README ts snippet #${index + 1} (${
        code.split("\n")[0]
      }…) must contain exactly one marker of ` +
        `SNIPPET_RUNNERS in tests/_readme_snippets.ts; add a test that runs it`,
    );
  }
  assert.equal(readmeSnippets().length, markers.length, "a marker matches no snippet");
});

Deno.test("README first example runs and prints the documented step lines", async () => {
  const run = await runSnippet(
    snippet("noStrangers") +
      "\nconsole.log(JSON.stringify({ stopReason, finalAnswer }));\n",
  );
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(withoutTimes(run.stdout), [
    "#1 ✓ greet(name=Alice) → greeting: Hello, Alice!",
    "#2 ✓ greet(name=Bob) → greeting: Hello, Bob!",
    "#3 ✓ done(answer=Greeted Alice and Bob) → Greeted Alice and Bob",
    '{"stopReason":"done","finalAnswer":"Greeted Alice and Bob"}',
  ]);
});

Deno.test("README traces snippet records a redacted trace, replays it and passes the eval", async () => {
  const run = await runSnippet(snippet("ProvenanceSink"));
  try {
    assert.equal(run.code, 0, run.stderr);
    const lines = withoutTimes(run.stdout);
    assert.deepEqual(lines.slice(0, 2), [
      "#1 ✓ greet(name=Alice) → greeting: Hello, Alice!",
      "#2 ✓ done(answer=Greeted Alice) → Greeted Alice",
    ]);
    assert.match(run.stdout, /✓ done {2}2 steps {2}2 LLM calls/);
    assert.equal(lines.at(-1), '[ "evalCompleted: pass" ]');
    const trajectory = await Deno.readTextFile(`${run.cwd}/.traces/hello/trajectory.json`);
    assert.match(trajectory, /Greet Alice \(key \[key\]\)/);
    assert.ok(!trajectory.includes("sk-not-a-real-key"), "the key was redacted");
  } finally {
    await Deno.remove(run.cwd, { recursive: true });
  }
});
