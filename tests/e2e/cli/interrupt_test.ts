import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI, REPO, text, waitForFile } from "./_process.ts";

Deno.test({
  name: "looplet run exits 130 on Ctrl-C and the interrupted call is in the trace",
  sanitizeResources: false,
  fn: async () => {
    const workspace = await Deno.makeTempDir({ prefix: "looplet-interrupt-" });
    const deadline = AbortSignal.timeout(45_000);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        CLI,
        "run",
        "coder",
        "Wait",
        "--workspace",
        workspace,
        "--trace-dir",
        join(workspace, "trace"),
        "--scripted-response",
        JSON.stringify({ tool: "bash", args: { command: "touch started && sleep 40" } }),
        "--scripted-response",
        JSON.stringify({ tool: "done", args: { answer: "never" } }),
      ],
      cwd: REPO,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: deadline,
    }).spawn();
    try {
      const out = text(child.stdout);
      const err = text(child.stderr);
      await waitForFile(join(workspace, "started"), deadline);
      child.kill("SIGINT");
      const status = await child.status;
      const stderr = await err;
      assert.equal(status.code, 130, stderr);
      assert.match(
        stderr,
        /error: interrupted during bash\(command=touch started && sleep 40\) after 1 step/,
      );
      assert.match(
        await out,
        /#1 ✗ bash\(command=touch started && sleep 40\) → ERROR: .*interrupted/,
      );
      const trajectory = JSON.parse(
        await Deno.readTextFile(join(workspace, "trace", "trajectory.json")),
      );
      assert.equal(trajectory.termination_reason ?? trajectory.stop_reason, "cancelled");
      const recorded = JSON.stringify(trajectory.steps ?? []) +
        await Deno.readTextFile(join(workspace, "trace", "steps", "step_01.json")).catch(() => "");
      assert.match(recorded, /"bash"/);
      assert.match(recorded, /interrupted/);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await Deno.remove(workspace, { recursive: true });
    }
  },
});
