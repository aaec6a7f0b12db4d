import assert from "node:assert/strict";
import { runFilesystemExample } from "../../../../examples/mcp_filesystem.ts";

Deno.test("examples/mcp_filesystem.ts: the scripted agent edits todo.md through the filesystem server", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    const { steps, outcome } = await runFilesystemExample(root);
    assert.equal(outcome.stopReason, "done");
    assert.deepEqual(steps.map((step) => `${step.call.tool}:${step.result.error ? "x" : "ok"}`), [
      "write_file:ok",
      "edit_file:ok",
      "read_text_file:ok",
      "read_text_file:x",
      "list_directory:ok",
      "done:ok",
    ]);
    assert.match(steps[3]!.result.error!, /MCP server "fs" failed: Access denied/);
    assert.equal(
      await Deno.readTextFile(`${root}/todo.md`),
      "- buy milk\n- [x] write the MCP example\n",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
