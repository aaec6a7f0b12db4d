// SIGKILL the worker running a run at five points; the other worker takes the
// run over after takeOverAfterMs. Each time: no step lost or repeated in the
// stream, no completed model call or tool call repeated, the streamed steps
// and the outcome equal the uninterrupted run's.
import assert from "node:assert/strict";
import { encodeStep } from "../../../durable/mod.ts";
import { counterAgent } from "./_agent.ts";
import { control, counts, drain, e2eTest, events, uninterrupted, waitForFile } from "./_harness.ts";

const AGENT = "e2e-kill";
const CALLS = 5;

/** Kill points where the run blocks once, on whichever worker runs it. */
const POINTS = [
  { name: "mid model call", blockAt: "model:3" },
  { name: "mid tool call", blockAt: "tool:3" },
  { name: "between steps", blockAt: "between:3" },
  { name: "right after done", blockAt: "end" },
] as const;

for (const point of POINTS) {
  e2eTest(
    `launchWorker() takes over a run whose worker was SIGKILLed ${point.name}`,
    45_000,
    async ({ cleanup, runs, dir }) => {
      const runId = `kill-${point.blockAt.replace(":", "")}-${crypto.randomUUID()}`;
      const tag = crypto.randomUUID().slice(0, 8);
      const workers = await Promise.all([
        cleanup.worker(`a-${tag}`, AGENT),
        cleanup.worker(`b-${tag}`, AGENT),
      ]);
      const expected = await uninterrupted(counterAgent(AGENT), { dir, calls: CALLS }, "base");
      const input = { dir, calls: CALLS, blockAt: point.blockAt };
      const watching = drain(await runs.submit(AGENT, input, { runId }));
      const blockedOn = await waitForFile(`${dir}/blocked-${runId}`, cleanup.signal);
      const victim = workers.find((worker) => worker.id === blockedOn)!;
      const survivor = workers.find((worker) => worker.id !== blockedOn)!;
      await victim.kill();
      const { steps, outcome } = await watching;

      assert.deepEqual(steps, expected.steps, "the stream, read through the crash");
      assert.deepEqual(outcome, expected.outcome);
      const seen = events(dir, runId);
      assert.deepEqual(Object.values(counts(seen, "model")), Array(CALLS + 1).fill(1));
      assert.deepEqual(Object.values(counts(seen, "tool-end")), Array(CALLS).fill(1));
      assert.equal(counts(seen, "tool-start")[3], point.blockAt === "tool:3" ? 2 : 1);
      if (point.blockAt !== "end") {
        assert.equal(seen.filter((event) => event.kind === "model").at(-1)!.worker, survivor.id);
      }
      const keys = seen.filter((event) => event.kind === "tool-start" && event.n === 3)
        .map((event) => event.key);
      assert.deepEqual(new Set(keys), new Set([`${runId}:tool#3:work`]));
    },
  );
}

e2eTest(
  "launchWorker() takes over a run waiting for approval; answer() comes from a third process",
  45_000,
  async ({ cleanup, runs, dir }) => {
    const runId = `kill-approval-${crypto.randomUUID()}`;
    const input = { dir, calls: CALLS, approveAt: 3 };
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
      steps.push(encodeStep(step));
      if (step.result.awaitingApproval === undefined || answered) continue;
      const owner = events(dir, runId).filter((event) => event.kind === "model").at(-1)!.worker;
      await workers.find((worker) => worker.id === owner)!.kill();
      await control("answer", runId, "yes");
      answered = true;
    }
    assert.equal(answered, true);
    assert.deepEqual(steps, expected.steps);
    assert.deepEqual(await run.outcome, expected.outcome);
    const seen = events(dir, runId);
    assert.deepEqual(Object.values(counts(seen, "model")), Array(CALLS + 1).fill(1));
    assert.deepEqual(Object.values(counts(seen, "tool-end")), Array(CALLS).fill(1));
  },
);

e2eTest(
  "launchWorker() recovers its own runs when restarted with the same worker id",
  45_000,
  async ({ cleanup, runs, dir }) => {
    const runId = `restart-${crypto.randomUUID()}`;
    const id = `solo-${crypto.randomUUID().slice(0, 8)}`;
    // A takeover delay far beyond the deadline: only the restart can recover the run.
    const solo = { takeOverAfterMs: 600_000 };
    const first = await cleanup.worker(id, "e2e-restart", solo);
    const expected = await uninterrupted(counterAgent("e2e-restart"), { dir, calls: CALLS }, "b");
    const input = { dir, calls: CALLS, blockAt: "tool:2" };
    const watching = drain(await runs.submit("e2e-restart", input, { runId }));
    await waitForFile(`${dir}/blocked-${runId}`, cleanup.signal);
    await first.kill();
    await cleanup.worker(id, "e2e-restart", solo);
    const { steps, outcome } = await watching;
    assert.deepEqual(steps, expected.steps);
    assert.deepEqual(outcome, expected.outcome);
    assert.deepEqual(Object.values(counts(events(dir, runId), "tool-end")), Array(CALLS).fill(1));
  },
);
