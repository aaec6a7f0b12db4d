// connectRuns() against real workers: many runs at once, duplicate submits,
// cancel and answer from a third process, failing tools, bad input.
import assert from "node:assert/strict";
import { counterAgent } from "./_agent.ts";
import { control, counts, drain, e2eTest, events, uninterrupted, waitForFile } from "./_harness.ts";

e2eTest(
  "launchWorker() runs 50 runs submitted at once on 2 workers, each on one worker, no step lost",
  55_000,
  async ({ cleanup, runs, dir }) => {
    const tag = crypto.randomUUID().slice(0, 8);
    await Promise.all([
      cleanup.worker(`many-a-${tag}`, "e2e-many", { concurrency: 4 }),
      cleanup.worker(`many-b-${tag}`, "e2e-many", { concurrency: 4 }),
    ]);
    const input = { dir, calls: 3 };
    const expected = await uninterrupted(counterAgent("e2e-many"), input, "base");
    const ids = Array.from({ length: 50 }, (_, i) => `many-${tag}-${i}`);
    const attached = await Promise.all(
      ids.map((runId) => runs.submit("e2e-many", input, { runId })),
    );
    const results = await Promise.all(attached.map(drain));
    const workersUsed = new Set<string>();
    for (const [i, result] of results.entries()) {
      const runId = ids[i] ?? "";
      assert.deepEqual(result.steps, expected.steps, `run ${runId} streamed every step once`);
      assert.deepEqual(result.outcome, expected.outcome);
      const seen = events(dir, runId);
      const owners = new Set(seen.map((event) => event.worker));
      assert.equal(owners.size, 1, `run ${runId} ran on one worker, got ${[...owners]}`);
      workersUsed.add([...owners].join());
      assert.deepEqual(Object.values(counts(seen, "tool-end")), [1, 1, 1]);
      assert.deepEqual(Object.values(counts(seen, "model")), [1, 1, 1, 1]);
    }
    assert.equal(workersUsed.size, 2, "both workers took runs");
  },
);

e2eTest(
  "Runs.submit() with a runId that exists attaches to that run instead of starting another",
  40_000,
  async ({ cleanup, runs, dir }) => {
    await cleanup.worker(`dup-${crypto.randomUUID().slice(0, 8)}`, "e2e-runs");
    const runId = `dup-${crypto.randomUUID()}`;
    const first = await runs.submit("e2e-runs", { dir, calls: 2 }, { runId });
    const second = await runs.submit("e2e-runs", { dir, calls: 4 }, { runId });
    const [a, b] = await Promise.all([drain(first), drain(second)]);
    assert.deepEqual(a, b);
    assert.equal(a.outcome.finalAnswer, "did 2", "the first submit's input wins");
    const third = await drain(await runs.submit("e2e-runs", { dir, calls: 4 }, { runId }));
    assert.deepEqual(third, a, "a submit after the end attaches to the finished run");
    assert.deepEqual(Object.values(counts(events(dir, runId), "tool-end")), [1, 1]);
    const late = await drain(runs.attach(runId, { from: 2 }));
    assert.deepEqual(late.steps, a.steps.slice(2));
  },
);

e2eTest(
  "Runs.cancel() from a third process ends a waiting run with stop reason cancelled",
  40_000,
  async ({ cleanup, runs, dir }) => {
    await cleanup.worker(`cancel-${crypto.randomUUID().slice(0, 8)}`, "e2e-runs");
    const runId = `cancel-${crypto.randomUUID()}`;
    const run = await runs.submit("e2e-runs", { dir, calls: 4, approveAt: 2 }, { runId });
    const steps = [];
    for await (const step of run) {
      steps.push(step);
      if (step.result.awaitingApproval !== undefined) await control("cancel", runId);
    }
    const outcome = await run.outcome;
    assert.equal(outcome.stopReason, "cancelled");
    assert.equal(outcome.steps, 2);
    assert.equal(outcome.modelCalls, 2);
    assert.deepEqual(steps.map((step) => step.call.tool), ["work", "work"]);
    assert.deepEqual(Object.values(counts(events(dir, runId), "tool-end")), [1]);
    await assert.rejects(runs.answer(runId, { approve: true }), /already ended \(CANCELLED\)/);
  },
);

e2eTest(
  "Runs.answer() from a third process denies a paused call; the model reads the denial",
  40_000,
  async ({ cleanup, runs, dir }) => {
    await cleanup.worker(`answer-${crypto.randomUUID().slice(0, 8)}`, "e2e-runs");
    const runId = `answer-${crypto.randomUUID()}`;
    const run = await runs.submit("e2e-runs", { dir, calls: 2, approveAt: 1 }, { runId });
    const steps = [];
    for await (const step of run) {
      steps.push(step);
      if (step.result.awaitingApproval !== undefined) await control("answer", runId, "no");
    }
    const [paused, denied] = steps;
    assert.equal(paused?.result.awaitingApproval, '"work" needs approval');
    assert.equal(denied?.result.errorKind, "permission_denied");
    assert.match(denied?.result.error ?? "", /no from control/);
    assert.equal((await run.outcome).stopReason, "done");
    assert.equal(
      counts(events(dir, runId), "tool-end")[1],
      undefined,
      "the denied call never ran",
    );
  },
);

e2eTest(
  "launchWorker() keeps the loop's failed-step behaviour for a tool that throws or returns non-JSON",
  40_000,
  async ({ cleanup, runs, dir }) => {
    await cleanup.worker(`throws-${crypto.randomUUID().slice(0, 8)}`, "e2e-runs");
    const input = { dir, calls: 3, throwAt: 2 };
    const expected = await uninterrupted(counterAgent("e2e-runs"), input, "base");
    const runId = `throws-${crypto.randomUUID()}`;
    const result = await drain(await runs.submit("e2e-runs", input, { runId }));
    assert.deepEqual(result, expected);
    assert.equal(result.steps[1]?.result.error, "Error: work 2 failed");
    assert.equal(result.steps[1]?.result.error_kind, "execution");

    const nonJson = await drain(
      await runs.submit("e2e-runs", { dir, calls: 2, nonJsonAt: 1 }, { runId: `${runId}-json` }),
    );
    assert.equal(
      nonJson.steps[0]?.result.error,
      'TypeError: Tool "work" returned a value that is not JSON: "result.when" is a Date; return plain JSON (objects, arrays, strings, finite numbers, booleans, null)',
    );
    assert.equal(nonJson.outcome.stopReason, "done");
  },
);

e2eTest(
  "Runs.submit() of an agent no worker registered throws, or waits with waitForWorker",
  40_000,
  async ({ cleanup, runs, dir }) => {
    const agent = `nobody-${crypto.randomUUID().slice(0, 8)}`;
    await assert.rejects(
      runs.submit(agent, { dir, calls: 1 }),
      new RegExp(`no worker has registered agent "${agent}"; start a worker`),
    );
    const runId = `late-${crypto.randomUUID()}`;
    const run = await runs.submit(agent, { dir, calls: 1 }, { runId, waitForWorker: true });
    await cleanup.worker(`late-${crypto.randomUUID().slice(0, 8)}`, agent);
    assert.equal((await drain(run)).outcome.finalAnswer, "did 1");
    await assert.rejects(
      runs.submit(agent, { when: new Date(0) }),
      /the input returned a value that is not JSON: "input.when" is a Date/,
    );
    await assert.rejects(async () => {
      for await (const _ of runs.attach(`missing-${crypto.randomUUID()}`)) { /* none */ }
    }, /no such run/);
  },
);

e2eTest(
  "Runs.answer() refuses a run that is not waiting for approval",
  40_000,
  async ({ cleanup, runs, dir }) => {
    await cleanup.worker(`busy-${crypto.randomUUID().slice(0, 8)}`, "e2e-runs");
    const runId = `busy-${crypto.randomUUID()}`;
    const run = await runs.submit("e2e-runs", { dir, calls: 2, blockAt: "tool:1" }, { runId });
    await waitForFile(`${dir}/blocked-${runId}`, cleanup.signal);
    await assert.rejects(
      runs.answer(runId, { approve: true }),
      /Cannot answer run ".+": it is not waiting for approval/,
    );
    await assert.rejects(
      runs.answer(runId, { approve: "yes" } as never),
      /'approval' must be \{ approve: true \} or \{ approve: false, reason\? \}/,
    );
    await runs.cancel(runId);
    assert.equal((await run.outcome).stopReason, "cancelled");
  },
);
