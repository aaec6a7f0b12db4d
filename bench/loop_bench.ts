/**
 * Loop overhead: drives composableLoop with a scripted backend and one trivial
 * tool for N steps and prints µs per step and peak RSS.
 *
 *   deno run -A bench/loop_bench.ts            # N = 100, 1,000, 10,000 (one process each)
 *   deno run -A bench/loop_bench.ts --n 1000   # one N in this process
 *
 * Each figure is the median of 7 runs after a warm-up (this VM is noisy).
 * Targets (issue 2): ≤ 10 µs/step at N = 10,000; cost at 10,000 ≤ 1.3 × cost at 100.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { composableLoop, tool } from "../mod.ts";
import { countingBackend, median, peakRssMb } from "./_bench_utils.ts";

const noop = tool({
  name: "noop",
  description: "Does nothing.",
  input: z.object({ i: z.number() }),
  execute: ({ i }) => i,
});

const REPEATS = 7;

async function runOnce(n: number): Promise<number> {
  const started = performance.now();
  let steps = 0;
  for await (
    const _ of composableLoop({
      llm: countingBackend(n, "noop"),
      tools: [noop],
      task: "bench",
      maxSteps: n,
    })
  ) steps++;
  const elapsed = performance.now() - started;
  if (steps !== n) throw new Error(`expected ${n} steps, got ${steps}`);
  return (elapsed * 1000) / n;
}

/** Median µs/step over several runs after a JIT warm-up, and the process's peak RSS. */
async function measure(n: number): Promise<{ usPerStep: number; peakMb: number }> {
  for await (
    const _ of composableLoop({
      llm: countingBackend(3_000, "noop"),
      tools: [noop],
      task: "warm",
      maxSteps: 3_000,
    })
  );
  const samples: number[] = [await runOnce(n)];
  const peakMb = peakRssMb(); // one warm-up and one run: the peak a single run reaches
  for (let i = 1; i < REPEATS; i++) samples.push(await runOnce(n));
  return { usPerStep: median(samples), peakMb };
}

const { values } = parseArgs({ args: Deno.args, options: { n: { type: "string" } } });
if (values.n !== undefined) {
  const result = await measure(Number(values.n));
  console.log(JSON.stringify(result));
} else {
  const rows: { n: number; usPerStep: number; peakMb: number }[] = [];
  for (const n of [100, 1_000, 10_000]) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "--n", String(n)],
      stderr: "inherit",
    }).output();
    rows.push({ n, ...JSON.parse(new TextDecoder().decode(output.stdout)) });
  }
  console.log("loop: scripted backend, one trivial tool");
  for (const row of rows) {
    console.log(
      `  N=${String(row.n).padStart(6)}  ${
        row.usPerStep.toFixed(2).padStart(7)
      } µs/step  peak RSS ${row.peakMb.toFixed(1)} MB`,
    );
  }
  const [first, , last] = rows;
  if (first === undefined || last === undefined) throw new Error("loop bench: a size was not run");
  const ratio = last.usPerStep / first.usPerStep;
  console.log(
    `  cost at 10,000 / cost at 100: ${
      ratio.toFixed(2)
    }× (target ≤ 1.3×); at 10,000: target ≤ 10 µs/step`,
  );
}
