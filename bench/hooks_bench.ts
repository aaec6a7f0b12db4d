/**
 * The hook library under load: a 10,000-step scripted run with checkpoints
 * after every step and after every model reply (checkpointHook's default;
 * FileCheckpointStore: a journal line per save, written before the save
 * resolves, and an atomic snapshot file per step, handed to the store's
 * writer thread after the first 8; no fsync), compaction (prune + truncate
 * under a 4,000-token budget), metrics and five more hooks (budget warning,
 * per-tool limit, stagnation, memory, token budget).
 * Prints µs per step for: the full stack with checkpoints on disk (under
 * $TMPDIR); the same with the store on tmpfs (/dev/shm: every syscall, no disk:
 * the cost "excluding disk sync"); tmpfs checkpointing after every step only
 * (`replies: false`: the benchmark); tmpfs keeping every snapshot
 * file (`keep` > N: the writer thread writes all 10,000); tmpfs with a snapshot file every
 * 10th step (`fileEvery: 10`); tmpfs with journal lines only (no snapshot
 * files: what the loop's own thread pays); hooks without checkpoints; the
 * bare loop. With one snapshot file per step, it also prints how many files
 * the writer wrote and how many it skipped because a newer snapshot replaced
 * them (keep = 3) before it got to them (each of those is in the journal).
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
} from "../hooks/hooks_mod.ts";

type Variant =
  | "full"
  | "tmpfs"
  | "tmpfs-steps"
  | "tmpfs-all-files"
  | "file-every-10"
  | "lines-only"
  | "no-checkpoint"
  | "bare";
const VARIANTS: Variant[] = [
  "full",
  "tmpfs",
  "tmpfs-steps",
  "tmpfs-all-files",
  "file-every-10",
  "lines-only",
  "no-checkpoint",
  "bare",
];
/** The variants whose store lives on tmpfs, and each checkpoint variant's `fileEvery`. */
const ON_TMPFS: Variant[] = [
  "tmpfs",
  "tmpfs-steps",
  "tmpfs-all-files",
  "file-every-10",
  "lines-only",
];
const FILE_EVERY: Partial<Record<Variant, number>> = {
  full: 1,
  tmpfs: 1,
  "tmpfs-steps": 1,
  "tmpfs-all-files": 1,
  "file-every-10": 10,
  "lines-only": Number.MAX_SAFE_INTEGER,
};

const work = tool({
  name: "work",
  description: "Return a record.",
  input: z.object({ i: z.number() }),
  concurrencySafe: true,
  execute: ({ i }) => ({ i, text: "x".repeat(200 + (i % 7) * 20) }),
});

async function runVariant(variant: Variant, n: number): Promise<void> {
  const dir = await Deno.makeTempDir({
    prefix: "looplet-hooks-bench-",
    ...(ON_TMPFS.includes(variant) ? { dir: "/dev/shm" } : {}),
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
  const fileEvery = FILE_EVERY[variant];
  // "tmpfs-all-files" keeps every snapshot file, so none is superseded: the writer writes all.
  const keep = variant === "tmpfs-all-files" ? n + 10 : undefined;
  const store = fileEvery === undefined
    ? undefined
    : new FileCheckpointStore(dir, { fileEvery, ...(keep === undefined ? {} : { keep }) });
  // "tmpfs-steps" checkpoints after every step only, as the benchmark asks; the others
  // also after every model reply (checkpointHook's default).
  if (store !== undefined) {
    hooks.push(checkpointHook(store, { replies: variant !== "tmpfs-steps" }));
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
    ...(fileEvery !== undefined ? { keepSteps: 100 } : {}),
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
      (store !== undefined && fileEvery === 1
        ? `, ${
          store.snapshotFiles.written + store.snapshotFiles.superseded
        } snapshot files: ${store.snapshotFiles.written} written, ${store.snapshotFiles.superseded} superseded`
        : "") +
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
  for (const variant of VARIANTS) {
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
