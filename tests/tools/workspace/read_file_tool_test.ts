import assert from "node:assert/strict";
import { open } from "node:fs/promises";
import { readFileTool } from "../../../tools/workspace/read_file_tool.ts";
import { workspaceRoot } from "../../../tools/workspace/workspace_path.ts";
import { call, tempWorkspace } from "./_ctx.ts";

interface Read {
  content: string;
  total_lines?: number;
  next_offset?: number;
  truncated?: true;
}

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => `line ${from + index}`).join("\n");

Deno.test("read_file returns a range and says where to read on, or the total at the end", async () => {
  const root = workspaceRoot(await tempWorkspace({ "a.txt": `${lines(1, 100)}\n` }));
  const read = readFileTool(root);
  const middle = await call(read, { path: "a.txt", offset: 10, limit: 3 }) as Read;
  assert.equal(middle.content, "  10 | line 10\n  11 | line 11\n  12 | line 12");
  assert.equal(middle.next_offset, 13);
  assert.equal(middle.total_lines, undefined);
  const end = await call(read, { path: "a.txt", offset: 99 }) as Read;
  assert.equal(end.content, "  99 | line 99\n 100 | line 100");
  assert.equal(end.total_lines, 100);
  const past = await call(read, { path: "a.txt", offset: 500 }) as Read;
  assert.deepEqual([past.content, past.total_lines], ["", 100]);
});

Deno.test("read_file counts a last line without a newline, and lines split across chunks", async () => {
  const long = "x".repeat(70_000); // longer than one 64 KiB read
  const root = workspaceRoot(await tempWorkspace({ "b.txt": `a\n${long}\nb\nlast` }));
  const read = readFileTool(root, { maxChars: 200_000 });
  const all = await call(read, { path: "b.txt" }) as Read;
  assert.equal(all.total_lines, 4);
  assert.equal(all.content, `   1 | a\n   2 | ${long}\n   3 | b\n   4 | last`);
  const tail = await call(read, { path: "b.txt", offset: 4 }) as Read;
  assert.deepEqual([tail.content, tail.total_lines], ["   4 | last", 4]);
});

Deno.test("read_file stops at maxChars and cuts a single huge line, pointing past it", async () => {
  const root = workspaceRoot(
    await tempWorkspace({ "c.txt": `${lines(1, 1000)}\n`, "d.txt": `${"y".repeat(50_000)}\nz\n` }),
  );
  const read = readFileTool(root, { maxChars: 100 });
  const cut = await call(read, { path: "c.txt" }) as Read;
  assert.equal(cut.truncated, true);
  assert.ok(cut.content.length <= 100, cut.content);
  assert.equal(cut.next_offset, cut.content.split("\n").length + 1);
  const huge = await call(read, { path: "d.txt" }) as Read;
  assert.equal(huge.truncated, true);
  assert.equal(huge.content.length, 102);
  assert.equal(huge.next_offset, 2);
  const after = await call(read, { path: "d.txt", offset: 2 }) as Read;
  assert.equal(after.content, "   2 | z");
});

Deno.test("read_file reads the first lines of a 400 MB file without loading it", async () => {
  const root = workspaceRoot(await tempWorkspace());
  const file = await open(`${root}/big.log`, "w");
  await file.write(`${lines(1, 2000)}\n`);
  await file.truncate(400 * 1024 * 1024); // sparse: the rest reads as zero bytes
  await file.close();
  const before = Deno.memoryUsage().rss;
  const head = await call(readFileTool(root), { path: "big.log", limit: 5 }) as Read;
  const grown = Deno.memoryUsage().rss - before;
  assert.equal(head.content.split("\n").length, 5);
  assert.equal(head.next_offset, 6);
  assert.ok(grown < 100 * 1024 * 1024, `RSS grew by ${Math.round(grown / 1e6)} MB`);
});

Deno.test("read_file refuses binary files and folders with one line naming the path", async () => {
  const root = workspaceRoot(await tempWorkspace({ "dir/x.txt": "x" }));
  await Deno.writeFile(`${root}/bin.dat`, new Uint8Array([1, 0, 2]));
  await assert.rejects(call(readFileTool(root), { path: "bin.dat" }), /"bin\.dat" is binary/);
  await assert.rejects(call(readFileTool(root), { path: "dir" }), /"dir" is a folder; use glob/);
  await assert.rejects(
    call(readFileTool(root), { path: "nope.txt" }),
    /"nope\.txt" does not exist/,
  );
});
