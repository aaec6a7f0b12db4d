import assert from "node:assert/strict";
import {
  resolveWorkspacePath,
  WorkspacePathError,
  workspaceRoot,
} from "../../../tools/workspace/workspace_path.ts";
import { tempWorkspace } from "./_ctx.ts";

Deno.test("resolveWorkspacePath() resolves a relative path inside the workspace, even if missing", async () => {
  const root = workspaceRoot(await tempWorkspace({ "src/a.ts": "x" }));
  assert.equal(await resolveWorkspacePath(root, "src/a.ts"), `${root}/src/a.ts`);
  assert.equal(await resolveWorkspacePath(root, "new/dir/b.ts"), `${root}/new/dir/b.ts`);
  assert.equal(await resolveWorkspacePath(root, "./src/a.ts"), `${root}/src/a.ts`);
});

Deno.test("resolveWorkspacePath() refuses absolute paths, '..' and empty paths", async () => {
  const root = workspaceRoot(await tempWorkspace());
  await assert.rejects(resolveWorkspacePath(root, "/etc/passwd"), (error: Error) => {
    assert.ok(error instanceof WorkspacePathError);
    assert.match(error.message, /"\/etc\/passwd" is absolute; give a path relative/);
    return true;
  });
  await assert.rejects(resolveWorkspacePath(root, "../x"), /contains "\.\."/);
  await assert.rejects(resolveWorkspacePath(root, "src/../../x"), /contains "\.\."/);
  await assert.rejects(resolveWorkspacePath(root, "  "), /Path is empty/);
});

Deno.test("resolveWorkspacePath() refuses a symlink that leads out of the workspace", async () => {
  const outside = await tempWorkspace({ "secret.txt": "s" });
  const root = workspaceRoot(await tempWorkspace());
  await Deno.symlink(outside, `${root}/link`);
  await Deno.symlink(`${outside}/secret.txt`, `${root}/file-link`);
  await assert.rejects(resolveWorkspacePath(root, "link/secret.txt"), /through a symlink/);
  await assert.rejects(resolveWorkspacePath(root, "file-link"), /through a symlink/);
  await assert.rejects(resolveWorkspacePath(root, "link/new.txt"), /through a symlink/);
  await Deno.symlink(`${root}/missing`, `${root}/dangling`);
  await assert.rejects(resolveWorkspacePath(root, "dangling"), /broken symlink/);
});

Deno.test("resolveWorkspacePath() allows a symlink that stays inside the workspace", async () => {
  const root = workspaceRoot(await tempWorkspace({ "real/a.txt": "a" }));
  await Deno.symlink(`${root}/real`, `${root}/alias`);
  assert.equal(await resolveWorkspacePath(root, "alias/a.txt"), `${root}/real/a.txt`);
});

Deno.test("workspaceRoot() throws a TypeError naming a missing folder", () => {
  assert.throws(
    () => workspaceRoot("/no/such/folder-xyz"),
    /"\/no\/such\/folder-xyz": the folder does not exist/,
  );
});
