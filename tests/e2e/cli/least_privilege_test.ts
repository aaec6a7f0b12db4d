/**
 * The least-privilege `deno run` flags the README documents for `looplet run`
 * are enough: reads and writes only in the working folder, the two
 * environment variables the yaml package reads (LOG_TOKENS, LOG_STREAM) and the one
 * node:child_process reads when the CLI looks for a sandbox (NODE_V8_COVERAGE).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../cli.ts";

const CLI = fileURLToPath(new URL("../../../cli.ts", import.meta.url));
const LEAST_PRIVILEGE = [
  "--allow-read=.",
  "--allow-write=.",
  "--allow-env=LOG_TOKENS,LOG_STREAM,NODE_V8_COVERAGE",
];

Deno.test("looplet run works under the documented least-privilege deno run flags, trace included", async () => {
  const dir = await mkdtemp(join(tmpdir(), "looplet-perms-"));
  try {
    const quiet = { stdout: () => {}, stderr: () => {} };
    assert.equal(await main(["new", join(dir, "agent")], quiet), 0);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...LEAST_PRIVILEGE, CLI, "run", "agent", "Say hello", "--scripted"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
      signal: AbortSignal.timeout(40_000),
    }).output();
    const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, text);
    assert.match(text, /✓ done in 2 steps/);
    assert.match(text, /Trace: .*\.looplet\/traces\//);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
