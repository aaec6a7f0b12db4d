// Real worker processes and a real PostgreSQL for the durable e2e tests. The
// database comes from LOOPLET_TEST_DATABASE_URL (.ci/postgres.sh start writes
// it to .ci/.pg/url); without it every test here is reported as ignored.
import { composableLoop } from "../../../loop/composable_loop.ts";
import { type EncodedStep, encodeStep } from "../../../durable/mod.ts";
import {
  type AttachedRun,
  connectRuns,
  type DbosAgent,
  type RunOutcome,
  type Runs,
} from "../../../dbos/mod.ts";

export const DATABASE_URL: string | undefined = Deno.env.get("LOOPLET_TEST_DATABASE_URL");
if (DATABASE_URL === undefined) {
  console.log(
    "durable e2e tests skipped: LOOPLET_TEST_DATABASE_URL is not set (run .ci/postgres.sh start, then export LOOPLET_TEST_DATABASE_URL=$(cat .ci/.pg/url))",
  );
}

const WORKER_SCRIPT = new URL("./_worker.ts", import.meta.url).pathname;
const CONTROL_SCRIPT = new URL("./_control.ts", import.meta.url).pathname;

/** A worker process. */
export interface WorkerProcess {
  readonly id: string;
  /** SIGKILL it and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM it (a graceful stop) and wait until it is gone. */
  stop(): Promise<void>;
}

/** Everything a test started, ended in `finally`. */
export class Cleanup {
  readonly #workers: WorkerProcess[] = [];
  readonly signal: AbortSignal;
  constructor(deadlineMs: number) {
    this.signal = AbortSignal.timeout(deadlineMs);
  }
  /** Start a worker process and wait for its "ready" line. */
  async worker(
    id: string,
    agent: string,
    options: { concurrency?: number; takeOverAfterMs?: number } = {},
  ): Promise<WorkerProcess> {
    const { concurrency = 4, takeOverAfterMs = 1500 } = options;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", WORKER_SCRIPT, id, agent, String(concurrency), String(takeOverAfterMs)],
      env: { LOOPLET_TEST_WORKER: id, LOOPLET_TEST_DATABASE_URL: DATABASE_URL! },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    let gone = false;
    const status = child.status.then((s) => {
      gone = true;
      return s;
    });
    const end = async (signal: Deno.Signal) => {
      if (!gone) {
        try {
          child.kill(signal);
        } catch { /* already gone */ }
      }
      await status;
    };
    const worker: WorkerProcess = { id, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
    this.#workers.push(worker);
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const ready = lines.read().then(({ value }) => value?.includes("ready") ?? false);
    const aborted = new Promise<boolean>((resolve) =>
      this.signal.addEventListener("abort", () => resolve(false), { once: true })
    );
    if (!await Promise.race([ready, aborted, status.then(() => false)])) {
      throw new Error(`Worker "${id}" did not start`);
    }
    lines.releaseLock();
    child.stdout.cancel().catch(() => {});
    return worker;
  }
  /** Kill every worker still running. */
  async end(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.kill()));
  }
}

/** What an e2e test body gets. */
export interface E2e {
  readonly cleanup: Cleanup;
  readonly runs: Runs;
  /** A fresh folder for events.log and block markers. */
  readonly dir: string;
}

/**
 * A test with a real database: ignored without one; the body must finish
 * within `deadlineMs`, and every worker it started is killed either way.
 */
export function e2eTest(name: string, deadlineMs: number, body: (e2e: E2e) => Promise<void>) {
  Deno.test({
    name,
    ignore: DATABASE_URL === undefined,
    async fn() {
      const cleanup = new Cleanup(deadlineMs);
      const dir = await Deno.makeTempDir();
      const runs = await connectRuns({ databaseUrl: DATABASE_URL! });
      try {
        const deadline = new Promise<never>((_, reject) =>
          cleanup.signal.addEventListener(
            "abort",
            () => reject(new Error(`"${name}" did not finish within ${deadlineMs} ms`)),
            { once: true },
          )
        );
        await Promise.race([body({ cleanup, runs, dir }), deadline]);
      } finally {
        await cleanup.end();
        await runs.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

/** Run `_control.ts` (a third process) to answer or cancel a run. */
export async function control(
  command: "answer" | "cancel",
  runId: string,
  ...rest: string[]
): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CONTROL_SCRIPT, command, runId, ...rest],
    env: { LOOPLET_TEST_DATABASE_URL: DATABASE_URL! },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`control ${command} failed: ${new TextDecoder().decode(stderr)}`);
}

/** Wait until `path` exists; returns its text. */
export async function waitForFile(path: string, signal: AbortSignal): Promise<string> {
  for (;;) {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One line of events.log. */
export interface Event {
  readonly kind: "model" | "tool-start" | "tool-end";
  readonly runId: string;
  readonly n: number;
  readonly worker: string;
  readonly key?: string;
}

/** The events of one run. */
export function events(dir: string, runId: string): Event[] {
  let text = "";
  try {
    text = Deno.readTextFileSync(`${dir}/events.log`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return text.split("\n").filter((line) => line !== "").map((line): Event => {
    const [kind = "", id = "", n = "", worker = "", key] = line.split(" ");
    return {
      kind: kind as Event["kind"],
      runId: id,
      n: Number(n),
      worker,
      ...(key !== undefined ? { key } : {}),
    };
  }).filter((event) => event.runId === runId);
}

/** How many times each number occurs among events of `kind`. */
export function counts(list: readonly Event[], kind: Event["kind"]): Record<number, number> {
  const result: Record<number, number> = {};
  for (const event of list) if (event.kind === kind) result[event.n] = (result[event.n] ?? 0) + 1;
  return result;
}

/** Drain an attached run: its encoded steps and its outcome. */
export async function drain(
  run: AttachedRun,
): Promise<{ steps: EncodedStep[]; outcome: RunOutcome }> {
  const steps: EncodedStep[] = [];
  for await (const step of run) steps.push(encodeStep(step));
  return { steps, outcome: await run.outcome };
}

/**
 * The same agent and input run by the plain in-process loop (no engine):
 * what every durable run must stream and end with. Approvals are answered
 * yes by resuming, as a worker does.
 */
export async function uninterrupted(
  agent: DbosAgent,
  input: unknown,
  runId: string,
): Promise<{ steps: EncodedStep[]; outcome: RunOutcome }> {
  const options = await agent.build(input, { runId });
  const steps: EncodedStep[] = [];
  let resume = {};
  for (;;) {
    const run = composableLoop({ ...options, ...resume });
    for await (const step of run) steps.push(encodeStep(step));
    const outcome = await run.outcome;
    if (outcome.stopReason === "awaiting_approval") {
      resume = { resume: outcome.state, approval: { approve: true } };
      continue;
    }
    return {
      steps,
      outcome: {
        stopReason: outcome.stopReason,
        ...(outcome.finalAnswer !== undefined ? { finalAnswer: outcome.finalAnswer } : {}),
        usage: outcome.usage,
        steps: outcome.steps,
        modelCalls: outcome.modelCalls,
      },
    };
  }
}
