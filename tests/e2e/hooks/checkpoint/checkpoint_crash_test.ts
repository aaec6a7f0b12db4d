import assert from "node:assert/strict";
import { join } from "node:path";
import type { StepRecord } from "../../../../mod.ts";
import { agent, TASK, TURNS } from "./_crash_agent.ts";

const SCRIPT = new URL("./_crash_agent.ts", import.meta.url).pathname;

/**
 * Run the agent in a subprocess until it pauses inside the first tool call after "step <killAt>",
 * then SIGKILL it. The child waits on stdin there, so the kill always lands mid-run; a 30 s
 * deadline kills it if it never gets there.
 */
async function runAndKill(
  dir: string,
  effects: string,
  killAt: number,
  keepSteps?: number,
): Promise<number> {
  const deadline = AbortSignal.timeout(30_000);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SCRIPT,
      dir,
      effects,
      `${killAt}`,
      ...(keepSteps === undefined ? [] : [`${keepSteps}`]),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: deadline,
  }).spawn();
  const decoder = new TextDecoder();
  let seen = 0;
  let paused = false;
  let output = "";
  const reader = child.stdout.getReader();
  try {
    while (!paused) {
      const { value, done } = await reader.read();
      if (done) break;
      output += decoder.decode(value, { stream: true });
      for (const match of output.matchAll(/step (\d+)\n/g)) seen = Number(match[1]);
      paused = /^paused$/m.test(output);
    }
    if (paused) child.kill("SIGKILL");
  } finally {
    reader.releaseLock();
    await child.stdout.cancel();
    await child.stdin.close().catch(() => {});
  }
  const status = await child.status;
  const stderr = await new Response(child.stderr).text();
  assert.ok(!deadline.aborted, `the child did not pause within 30 s (last step ${seen})`);
  assert.ok(paused, `the child ended on its own after step ${seen}: ${stderr}`);
  assert.equal(status.signal, "SIGKILL");
  return seen;
}

function comparable(steps: readonly StepRecord[]) {
  return steps.map(({ number, turn, call, result, usage }) => ({
    number,
    turn,
    call,
    data: result.data,
    error: result.error,
    usage,
  }));
}

Deno.test("checkpointHook() + resume: a run SIGKILLed at several points ends like an uninterrupted one", async () => {
  await crashAndResume();
});

Deno.test("checkpointHook() + resume with keepSteps: the journal keeps every step across SIGKILLs", async () => {
  await crashAndResume(2);
});

async function crashAndResume(keepSteps?: number) {
  const root = await Deno.makeTempDir();
  try {
    // Uninterrupted reference run, in process.
    const reference = agent(join(root, "ref"), join(root, "ref-effects"), () => {});
    const expected = (await reference.run())!;
    assert.equal(expected.stopReason, "done");
    assert.equal(expected.steps, TURNS + TURNS / 3 + 1);

    const dir = join(root, "crash");
    const effects = join(root, "effects");
    const killedAfter: number[] = [];
    for (const killAt of [3, 11, 19, 26]) {
      killedAfter.push(await runAndKill(dir, effects, killAt, keepSteps));
    }
    assert.ok(killedAfter.every((seen, index) => index === 0 || seen > killedAfter[index - 1]!));

    // The last resume runs to the end in process.
    const final = agent(dir, effects, () => {}, keepSteps);
    const outcome = await final.run();
    assert.ok(outcome !== undefined, "the crashed run was already done before the last resume");
    const saved = (await final.store.latest({ task: TASK }))!;
    assert.equal(outcome.stopReason, "done");
    assert.deepEqual(outcome.finalAnswer, expected.finalAnswer);
    assert.deepEqual(outcome.usage, expected.usage);
    assert.equal(outcome.modelCalls, expected.modelCalls);
    assert.equal(outcome.steps, expected.steps);
    assert.deepEqual(
      comparable(outcome.state.steps),
      comparable(expected.state.steps.slice(-(keepSteps ?? Infinity))),
    );
    assert.deepEqual(comparable(saved.steps), comparable(expected.state.steps));
    assert.deepEqual(
      outcome.state.transcript.map(({ role, content }) => [role, content]),
      expected.state.transcript.map(({ role, content }) => [role, content]),
    );
    assert.equal(saved.stopReason, "done");

    // A recorded call never runs again: at most one re-run per kill (the call in flight).
    const runs = (await Deno.readTextFile(effects)).trim().split("\n");
    const extra = runs.length - (expected.steps - 1);
    assert.ok(extra >= 0 && extra <= killedAfter.length, `ran ${extra} extra calls`);
    const counts = Map.groupBy(runs, (id) => id);
    for (const [id, list] of counts) assert.ok(list.length <= 2, `${id} ran ${list.length} times`);

    // A finished run is not resumed by accident.
    assert.equal(await agent(dir, effects, () => {}, keepSteps).run(), undefined);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
