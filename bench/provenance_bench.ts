/**
 * Provenance benchmark: the cost of recording a 1,000-step scripted run, and
 * of flushing it.
 *
 * Run: `deno run -A bench/provenance_bench.ts` (prints figures; no assertions).
 * Target: with the sink ≤ 2× the run without it; flushing 1,000 steps < 1 s.
 *
 * @module
 */
import { z } from "zod";
import { composableLoop, ScriptedBackend, tool } from "../mod.ts";
import type { Hook } from "../mod.ts";
import { ProvenanceSink } from "../provenance/mod.ts";
import { median } from "./_bench_utils.ts";

const STEPS = 1000;
const ROUNDS = 7;

const noop = tool({
  name: "noop",
  description: "Do nothing, return a small object.",
  input: z.object({ n: z.number() }),
  execute: ({ n }) => ({ n, ok: true }),
});

function script(): ScriptedBackend {
  return new ScriptedBackend(
    Array.from({ length: STEPS }, (_, i) => ({
      toolCalls: [{ name: "noop", args: { n: i } }],
      usage: { inputTokens: 100 + i, outputTokens: 10 },
    })),
    { recordRequests: false },
  );
}

async function plainRun(): Promise<number> {
  const started = performance.now();
  const outcome = await composableLoop({
    llm: script(),
    tools: [noop],
    task: "bench",
    maxSteps: STEPS,
  })
    .complete();
  if (outcome.steps !== STEPS) throw new Error(`expected ${STEPS} steps, got ${outcome.steps}`);
  return performance.now() - started;
}

async function recordedRun(
  live: boolean,
): Promise<{ runMs: number; flushMs: number; reflushMs: number; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "looplet_bench_" });
  const sink = new ProvenanceSink(dir, { live, flushOnEnd: false });
  const hooks: Hook[] = [sink.hook()];
  const started = performance.now();
  const outcome = await composableLoop({
    llm: sink.wrap(script()),
    tools: [noop],
    task: "bench",
    maxSteps: STEPS,
    hooks,
  }).complete();
  const runMs = performance.now() - started;
  if (outcome.steps !== STEPS) throw new Error(`expected ${STEPS} steps, got ${outcome.steps}`);
  const flushStarted = performance.now();
  await sink.flush();
  const flushMs = performance.now() - flushStarted;
  // Flushing again when every step and call file is already on disk (what a real
  // run sees: its model calls take far longer than the background writes).
  const reflushStarted = performance.now();
  await sink.flush();
  const reflushMs = performance.now() - reflushStarted;
  return { runMs, flushMs, reflushMs, dir };
}

const plain: number[] = [];
const live: { runMs: number; flushMs: number; reflushMs: number }[] = [];
const deferred: { runMs: number; flushMs: number; reflushMs: number }[] = [];
const dirs: string[] = [];
for (let warm = 0; warm < 3; warm++) { // warm up (JIT, zod)
  await plainRun();
  dirs.push((await recordedRun(true)).dir, (await recordedRun(false)).dir);
}
for (let round = 0; round < ROUNDS; round++) {
  plain.push(await plainRun());
  const a = await recordedRun(true);
  live.push(a);
  const b = await recordedRun(false);
  deferred.push(b);
  dirs.push(a.dir, b.dir);
}
// Deleting thousands of files slows the disk for a while: clean up only at the end.
for (const dir of dirs) await Deno.remove(dir, { recursive: true });

const perStep = (ms: number) => (ms * 1000 / STEPS).toFixed(1);
const base = median(plain);
const liveRun = median(live.map((r) => r.runMs));
const liveFlush = median(live.map((r) => r.runMs + r.flushMs));
const deferredRun = median(deferred.map((r) => r.runMs));
console.log(`provenance bench: ${STEPS}-step scripted run, median of ${ROUNDS}`);
console.log(`  without sink:                 ${perStep(base)} µs/step (${base.toFixed(1)} ms)`);
console.log(
  `  with sink (live writes):      ${perStep(liveRun)} µs/step (${liveRun.toFixed(1)} ms) = ${
    (liveRun / base).toFixed(2)
  }x`,
);
console.log(
  `  with sink, live, until all files are on disk: ${perStep(liveFlush)} µs/step = ${
    (liveFlush / base).toFixed(2)
  }x`,
);
console.log(
  `  with sink (live: false):      ${perStep(deferredRun)} µs/step (${
    deferredRun.toFixed(1)
  } ms) = ${(deferredRun / base).toFixed(2)}x`,
);
console.log(
  `  flush after a live run:       ${
    median(live.map((r) => r.flushMs)).toFixed(1)
  } ms (drains pending step/call files, writes trajectory.json + manifest)`,
);
console.log(
  `  flush of ${STEPS} steps (live: false): ${
    median(deferred.map((r) => r.flushMs)).toFixed(1)
  } ms (every step and call file + trajectory.json + manifest)`,
);
console.log(
  `  flush of ${STEPS} steps already on disk (trajectory.json + manifest): ${
    median(live.map((r) => r.reflushMs)).toFixed(1)
  } ms`,
);
