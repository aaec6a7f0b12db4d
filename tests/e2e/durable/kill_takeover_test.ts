// SIGKILL the worker running a run at five points; the other worker takes the
// run over after takeOverAfterMs. Each time: no step lost or repeated in the
// stream, no completed model call or tool call repeated, the streamed steps
// and the outcome equal the uninterrupted run's.
import assert from "node:assert/strict";
import { connectRuns } from "../../../dbos/mod.ts";
import { counterAgent } from "./_agent.ts";
import {
  Cleanup,
  control,
  counts,
  DATABASE_URL,
  drain,
  events,
  uninterrupted,
  waitForFile,
} from "./_harness.ts";

const AGENT = "e2e-kill";
const ignore = DATABASE_URL === undefined;
const CALLS = 5;

/** Kill points: where the run blocks, and what the test expects of tool 3. */
const POINTS = [
  { name: "mid model call", blockAt: "model:3" },
  { name: "mid tool call", blockAt: "tool:3" },
  { name: "between steps", blockAt: "between:3" },
  { name: "right after done", blockAt: "end" },
] as const;

for (const point of POINTS) {
  Deno.test({
    name: `launchWorker() takes over a run whose worker was SIGKILLed ${point.name}`,
    ignore,
    async fn() {
      const cleanup = new Cleanup(50_000);
      const dir = await Deno.makeTempDir();
      const runId = `kill-${point.blockAt.replace(":", "")}-${crypto.randomUUID()}`;
      const input = { dir, calls: CALLS, blockAt: point.blockAt };
      const runs = await connectRuns({ databaseUrl: DATABASE_URL! });
      try {
        const tag = crypto.randomUUID().slice(0, 8);
        const workers = await Promise.all([
          cleanup.worker(`a-${tag}`, AGENT),
          cleanup.worker(`b-${tag}`, AGENT),
        ]);
        const expected = await uninterrupted(counterAgent(AGENT), { dir, calls: CALLS }, "base");
        const watching = drain(await runs.submit(AGENT, input, { runId }));
        const blockedOn = await waitForFile(`${dir}/blocked-${runId}`, cleanup.signal);
        const victim = workers.find((worker) => worker.id === blockedOn)!;
        const survivor = workers.find((worker) => worker.id !== blockedOn)!;
        await victim.kill();
        const { steps, outcome } = await watching;

        assert.deepEqual(steps, expected.steps);
        assert.deepEqual(outcome, expected.outcome);
        const seen = events(dir, runId);
        const models = counts(seen, "model");
        assert.deepEqual(Object.values(models), Array(CALLS + 1).fill(1), "each model call once");
        assert.deepEqual(
          Object.values(counts(seen, "tool-end")),
          Array(CALLS).fill(1),
          "each tool call completed once",
        );
        const toolStarts = counts(seen, "tool-start");
        assert.equal(toolStarts[3], point.blockAt === "tool:3" ? 2 : 1);
        const last = seen.filter((event) => event.kind === "model").at(-1)!;
        if (point.blockAt !== "end") assert.equal(last.worker, survivor.id);
        const keys = seen.filter((event) => event.kind === "tool-start" && event.n === 3)
          .map((event) => event.key);
        assert.deepEqual(new Set(keys), new Set([`${runId}:tool#3:work`]));
      } finally {
        await cleanup.end();
        await runs.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "launchWorker() takes over a run waiting for approval; answer() comes from a third process",
  ignore,
  async fn() {
    const cleanup = new Cleanup(50_000);
    const dir = await Deno.makeTempDir();
    const runId = `kill-approval-${crypto.randomUUID()}`;
    const input = { dir, calls: CALLS, approveAt: 3 };
    const runs = await connectRuns({ databaseUrl: DATABASE_URL! });
    try {
      const tag = crypto.randomUUID().slice(0, 8);
      const workers = await Promise.all([
        cleanup.worker(`a-${tag}`, AGENT),
        cleanup.worker(`b-${tag}`, AGENT),
      ]);
      const expected = await uninterrupted(counterAgent(AGENT), input, "base");
      const run = await runs.submit(AGENT, input, { runId });
      const steps = [];
      let answered = false;
      for await (const step of run) {
        steps.push(step);
        if (step.result.awaitingApproval === undefined || answered) continue;
        const owner = events(dir, runId).filter((event) => event.kind === "model").at(-1)!.worker;
        await workers.find((worker) => worker.id === owner)!.kill();
        await control("answer", runId, "yes");
        answered = true;
      }
      const { encodeStep } = await import("../../../durable/mod.ts");
      assert.deepEqual(steps.map(encodeStep), expected.steps);
      assert.deepEqual(await run.outcome, expected.outcome);
      const seen = events(dir, runId);
      assert.deepEqual(Object.values(counts(seen, "model")), Array(CALLS + 1).fill(1));
      assert.deepEqual(Object.values(counts(seen, "tool-end")), Array(CALLS).fill(1));
    } finally {
      await cleanup.end();
      await runs.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "launchWorker() recovers its own runs when restarted with the same worker id",
  ignore,
  async fn() {
    const cleanup = new Cleanup(50_000);
    const dir = await Deno.makeTempDir();
    const runId = `restart-${crypto.randomUUID()}`;
    const input = { dir, calls: CALLS, blockAt: "tool:2" };
    const runs = await connectRuns({ databaseUrl: DATABASE_URL! });
    try {
      const id = `solo-${crypto.randomUUID().slice(0, 8)}`;
      // A takeover delay far beyond the test's deadline: only the restart can recover the run.
      const first = await cleanup.worker(id, "e2e-restart", { takeOverAfterMs: 600_000 });
      const expected = await uninterrupted(counterAgent("e2e-restart"), { dir, calls: CALLS }, "b");
      const watching = drain(await runs.submit("e2e-restart", input, { runId }));
      await waitForFile(`${dir}/blocked-${runId}`, cleanup.signal);
      await first.kill();
      await cleanup.worker(id, "e2e-restart", { takeOverAfterMs: 600_000 });
      const { steps, outcome } = await watching;
      assert.deepEqual(steps, expected.steps);
      assert.deepEqual(outcome, expected.outcome);
      assert.deepEqual(Object.values(counts(events(dir, runId), "tool-end")), Array(CALLS).fill(1));
    } finally {
      await cleanup.end();
      await runs.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
