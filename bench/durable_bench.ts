/**
 * Durable runs on DBOS + PostgreSQL against the plain in-process loop, on the
 * same scripted run (one trivial tool call per step):
 *
 * 1. per-step overhead: ms/step of a 200-step run through a worker in this
 *    process (submit, then read every step from the stream) minus ms/step of
 *    the plain loop, with the write transactions PostgreSQL committed per step
 *    (transaction ids used) and DBOS journal rows per step; once as usual and
 *    once on a database with synchronous_commit = off, which shows how much of
 *    the overhead is waiting for commits to reach the disk;
 * 2. submit-to-first-step latency (median of 10 runs of 2 steps);
 * 3. steps/s with 2 worker processes × concurrency 8 (64 runs of 20 steps).
 *
 *   .ci/postgres.sh start
 *   LOOPLET_TEST_DATABASE_URL=$(cat .ci/.pg/url) deno run -A bench/durable_bench.ts
 *
 * Without LOOPLET_TEST_DATABASE_URL it says it skipped.
 */
import { composableLoop } from "../mod.ts";
import { connectRuns, launchWorker } from "../dbos/mod.ts";
import { durableBackend, type DurableSteps, durableTools, encodeStep } from "../durable/mod.ts";
import pg from "pg";
import { benchAgent, benchOptions } from "./_durable_agent.ts";
import { median } from "./_bench_utils.ts";

const databaseUrl = Deno.env.get("LOOPLET_TEST_DATABASE_URL");
if (databaseUrl === undefined) {
  console.log(
    "durable bench skipped: LOOPLET_TEST_DATABASE_URL is not set (.ci/postgres.sh start)",
  );
  Deno.exit(0);
}
const N = 200;
const REPEATS = 3;

/**
 * Our own part of the durable path: the same run through durableBackend and
 * durableTools on an in-memory journal (JSON round trip per step, no database).
 */
async function wrappersMsPerStep(): Promise<number> {
  const journal = new Map<string, string>();
  const steps: DurableSteps = {
    runId: "bench",
    async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
      if (!journal.has(name)) journal.set(name, JSON.stringify(await fn()));
      return JSON.parse(journal.get(name)!) as T;
    },
  };
  const options = benchOptions(N);
  const started = performance.now();
  let count = 0;
  for await (
    const step of composableLoop({
      ...options,
      llm: durableBackend(options.llm, steps),
      tools: durableTools(options.tools, steps),
    })
  ) {
    JSON.stringify(encodeStep(step)); // what the worker writes to the stream
    count++;
  }
  if (count !== N) throw new Error(`wrapped run took ${count} steps`);
  return (performance.now() - started) / N;
}

async function plainMsPerStep(): Promise<number> {
  const started = performance.now();
  const outcome = await composableLoop(benchOptions(N)).complete();
  if (outcome.steps !== N) throw new Error(`plain run took ${outcome.steps} steps`);
  return (performance.now() - started) / N;
}

/** Transactions that wrote (each got a transaction id) since `before`, this one excluded. */
async function writeTransactions(client: pg.Client, before?: number): Promise<number> {
  const { rows } = await client.query("SELECT txid_current()::text AS n");
  const now = Number(rows[0].n);
  return before === undefined ? now : now - before - 1;
}

interface PerStep {
  readonly plainMs: number;
  readonly durableMs: number;
  readonly writes: number;
  readonly journal: number;
  readonly latencyMs: number;
}

/** Figures 1 and 2 on one database, with a worker in this process. */
async function perStep(url: string, label: string): Promise<PerStep> {
  const stats = new pg.Client({ connectionString: url });
  await stats.connect();
  const worker = await launchWorker({
    databaseUrl: url,
    agents: [benchAgent],
    workerId: `bench-${tag}-${label}`,
    concurrency: 8,
  });
  const runs = await connectRuns({ databaseUrl: url });
  try {
    await plainMsPerStep(); // warm-up
    const plain: number[] = [];
    const durable: number[] = [];
    const writes: number[] = [];
    const journal: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      plain.push(await plainMsPerStep());
      const runId = `bench-${tag}-${label}-${i}`;
      const before = await writeTransactions(stats);
      const started = performance.now();
      let steps = 0;
      const run = await runs.submit(benchAgent, N, { runId });
      for await (const _ of run) steps++;
      await run.outcome;
      durable.push((performance.now() - started) / N);
      writes.push((await writeTransactions(stats, before)) / N);
      if (steps !== N) throw new Error(`durable run streamed ${steps} steps`);
      const { rows } = await stats.query(
        "SELECT count(*)::int AS n FROM dbos.operation_outputs WHERE workflow_uuid = $1",
        [runId],
      );
      journal.push(rows[0].n / N);
    }
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const run = await runs.submit(benchAgent, 2, { runId: `bench-${tag}-${label}-first-${i}` });
      for await (const _ of run) {
        latencies.push(performance.now() - started);
        break;
      }
      await run.outcome;
    }
    return {
      plainMs: median(plain),
      durableMs: median(durable),
      writes: median(writes),
      journal: median(journal),
      latencyMs: median(latencies),
    };
  } finally {
    await runs.close();
    await worker.stop();
    await stats.end();
  }
}

/**
 * The same database URL, on a database whose commits do not wait for the
 * disk (synchronous_commit = off): shows how much of the overhead is commits.
 */
async function asyncCommitDatabase(url: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const exists = await admin.query(
      "SELECT 1 FROM pg_database WHERE datname = 'looplet_bench_async'",
    );
    if (exists.rows.length === 0) await admin.query("CREATE DATABASE looplet_bench_async");
    await admin.query("ALTER DATABASE looplet_bench_async SET synchronous_commit = off");
  } finally {
    await admin.end();
  }
  const parsed = new URL(url);
  parsed.pathname = "/looplet_bench_async";
  return parsed.toString();
}

const tag = crypto.randomUUID().slice(0, 8);
await wrappersMsPerStep(); // warm-up
const wrapperRuns: number[] = [];
for (let i = 0; i < REPEATS; i++) wrapperRuns.push(await wrappersMsPerStep());
const wrappers = median(wrapperRuns);
const synced = await perStep(databaseUrl, "sync");
const unsynced = await perStep(await asyncCommitDatabase(databaseUrl), "async");
const runs = await connectRuns({ databaseUrl });

// 3: two worker processes × concurrency 8.
const script = new URL("./_durable_worker.ts", import.meta.url).pathname;
const children = [0, 1].map((i) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, databaseUrl, `bench-${tag}-w${i}`, "8"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn()
);
try {
  for (const child of children) {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    if (!(await reader.read()).value?.includes("ready")) throw new Error("worker did not start");
    reader.releaseLock();
  }
  const RUNS = 64;
  const STEPS = 20;
  const started = performance.now();
  const attached = await Promise.all(
    Array.from(
      { length: RUNS },
      (_, i) => runs.submit(benchAgent, STEPS, { runId: `bench-${tag}-many-${i}` }),
    ),
  );
  const outcomes = await Promise.all(attached.map((run) => run.outcome));
  const seconds = (performance.now() - started) / 1000;
  const total = outcomes.reduce((sum, outcome) => sum + outcome.steps, 0);
  if (total !== RUNS * STEPS) throw new Error(`expected ${RUNS * STEPS} steps, got ${total}`);

  const row = (name: string, figure: PerStep) =>
    console.log(
      `  ${name.padEnd(22)} ${figure.durableMs.toFixed(2)} ms/step (plain loop ${
        (figure.plainMs * 1000).toFixed(0)
      } µs/step; overhead ${(figure.durableMs - figure.plainMs).toFixed(2)} ms/step), ${
        figure.writes.toFixed(2)
      } write transactions/step, ${
        figure.journal.toFixed(2)
      } journal rows/step, submit → first step ${figure.latencyMs.toFixed(0)} ms`,
    );
  console.log(`durable (DBOS + PostgreSQL) vs plain loop, N = ${N}, median of ${REPEATS}:`);
  console.log(
    `  our wrappers only      ${
      (wrappers * 1000).toFixed(0)
    } µs/step (durableBackend + durableTools + encodeStep on an in-memory journal)`,
  );
  row("commits wait for disk", synced);
  row("synchronous_commit=off", unsynced);
  console.log(
    `  2 workers × conc. 8    ${
      (total / seconds).toFixed(0)
    } steps/s (${RUNS} runs × ${STEPS} steps in ${seconds.toFixed(1)} s)`,
  );
} finally {
  for (const child of children) {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
  }
  await runs.close();
}
