/**
 * What a checkpoint costs per turn as the history grows: one run of 5,100
 * turns whose transcript keeps growing (no compaction), checkpointHook's
 * defaults (a save after each reply, the start of each call, a save after
 * each step), FileCheckpointStore on tmpfs (/dev/shm) and under $TMPDIR.
 * Only the store's own time is counted (the saves are synchronous inside
 * `save()`), summed per turn; the table gives the median over turns 51-150
 * and 4,951-5,050 and their ratio (issue 19: at most 1.5).
 *
 *   deno run -A bench/checkpoint_bench.ts
 *   deno run -A bench/checkpoint_bench.ts --turns 2000
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { composableLoop, type EffectStart, type LoopState, tool } from "../mod.ts";
import { checkpointHook, type CheckpointSink, FileCheckpointStore } from "../hooks/mod.ts";
import { countingBackend, quantile } from "./_bench_utils.ts";

const { values } = parseArgs({ args: Deno.args, options: { turns: { type: "string" } } });
const turns = Number(values.turns ?? 5_100);
const early = [51, 150] as const;
const late = [turns - 149, turns - 50] as const;

const work = tool({
  name: "work",
  description: "Return a record.",
  input: z.object({ i: z.number() }),
  execute: ({ i }) => ({ i, text: "x".repeat(200 + (i % 7) * 20) }),
});

/** The store, with the time spent in it added to the current turn's entry. */
function timed(store: FileCheckpointStore, perTurn: number[], state: () => LoopState | undefined) {
  const add = (started: number) => {
    const turn = state()?.turn ?? 0;
    perTurn[turn] = (perTurn[turn] ?? 0) + performance.now() - started;
  };
  const sink: CheckpointSink = {
    save(saved, options) {
      const started = performance.now();
      const done = store.save(saved, options);
      add(started);
      return done;
    },
    recordEffect(effect: EffectStart, saved: LoopState) {
      const started = performance.now();
      const done = store.recordEffect(effect, saved);
      add(started);
      return done;
    },
    close: () => store.close(),
  };
  return sink;
}

function median(values: number[]): number {
  return quantile(values.filter((value) => value !== undefined), 0.5);
}

async function measure(where: string, base: string | undefined) {
  const dir = await Deno.makeTempDir({
    prefix: "looplet-ckpt-bench-",
    ...(base ? { dir: base } : {}),
  });
  try {
    const perTurn: number[] = [];
    let live: LoopState | undefined;
    const store = new FileCheckpointStore(dir);
    const run = composableLoop({
      llm: countingBackend(turns, "work", { inputTokens: 100, outputTokens: 5 }),
      tools: [work],
      task: "Benchmark checkpoints",
      maxSteps: turns,
      keepSteps: 100,
      hooks: [
        { onLoopStart: ({ state }) => void (live = state) },
        checkpointHook(timed(store, perTurn, () => live)),
      ],
    });
    const started = performance.now();
    const outcome = await run.complete();
    const totalMs = performance.now() - started;
    if (outcome.steps !== turns) throw new Error(`the run took ${outcome.steps} steps`);
    const window = ([from, to]: readonly [number, number]) =>
      median(perTurn.slice(from, to + 1)) * 1000;
    const a = window(early);
    const b = window(late);
    const transcript = outcome.state.transcript.length;
    console.log(
      `| ${where.padEnd(14)} | ${a.toFixed(1).padStart(9)} | ${b.toFixed(1).padStart(11)} | ${
        (b / a).toFixed(2).padStart(5)
      } | ${transcript.toString().padStart(10)} | ${
        (totalMs * 1000 / turns).toFixed(1).padStart(11)
      } |`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

console.log(
  `checkpoint cost per turn (µs, median), ${turns} turns, transcript growing, keepSteps 100`,
);
console.log(
  `| store on       | turns ${early[0]}-${early[1]} | turns ${late[0]}-${
    late[1]
  } | ratio | transcript | run µs/turn |`,
);
console.log("|----------------|-----------|-------------|-------|------------|-------------|");
await measure("tmpfs", "/dev/shm");
await measure("$TMPDIR", undefined);
