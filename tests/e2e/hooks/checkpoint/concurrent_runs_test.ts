import assert from "node:assert/strict";
import { FileCheckpointStore } from "../../../../hooks/mod.ts";

const SCRIPT = new URL("./_concurrent_runs.ts", import.meta.url).pathname;
const RUNS = 200;
const STEPS = 20;

Deno.test({
  name:
    `${RUNS} concurrent runs with checkpoints stay under 500 MB peak RSS (measured in a subprocess)`,
  ignore: Deno.build.os !== "linux", // VmHWM is Linux's peak RSS
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "looplet-concurrent-" });
    try {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", SCRIPT, root, String(RUNS), String(STEPS)],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(50_000),
      }).output();
      const errors = new TextDecoder().decode(stderr);
      assert.equal(code, 0, errors);
      const { done, peakRssMb } = JSON.parse(new TextDecoder().decode(stdout));
      assert.equal(done, RUNS);
      assert.ok(peakRssMb < 500, `peak RSS ${peakRssMb.toFixed(0)} MB`);
      // every run's checkpoints are complete
      const state = await new FileCheckpointStore(`${root}/run-${RUNS - 1}`).latest();
      assert.equal(state?.steps.length, STEPS);
      assert.equal(state?.stopReason, "done");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
