import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli.ts";

async function header(env: Record<string, string>, isTTY: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "looplet-color-"));
  try {
    const bundle = join(dir, "agent");
    const quiet = { stdout: () => {}, stderr: () => {}, env, isTTY };
    assert.equal(await main(["new", bundle], quiet), 0);
    const lines: string[] = [];
    const code = await main(
      ["run", bundle, "Say hello", "--scripted", "--no-trace", "--workspace", dir],
      { ...quiet, stdout: (text) => lines.push(text) },
    );
    assert.equal(code, 0, lines.join("\n"));
    return lines[0]!;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const BOLD = "\x1b[1m";

Deno.test("main() colours output when FORCE_COLOR is set, even when stdout is not a terminal", async () => {
  assert.ok((await header({ FORCE_COLOR: "1" }, false)).includes(BOLD));
  assert.ok((await header({ FORCE_COLOR: "1", NO_COLOR: "1" }, false)).includes(BOLD));
});

Deno.test("main() leaves colour off for FORCE_COLOR=0, NO_COLOR, and a pipe", async () => {
  assert.ok(!(await header({ FORCE_COLOR: "0" }, true)).includes(BOLD));
  assert.ok(!(await header({ NO_COLOR: "1" }, true)).includes(BOLD));
  assert.ok(!(await header({}, false)).includes(BOLD));
  assert.ok((await header({}, true)).includes(BOLD), "a terminal without either gets colour");
});
