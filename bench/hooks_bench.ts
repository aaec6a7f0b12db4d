/**
 * The hook library under load: a 10,000-step scripted run with checkpoints
 * after every step, after every model reply and at the start of every call
 * (checkpointHook's defaults; FileCheckpointStore: one journal append per
 * save, written before the save resolves, and a self-contained snapshot file
 * at the end; no fsync), compaction (prune + truncate under a 4,000-token
 * budget), metrics and five more hooks (budget warning, per-tool limit,
 * stagnation, memory, token budget).
 * Prints µs per step for: the full stack with checkpoints on disk (under
 * $TMPDIR); the same with the store on tmpfs (/dev/shm: every syscall, no
 * disk: the cost "excluding disk sync"); tmpfs checkpointing after every
 * step only (`replies: false`); tmpfs with a snapshot file every step
 * (`fileEvery: 1`) and every 10th; hooks without checkpoints; the bare loop.
 * The checkpoint variants pass `keepSteps: 100` (the journal holds every
 * step), so their memory stays flat in N.
 * Each variant runs in its own process; RSS is sampled along the way. Disk
 * figures vary a lot on a shared machine; run it on a quiet one.
 *
 *   deno run -A bench/hooks_bench.ts             # all variants, N = 10,000
 *   deno run -A bench/hooks_bench.ts --n 2000    # another N
 *
 * Targets (issue 4): ≤ 50 µs/step excluding disk sync; peak RSS < 150 MB, flat in N.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { composableLoop, type Hook, tool } from "../mod.ts";
import { countingBackend, peakRssMb, rssMb } from "./_bench_utils.ts";
import {
  budgetWarningHook,
  checkpointHook,
  compactChain,
  compactionHook,
  FileCheckpointStore,
  memoryHook,
  metricsHook,
  perToolLimitHook,
  pruneToolResults,
  stagnationHook,
  tokenBudgetHook,
  truncateTranscript,
} from "../hooks/mod.ts";

/** How each variant checkpoints: no entry, no checkpoints. */
interface Checkpoints {
  /** The store lives on tmpfs (/dev/shm) rather than under $TMPDIR. */
  readonly tmpfs: boolean;
  /** FileCheckpointStore's `fileEvery` (its default when absent: a file at the end only). */
  readonly fileEvery?: number;
  /** checkpointHook's `replies`: also save after every model reply. */
  readonly replies: boolean;
}

const VARIANTS = {
  full: { tmpfs: false, replies: true },
  tmpfs: { tmpfs: true, replies: true },
  // after every step only
  "tmpfs-steps": { tmpfs: true, replies: false },
  "file-every-step": { tmpfs: true, fileEvery: 1, replies: true },
  "file-every-10": { tmpfs: true, fileEvery: 10, replies: true },
  "no-checkpoint": undefined,
  bare: undefined,
} satisfies Record<string, Checkpoints | undefined>;
type Variant = keyof typeof VARIANTS;

const work = tool({
  name: "work",
  description: "Return a record.",
  input: z.object({ i: z.number() }),
  concurrencySafe: true,
  execute: ({ i }) => ({ i, text: "x".repeat(200 + (i % 7) * 20) }),
});

async function runVariant(variant: Variant, n: number): Promise<void> {
  const checkpoints: Checkpoints | undefined = VARIANTS[variant];
  const dir = await Deno.makeTempDir({
    prefix: "looplet-hooks-bench-",
    ...(checkpoints?.tmpfs ? { dir: "/dev/shm" } : {}),
  });
  const samples: string[] = [];
  const hooks: Hook[] = [];
  const metrics = metricsHook();
  if (variant !== "bare") {
    hooks.push(
      compactionHook({
        budget: 4000,
        strategy: compactChain(pruneToolResults({ keepRecent: 3 }), truncateTranscript()),
      }),
      metrics,
      budgetWarningHook({ maxSteps: n }),
      perToolLimitHook({ defaultLimit: n }),
      stagnationHook(),
      memoryHook(["The user prefers short answers."]),
      tokenBudgetHook({ maxTokens: 1e12 }),
    );
  }
  let store: FileCheckpointStore | undefined;
  if (checkpoints) {
    store = new FileCheckpointStore(dir, {
      ...(checkpoints.fileEvery ? { fileEvery: checkpoints.fileEvery } : {}),
    });
    hooks.push(checkpointHook(store, { replies: checkpoints.replies }));
  }
  // RSS samples: this hook observes steps only, so the loop emits no other events for it.
  hooks.push({
    events: ["step"],
    onEvent(event) {
      if (event.type === "step" && event.step.number % (n / 4) === 0) {
        samples.push(`${event.step.number}: ${rssMb().toFixed(0)} MB`);
      }
    },
  });
  const started = performance.now();
  const outcome = await composableLoop({
    llm: countingBackend(n, "work", { inputTokens: 100, outputTokens: 5 }),
    tools: [work],
    task: "Benchmark the hook library",
    maxSteps: n,
    // With checkpoints, the step journal holds every step: keep only the newest in memory.
    ...(store ? { keepSteps: 100 } : {}),
    hooks,
  }).complete();
  const elapsed = performance.now() - started;
  if (outcome.stopReason !== "done" || outcome.steps !== n) {
    throw new Error(`bench run ended with ${outcome.stopReason} after ${outcome.steps} steps`);
  }
  const perStep = (elapsed * 1000) / n;
  let diskKb = 0;
  for (const entry of Deno.readDirSync(dir)) {
    diskKb += Deno.statSync(`${dir}/${entry.name}`).size / 1024;
  }
  console.log(
    `${variant.padEnd(14)} N=${n}: ${perStep.toFixed(1)} µs/step, peak RSS ${
      peakRssMb().toFixed(0)
    } MB, RSS at steps [${
      samples.join(", ")
    }], transcript ${outcome.state.transcript.length} msgs` +
      (diskKb > 0 ? `, ${(diskKb / 1024).toFixed(1)} MB written in ${dir.split("/")[1]}` : "") +
      (variant !== "bare" ? `, llm p50 ${metrics.snapshot().llmLatencyMs.p50.toFixed(3)} ms` : ""),
  );
  await Deno.remove(dir, { recursive: true });
}

const { values } = parseArgs({
  args: Deno.args,
  options: { n: { type: "string" }, variant: { type: "string" } },
});
const n = Number(values.n ?? 10_000);
if (values.variant !== undefined) {
  await runVariant(values.variant as Variant, n);
} else {
  for (const variant of Object.keys(VARIANTS)) {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--n",
        String(n),
        "--variant",
        variant,
      ],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (code !== 0) Deno.exit(code);
  }
}
