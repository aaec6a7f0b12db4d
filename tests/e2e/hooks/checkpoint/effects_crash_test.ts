// Crash-resume with real SIGKILLs at seeded kill points (during a model
// call, right after a reply is saved, after a call's start is journaled but
// before its effect, after the effect but before the result, after a step is
// saved, during a read-only tool): no completed step is lost, no side effect
// is repeated, interrupted calls are visible as such, and the run ends as an
// uninterrupted one does.
import assert from "node:assert/strict";
import { join } from "node:path";
import { agent, AMOUNTS, KINDS } from "./_effects_agent.ts";

const SCRIPT = new URL("./_effects_agent.ts", import.meta.url).pathname;
const KILLS_PER_RUN = 8;
const DEADLINE_MS = 50_000;

/** mulberry32: a small seeded generator, so the kill points are the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function killPoints(seed: number): string[] {
  const next = random(seed);
  const points: string[] = [];
  while (points.length < KILLS_PER_RUN) {
    let kind: string = KINDS[Math.floor(next() * KINDS.length)]!;
    // a check happens only after an interrupted charge, in the next process
    if (kind === "check" && !points.at(-1)?.includes("effect")) kind = "model";
    points.push(`${kind}:${kind === "check" ? 1 : 1 + Math.floor(next() * 2)}`);
  }
  return points;
}

/** Run the agent until it reaches `killAt`, SIGKILL it there; returns the steps it printed. */
async function runAndKill(
  dir: string,
  effects: string,
  killAt: string,
  signal: AbortSignal,
): Promise<{ steps: string[]; killed: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, dir, effects, killAt],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const steps: string[] = [];
  let killed = false;
  let buffer = "";
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  const stderr = child.stderr.text();
  try {
    while (!killed) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith("step ")) steps.push(line.slice(5));
        if (line === `at ${killAt}`) {
          child.kill("SIGKILL");
          killed = true;
        }
      }
    }
  } finally {
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stdin.close().catch(() => {});
  }
  const status = await child.status;
  const errors = await stderr;
  if (killed) assert.equal(status.signal, "SIGKILL");
  else assert.equal(status.code, 0, `the agent failed before ${killAt}: ${errors}`);
  return { steps, killed };
}

async function withDeadline(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("deadline passed")), DEADLINE_MS);
  try {
    await fn(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

const TOTAL = AMOUNTS.reduce((sum, amount) => sum + amount, 0);

for (const seed of [12, 34, 56]) {
  const points = killPoints(seed);
  Deno.test(`effect journal + resume: SIGKILL at ${points.join(", ")} (seed ${seed}) repeats no side effect and loses no step`, async () => {
    await withDeadline(async (signal) => {
      const root = await Deno.makeTempDir({ prefix: "looplet-effects-crash-" });
      try {
        const dir = join(root, "ckpt");
        const effects = join(root, "effects");
        const printed: string[] = [];
        for (const killAt of points) {
          const { steps, killed } = await runAndKill(dir, effects, killAt, signal);
          assert.ok(killed, `the run ended before reaching ${killAt}; pick earlier kill points`);
          printed.push(...steps);
        }
        const outcome = (await agent(dir, effects).run())!;
        assert.equal(outcome.stopReason, "done");
        assert.equal(
          outcome.finalAnswer,
          `charged ${TOTAL}`,
          "the outcome of an uninterrupted run",
        );

        // 0 silently repeated side effects: each amount charged exactly once, each key once
        const lines = Deno.readTextFileSync(effects).trim().split("\n").map((line) =>
          line.split(" ")
        );
        assert.deepEqual(lines.map(([, amount]) => Number(amount)).sort((a, b) => a - b), AMOUNTS);
        assert.equal(new Set(lines.map(([key]) => key)).size, lines.length);
        assert.ok(lines.every(([key]) => key!.startsWith(`${outcome.state.runId}:`)));

        // 0 lost completed steps: every step a child saw is in the final state, as it was
        const final = new Map(outcome.state.steps.map((step) => [step.number, step.call.id]));
        for (const line of printed) {
          const [number, id] = line.split(" ");
          assert.equal(final.get(Number(number)), id, `step ${line} was lost`);
        }
        assert.deepEqual(
          outcome.state.steps.map((step) => step.number),
          outcome.state.steps.map((_, index) => index + 1),
        );

        // interrupted calls are visible as such: a charge killed after its start was
        // journaled is a failed step of kind interrupted, and the model checked it
        const interrupted = outcome.state.steps.filter((s) => s.result.errorKind === "interrupted");
        const killedMidCharge = points.filter((p) => p.includes("effect")).length;
        assert.equal(interrupted.length, killedMidCharge);
        for (const step of interrupted) {
          assert.equal(step.call.tool, "charge");
          assert.match(step.result.error!, /may or may not have taken effect/);
          assert.ok(
            outcome.state.steps.some((s) =>
              s.call.tool === "check" && s.call.args.call_id === step.call.id
            ),
            `the model checked ${step.call.id}`,
          );
        }
        assert.equal(outcome.state.inFlight, undefined);
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  });
}

Deno.test("effect journal kill points: at least 20, including mid-tool and between journal writes", () => {
  const all = [12, 34, 56].flatMap(killPoints);
  assert.ok(all.length >= 20);
  for (const kind of ["before-effect", "after-effect", "reply", "after-step"]) {
    assert.ok(all.some((point) => point.startsWith(kind)), `no kill point of kind ${kind}`);
  }
});

Deno.test("an uninterrupted run of the effects agent charges each amount once", async () => {
  const root = await Deno.makeTempDir({ prefix: "looplet-effects-ref-" });
  try {
    const outcome = (await agent(join(root, "ckpt"), join(root, "effects")).run())!;
    assert.equal(outcome.finalAnswer, `charged ${TOTAL}`);
    assert.equal(
      Deno.readTextFileSync(join(root, "effects")).trim().split("\n").length,
      AMOUNTS.length,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
