import assert from "node:assert/strict";
import { globTool } from "../../../tools/workspace/glob_tool.ts";
import { grepTool } from "../../../tools/workspace/grep_tool.ts";
import { workspaceRoot } from "../../../tools/workspace/workspace_path.ts";
import { call, tempWorkspace } from "./_ctx.ts";

Deno.test("grep fails the call when a catastrophic pattern passes its deadline, without blocking the loop", async () => {
  const root = workspaceRoot(await tempWorkspace({ "a.txt": `${"a".repeat(40)}b\n` }));
  const grep = grepTool(root, { timeoutMs: 300 });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  try {
    await assert.rejects(
      call(grep, { pattern: "^(a+)+$" }),
      /grep stopped after 300 ms: the pattern "\^\(a\+\)\+\$" is too slow/,
    );
  } finally {
    clearInterval(ticker);
  }
  assert.ok(ticks > 0, "timers ran while the pattern was searched");
  const fine = await call(grepTool(root), { pattern: "a+b" }) as { total: number };
  assert.equal(fine.total, 1);
});

Deno.test("grep counts all matches across files and caps the lines returned", async () => {
  const root = workspaceRoot(
    await tempWorkspace({ "a.ts": "x1\nx2\n", "b/c.ts": "x3\nnone\n", "d.md": "x4\n" }),
  );
  const found = await call(grepTool(root, { maxMatches: 2 }), { pattern: "^x\\d" }) as {
    matches: { path: string; line: number }[];
    total: number;
    truncated?: true;
  };
  assert.equal(found.total, 4);
  assert.equal(found.truncated, true);
  assert.deepEqual(found.matches.map((match) => `${match.path}:${match.line}`), [
    "a.ts:1",
    "a.ts:2",
  ]);
});

Deno.test("glob and grep's glob filter fail the call when a wildcard-heavy glob passes its deadline", async () => {
  const root = workspaceRoot(
    await tempWorkspace({ [`${"a".repeat(40)}.txt`]: "x\n", "b.ts": "x\n" }),
  );
  const slow = "*a*a*a*a*a*a*a*a*a*a*b";
  const tooSlow = /Glob "\*a\*a.*\*b" took over \d+ ms to match; use fewer wildcards/;
  await assert.rejects(
    call(grepTool(root, { timeoutMs: 300 }), { pattern: "x", glob: slow }),
    tooSlow,
  );
  await assert.rejects(call(globTool(root, { matchTimeoutMs: 300 }), { pattern: slow }), tooSlow);
  const found = await call(globTool(root), { pattern: "*.ts" }) as { files: string[] };
  assert.deepEqual(found.files, ["b.ts"]);
});
