import assert from "node:assert/strict";
import { workspaceTools } from "../../../tools/workspace/workspace_tools.ts";
import { readFileTool } from "../../../tools/workspace/read_file_tool.ts";
import { editFileTool } from "../../../tools/workspace/edit_file_tool.ts";
import { writeFileTool } from "../../../tools/workspace/write_file_tool.ts";
import { globTool } from "../../../tools/workspace/glob_tool.ts";
import { grepTool } from "../../../tools/workspace/grep_tool.ts";
import { call, tempWorkspace } from "./_ctx.ts";

Deno.test("workspaceTools() gives the six coder tools, and fewer when asked", async () => {
  const root = await tempWorkspace();
  assert.deepEqual(workspaceTools(root).map((t) => t.name), [
    "bash",
    "read_file",
    "write_file",
    "edit_file",
    "glob",
    "grep",
  ]);
  assert.deepEqual(workspaceTools(root, { shell: false, write: false }).map((t) => t.name), [
    "read_file",
    "glob",
    "grep",
  ]);
});

Deno.test("read_file numbers lines, reads ranges, and refuses escapes and folders", async () => {
  const root = await tempWorkspace({ "src/a.ts": "one\ntwo\nthree\n" });
  const read = readFileTool(root);
  assert.deepEqual(await call(read, { path: "src/a.ts" }), {
    path: "src/a.ts",
    content: "   1 | one\n   2 | two\n   3 | three",
    total_lines: 3,
  });
  assert.equal((await call(read, { path: "src/a.ts", offset: 2, limit: 1 })).content, "   2 | two");
  await assert.rejects(call(read, { path: "../etc/passwd" }), /contains "\.\."/);
  await assert.rejects(call(read, { path: "/etc/passwd" }), /is absolute/);
  await assert.rejects(call(read, { path: "src" }), /is a folder/);
  await assert.rejects(call(read, { path: "nope.ts" }), /does not exist; use glob/);
});

Deno.test("write_file creates folders and refuses paths outside the workspace", async () => {
  const root = await tempWorkspace();
  const write = writeFileTool(root);
  assert.deepEqual(await call(write, { path: "deep/new.txt", content: "a\nb" }), {
    path: "deep/new.txt",
    lines: 2,
    bytes: 3,
  });
  assert.equal(await Deno.readTextFile(`${root}/deep/new.txt`), "a\nb");
  await assert.rejects(call(write, { path: "../escape.txt", content: "x" }), /contains "\.\."/);
  const outside = await tempWorkspace();
  await Deno.symlink(outside, `${root}/out`);
  await assert.rejects(call(write, { path: "out/x.txt", content: "x" }), /through a symlink/);
  assert.deepEqual([...Deno.readDirSync(outside)], []);
});

Deno.test("edit_file replaces a unique match and refuses missing, ambiguous and no-op edits", async () => {
  const root = await tempWorkspace({ "a.ts": "let x = 1;\nlet y = 1;\n" });
  const edit = editFileTool(root);
  await assert.rejects(
    call(edit, { path: "a.ts", old_string: "= 1;", new_string: "= 2;" }),
    /matches 2 places in "a.ts"; include more surrounding lines/,
  );
  await assert.rejects(
    call(edit, { path: "a.ts", old_string: "let z", new_string: "let w" }),
    /old_string was not found in "a.ts"/,
  );
  await assert.rejects(
    call(edit, { path: "a.ts", old_string: "let x", new_string: "let x" }),
    /would change nothing/,
  );
  assert.equal(await Deno.readTextFile(`${root}/a.ts`), "let x = 1;\nlet y = 1;\n");
  assert.deepEqual(
    await call(edit, { path: "a.ts", old_string: "let y = 1;", new_string: "let y = 2;" }),
    {
      path: "a.ts",
      line: 2,
      removed_lines: 1,
      added_lines: 1,
    },
  );
  assert.equal(await Deno.readTextFile(`${root}/a.ts`), "let x = 1;\nlet y = 2;\n");
});

Deno.test("glob matches at any depth, skips node_modules and caps results", async () => {
  const root = await tempWorkspace({
    "a.ts": "",
    "src/b.ts": "",
    "src/c_test.ts": "",
    "src/d.md": "",
    "node_modules/x/e.ts": "",
  });
  const glob = globTool(root, { maxResults: 2 });
  assert.deepEqual(await call(glob, { pattern: "*.ts" }), {
    files: ["a.ts", "src/b.ts"],
    total: 3,
    truncated: true,
  });
  assert.deepEqual((await call(globTool(root), { pattern: "src/*_test.ts" })).files, [
    "src/c_test.ts",
  ]);
  assert.deepEqual((await call(globTool(root), { pattern: "**/*.{md,ts}" })).total, 4);
  await assert.rejects(call(glob, { pattern: "../**" }), /leaves the workspace/);
});

Deno.test("grep finds lines by regex, filters by glob and reports bad patterns", async () => {
  const root = await tempWorkspace({ "a.ts": "const A = 1;\nfoo()\n", "b.md": "foo bar\n" });
  const grep = grepTool(root);
  assert.deepEqual(await call(grep, { pattern: "fo+" }), {
    matches: [{ path: "a.ts", line: 2, text: "foo()" }, { path: "b.md", line: 1, text: "foo bar" }],
    total: 2,
  });
  assert.equal((await call(grep, { pattern: "FOO", glob: "*.md", ignore_case: true })).total, 1);
  await assert.rejects(call(grep, { pattern: "(" }), /not a valid regular expression/);
});
