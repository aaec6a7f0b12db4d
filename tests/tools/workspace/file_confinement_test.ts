// Hard links, dotted names and a folder swapped for a symlink while the file tools run.
import assert from "node:assert/strict";
import { link, mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { readFileTool } from "../../../tools/workspace/read_file_tool.ts";
import { writeFileTool } from "../../../tools/workspace/write_file_tool.ts";
import { editFileTool } from "../../../tools/workspace/edit_file_tool.ts";
import { grepTool } from "../../../tools/workspace/grep_tool.ts";
import { globTool } from "../../../tools/workspace/glob_tool.ts";
import { resolveWorkspacePath, workspaceRoot } from "../../../tools/workspace/workspace_path.ts";
import { call, tempWorkspace } from "./_ctx.ts";

async function withOutsideHardLink() {
  const outside = await tempWorkspace({ "secret.txt": "OUTSIDE SECRET\n" });
  const root = workspaceRoot(await tempWorkspace({ "ok.txt": "fine\n" }));
  await link(`${outside}/secret.txt`, `${root}/linked.txt`);
  return { outside, root };
}

Deno.test("file tools refuse a hard-linked file with a one-line error naming it", async () => {
  const { outside, root } = await withOutsideHardLink();
  const refused = /File "linked\.txt" has 2 hard links, .*refused .*'allowHardLinks'\)$/;
  await assert.rejects(call(readFileTool(root), { path: "linked.txt" }), refused);
  await assert.rejects(call(writeFileTool(root), { path: "linked.txt", content: "x" }), refused);
  await assert.rejects(
    call(editFileTool(root), { path: "linked.txt", old_string: "OUTSIDE", new_string: "x" }),
    refused,
  );
  const found = await call(grepTool(root), { pattern: "SECRET|fine" }) as {
    matches: { path: string }[];
  };
  assert.deepEqual(found.matches.map((match) => match.path), ["ok.txt"]);
  assert.equal(await readFile(`${outside}/secret.txt`, "utf8"), "OUTSIDE SECRET\n");
});

Deno.test("file tools use hard-linked files when the workspace opts in", async () => {
  const { outside, root } = await withOutsideHardLink();
  const read = await call(readFileTool(root, { allowHardLinks: true }), { path: "linked.txt" });
  assert.match((read as { content: string }).content, /OUTSIDE SECRET/);
  await call(writeFileTool(root, { allowHardLinks: true }), { path: "linked.txt", content: "y\n" });
  assert.equal(await readFile(`${outside}/secret.txt`, "utf8"), "y\n");
});

Deno.test("names that start with dots (..data, ...txt) are inside the workspace", async () => {
  const root = workspaceRoot(
    await tempWorkspace({ "..data": "d\n", "...txt": "t\n", "a/..b/c": "c\n" }),
  );
  for (const path of ["..data", "...txt", "a/..b/c"]) {
    assert.equal(await resolveWorkspacePath(root, path), `${root}/${path}`);
    const read = await call(readFileTool(root), { path }) as { content: string };
    assert.match(read.content, /^ {3}1 \| [dtc]$/);
  }
  await call(writeFileTool(root), { path: "..new/..x", content: "n" });
  assert.equal(await readFile(`${root}/..new/..x`, "utf8"), "n");
  const files = await call(globTool(root), { pattern: "**/*" }) as { files: string[] };
  assert.ok(files.files.includes("..data") && files.files.includes("a/..b/c"), String(files.files));
});

Deno.test("a folder swapped for a symlink in a loop never redirects a read or a write outside", async () => {
  const outside = await tempWorkspace({ "d/file.txt": "OUTSIDE\n" });
  const root = workspaceRoot(await tempWorkspace({ "d/file.txt": "inside\n" }));
  const read = readFileTool(root);
  const write = writeFileTool(root);
  const deadline = Date.now() + 20_000;
  const [folder, saved] = [`${root}/d`, `${root}/d.saved`];
  let stop = false;
  let swaps = 0;
  // Put the real folder back (clearing a folder write_file may have made while `d` was missing).
  const restore = async () => {
    if (!existsSync(saved)) return;
    await rm(folder, { recursive: true, force: true }).catch(() => {});
    await rename(saved, folder).catch(() => {});
  };
  // The attacker: swap the real folder `d` for a symlink to a folder outside, and back.
  const swapper = (async () => {
    while (!stop && Date.now() < deadline) {
      await restore();
      if ((await rename(folder, saved).then(() => true, () => false)) === false) continue;
      await rm(folder, { recursive: true, force: true }).catch(() => {});
      await symlink(`${outside}/d`, folder).then(() => swaps++, () => {});
      await new Promise((resolve) => setImmediate(resolve));
      await restore();
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  let reads = 0;
  let refused = 0;
  try {
    for (let attempt = 0; attempt < 400 && Date.now() < deadline; attempt++) {
      const result = await call(read, { path: "d/file.txt" }).catch((error: Error) => error);
      if (result instanceof Error) refused++;
      else {
        reads++;
        assert.doesNotMatch((result as { content: string }).content, /OUTSIDE/);
      }
      await call(write, { path: `d/new-${attempt}.txt`, content: "w" }).catch(() => refused++);
    }
  } finally {
    stop = true;
    await swapper;
  }
  assert.equal(await readFile(`${outside}/d/file.txt`, "utf8"), "OUTSIDE\n");
  const created = [...Array(400).keys()].filter((n) => existsSync(`${outside}/d/new-${n}.txt`));
  assert.deepEqual(created, [], "no file was created outside");
  // The attack ran during the calls, and refusals are not blanket: once it stops, reads work.
  assert.ok(swaps > 0, `the folder was swapped (${reads} reads, ${refused} refusals)`);
  await restore();
  const after = await call(read, { path: "d/file.txt" }) as { content: string };
  assert.equal(after.content, "   1 | inside");
});

Deno.test("write_file creates missing folders through descriptors and refuses a symlinked parent", async () => {
  const outside = await tempWorkspace();
  const root = workspaceRoot(await tempWorkspace());
  await call(writeFileTool(root), { path: "a/b/c.txt", content: "deep" });
  assert.equal(await readFile(`${root}/a/b/c.txt`, "utf8"), "deep");
  await mkdir(`${root}/real`);
  await symlink(outside, `${root}/out`);
  await assert.rejects(
    call(writeFileTool(root), { path: "out/x.txt", content: "x" }),
    /outside the workspace/,
  );
  assert.equal(existsSync(`${outside}/x.txt`), false);
  await writeFile(`${root}/real/f.txt`, "f");
});
