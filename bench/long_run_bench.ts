/**
 * Long runs: does a step cost the same at step 10,000 as early on? One
 * scripted run of N steps per configuration (each in its own process), with a
 * transcript that keeps growing (two messages a step, no compaction firing).
 * Prints µs per step over an early window (steps 1,000-2,000) and the last
 * 1,000 steps (each the median of its ten 100-step means, so a burst of
 * other work on a shared machine does not decide a row), their ratio, the
 * ratio after subtracting what the bare loop itself grows by (the request it
 * builds), the same for the CPU time of the whole process (every thread, so
 * background writes count; steadier than the wall clock on a shared
 * machine), and the process's peak RSS. The second row's backend encodes
 * each request as JSON, as a real backend must: the one cost that may grow
 * with the history, shown for scale.
 *
 *   deno run -A bench/long_run_bench.ts                    # every configuration, N = 10,000
 *   deno run -A bench/long_run_bench.ts --n 4000           # another N (at least 3,000)
 *   deno run -A bench/long_run_bench.ts --only memory,bare # some configurations
 *
 * Stores and traces live on tmpfs (/dev/shm) unless the row says "disk"
 * (a temporary directory under /tmp; no fsync unless the store's `durable`).
 * Targets (issue 20): late/early ≤ 1.3× after subtracting the bare loop's
 * growth; peak RSS ≤ 150 MB for one hook, ≤ 250 MB for the full stack; the
 * full stack ≤ 100 µs/step at the last window on tmpfs.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Backend, composableLoop, type Hook, ScriptedBackend, tool } from "../mod.ts";
import {
  approvalHook,
  budgetWarningHook,
  checkpointHook,
  compactChain,
  type CompactionHook,
  compactionHook,
  contextBudget,
  FileCheckpointStore,
  memoryHook,
  metricsHook,
  permissionHook,
  perToolLimitHook,
  pruneToolResults,
  redactingBackend,
  redactSecrets,
  stagnationHook,
  tokenBudgetHook,
  truncateTranscript,
} from "../hooks/mod.ts";
import { ProvenanceSink } from "../provenance/mod.ts";
import { countingBackend, median, peakRssMb } from "./_bench_utils.ts";

/** What one configuration adds to the bare loop. */
interface Setup {
  readonly llm?: Backend;
  readonly hooks?: readonly Hook[];
  readonly keepSteps?: number;
  /** Checks after the run (for example that compaction never fired). */
  readonly check?: () => void;
}

interface Context {
  readonly n: number;
  /** A fresh directory for a store or a trace (tmpfs unless `disk`). */
  directory(disk?: boolean): string;
}

const work = tool({
  name: "work",
  description: "Return a record.",
  input: z.object({ i: z.number() }),
  concurrencySafe: true,
  execute: ({ i }) => ({ i, text: "x".repeat(80 + (i % 7) * 10) }),
});

const USAGE = { inputTokens: 100, outputTokens: 5 };

/**
 * The work a real backend must do per request, in proportion to the history:
 * encode it. The check makes sure the encoding ran.
 */
function encoding(n: number): Setup {
  const inner = countingBackend(n, "work", USAGE);
  let characters = 0;
  return {
    llm: {
      ...inner,
      generate(request, options) {
        characters += JSON.stringify(request.messages).length;
        return inner.generate(request, options);
      },
    },
    check: () => {
      if (characters === 0) throw new Error("the backend encoded no request");
    },
  };
}

/** A compaction hook whose budget the run never reaches (about 45 tokens a step; 1M tokens up to N = 10,000). */
function idleCompaction(n: number): CompactionHook {
  return compactionHook({
    budget: contextBudget({ contextWindow: Math.max(1_000_000, n * 100) }),
    strategy: compactChain(pruneToolResults({ keepRecent: 3 }), truncateTranscript()),
  });
}

function neverFired(hook: CompactionHook): () => void {
  return () => {
    if (hook.compactions.length > 0) {
      throw new Error(`compaction fired ${hook.compactions.length} times: raise the budget`);
    }
  };
}

function permissions(): Hook {
  return permissionHook({
    rules: [{ tool: "work", decision: "allow" }, { tool: "done", decision: "allow" }],
    default: "deny",
  });
}

interface TraceOptions {
  readonly redact?: boolean;
  readonly disk?: boolean;
  /** `false` keeps the records until the run ends (as the Python original's `save()`). */
  readonly live?: boolean;
}

function traced(context: Context, options: TraceOptions = {}) {
  const sink = new ProvenanceSink(context.directory(options.disk), {
    ...(options.redact ? { redact: redactSecrets() } : {}),
    live: options.live !== false,
  });
  return { llm: sink.wrap(countingBackend(context.n, "work", USAGE)), hook: sink.hook() };
}

function fullStack(context: Context, options: TraceOptions): Setup {
  const trace = traced(context, options);
  const compaction = idleCompaction(context.n);
  return {
    llm: trace.llm,
    hooks: [
      checkpointHook(new FileCheckpointStore(context.directory(options.disk))),
      trace.hook,
      compaction,
      metricsHook(),
      permissions(),
    ],
    keepSteps: 100,
    check: neverFired(compaction),
  };
}

/** Every configuration, in the order of the table. */
const CONFIGURATIONS: Record<string, (context: Context) => Setup> = {
  "bare loop": () => ({}),
  "bare loop, backend encodes each request (JSON)": ({ n }) => encoding(n),
  "metricsHook, permissionHook": () => ({ hooks: [metricsHook(), permissions()] }),
  "ScriptedBackend (defaults)": ({ n }) => ({
    llm: new ScriptedBackend([
      ...Array.from({ length: n - 1 }, (_, i) => ({
        toolCalls: [{ name: "work", args: { i: i + 1 } }],
        usage: USAGE,
      })),
      ScriptedBackend.call("done", { answer: "ok" }),
    ]),
  }),
  "approvalHook (never asks)": () => ({
    hooks: [approvalHook({ tools: ["deploy"], ask: () => true })],
  }),
  "budgetWarningHook": ({ n }) => ({ hooks: [budgetWarningHook({ maxSteps: n })] }),
  "perToolLimitHook": ({ n }) => ({ hooks: [perToolLimitHook({ defaultLimit: n })] }),
  "stagnationHook": () => ({ hooks: [stagnationHook()] }),
  "tokenBudgetHook": () => ({ hooks: [tokenBudgetHook({ maxTokens: 1e12 })] }),
  "memoryHook": () => ({
    hooks: [memoryHook(["The user prefers short answers.", (state) => `Turn ${state.turn}`])],
  }),
  "compactionHook that never fires": ({ n }) => {
    const hook = idleCompaction(n);
    return { hooks: [hook], check: neverFired(hook) };
  },
  "redactingBackend": ({ n }) => ({
    llm: redactingBackend(countingBackend(n, "work", USAGE), redactSecrets()),
  }),
  "checkpointHook (every step + replies)": (context) => ({
    hooks: [checkpointHook(new FileCheckpointStore(context.directory()))],
  }),
  "same with keepSteps: 100": (context) => ({
    hooks: [checkpointHook(new FileCheckpointStore(context.directory()))],
    keepSteps: 100,
  }),
  "ProvenanceSink": (context) => {
    const trace = traced(context);
    return { llm: trace.llm, hooks: [trace.hook] };
  },
  "ProvenanceSink with redact": (context) => {
    const trace = traced(context, { redact: true });
    return { llm: trace.llm, hooks: [trace.hook] };
  },
  "full stack (tmpfs)": (context) => fullStack(context, {}),
  "full stack (disk)": (context) => fullStack(context, { disk: true }),
  "full stack, trace written when the run ends (tmpfs)": (context) =>
    fullStack(context, { live: false }),
};

/** What one configuration's process reports (µs per step: wall clock, and CPU of the whole process). */
interface Row {
  readonly name: string;
  readonly earlyUs: number;
  readonly lateUs: number;
  readonly earlyCpuUs: number;
  readonly lateCpuUs: number;
  readonly peakMb: number;
}

const WINDOW = 1000;
const CHUNK = WINDOW / 10;

async function runConfiguration(name: string, n: number): Promise<Row> {
  const make = CONFIGURATIONS[name];
  if (make === undefined) throw new Error(`Unknown configuration "${name}"`);
  const directories: string[] = [];
  const context: Context = {
    n,
    directory(disk = false) {
      const directory = Deno.makeTempDirSync({
        prefix: "looplet-long-run-",
        ...(disk ? {} : { dir: "/dev/shm" }),
      });
      directories.push(directory);
      return directory;
    },
  };
  try {
    const setup = make(context);
    const run = composableLoop({
      llm: setup.llm ?? countingBackend(n, "work", USAGE),
      tools: [work],
      task: "Benchmark a long run",
      maxSteps: n,
      hooks: [...(setup.hooks ?? [])],
      ...(setup.keepSteps !== undefined ? { keepSteps: setup.keepSteps } : {}),
    });
    const marks = new Map<number, { wall: number; cpu: number }>();
    const early = new Set(Array.from({ length: 11 }, (_, i) => WINDOW + i * CHUNK));
    const late = new Set(Array.from({ length: 11 }, (_, i) => n - WINDOW + i * CHUNK));
    for await (const step of run) {
      if (early.has(step.number) || late.has(step.number)) {
        const { user, system } = process.cpuUsage();
        marks.set(step.number, { wall: performance.now() * 1000, cpu: user + system });
      }
    }
    const outcome = await run.outcome;
    if (outcome.stopReason !== "done" || outcome.steps !== n) {
      throw new Error(`"${name}" ended with ${outcome.stopReason} after ${outcome.steps} steps`);
    }
    setup.check?.();
    /** The median of the window's 100-step means, in µs per step. */
    const window = (from: number, clock: "wall" | "cpu") =>
      median(Array.from({ length: 10 }, (_, index) => {
        const start = marks.get(from + index * CHUNK)?.[clock] ?? NaN;
        return ((marks.get(from + (index + 1) * CHUNK)?.[clock] ?? NaN) - start) / CHUNK;
      }));
    return {
      name,
      earlyUs: window(WINDOW, "wall"),
      lateUs: window(n - WINDOW, "wall"),
      earlyCpuUs: window(WINDOW, "cpu"),
      lateCpuUs: window(n - WINDOW, "cpu"),
      peakMb: peakRssMb(),
    };
  } finally {
    for (const directory of directories) await Deno.remove(directory, { recursive: true });
  }
}

function table(rows: readonly Row[], n: number): string {
  const bare = rows.find((row) => row.name === "bare loop");
  const bareGrowth = bare === undefined ? 0 : Math.max(0, bare.lateUs - bare.earlyUs);
  const bareCpuGrowth = bare === undefined ? 0 : Math.max(0, bare.lateCpuUs - bare.earlyCpuUs);
  const lines = [
    `long runs: N = ${n}, µs/step over steps ${WINDOW}-${
      2 * WINDOW
    } (early) and the last ${WINDOW} (late), each the median of ten ${CHUNK}-step means; ` +
    `"net" subtracts the bare loop's own growth (${bareGrowth.toFixed(1)} µs/step wall, ` +
    `${bareCpuGrowth.toFixed(1)} CPU); CPU is the whole process's (all threads)`,
    "",
    "| configuration | early | late | growth | net growth | CPU early | CPU late | CPU net growth | peak RSS |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const ratio = (value: number) => `${value.toFixed(1)}×`;
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${row.earlyUs.toFixed(0)} | ${row.lateUs.toFixed(0)} | ${
        ratio(row.lateUs / row.earlyUs)
      } | ${ratio((row.lateUs - bareGrowth) / row.earlyUs)} | ${row.earlyCpuUs.toFixed(0)} | ${
        row.lateCpuUs.toFixed(0)
      } | ${ratio((row.lateCpuUs - bareCpuGrowth) / row.earlyCpuUs)} | ${
        row.peakMb.toFixed(0)
      } MB |`,
    );
  }
  return lines.join("\n");
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string" },
    only: { type: "string" },
    configuration: { type: "string" },
  },
});
const n = Number(values.n ?? 10_000);
if (!Number.isInteger(n) || n < 3 * WINDOW) {
  throw new RangeError(`long_run_bench: --n must be an integer of at least ${3 * WINDOW}`);
}
if (values.configuration !== undefined) {
  console.log(JSON.stringify(await runConfiguration(values.configuration, n)));
} else {
  const only = values.only?.split(",").map((part) => part.trim().toLowerCase());
  const names = Object.keys(CONFIGURATIONS).filter((name) =>
    only === undefined || name === "bare loop" ||
    only.some((part) => name.toLowerCase().startsWith(part))
  );
  const rows: Row[] = [];
  for (const name of names) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        "--n",
        String(n),
        "--configuration",
        name,
      ],
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`long_run_bench: "${name}" failed`);
    rows.push(JSON.parse(new TextDecoder().decode(output.stdout)) as Row);
  }
  console.log(table(rows, n));
}
