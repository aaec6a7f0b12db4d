import { DBOS } from "@dbos-inc/dbos-sdk";
import type { DbosAgent } from "./dbos_agent.ts";
import {
  APPLICATION,
  ensureWorkersTable,
  migrate,
  queueName,
  SILENT_LOGGER,
  WORKFLOW,
} from "./_names.ts";
import { openPool, type Pool } from "./_pg.ts";
import { runAgentWorkflow } from "./_run_workflow.ts";

/**
 * Where a worker sends what DBOS and the heartbeat report. The library
 * never prints: without a logger, nothing is written.
 *
 * @example Log warnings and errors to the console
 * ```ts
 * import type { WorkerLogger } from "jsr:@looplet/looplet/dbos";
 * const logger: WorkerLogger = {
 *   debug() {},
 *   info() {},
 *   warn: (entry) => console.warn(entry),
 *   error: (entry) => console.error(entry),
 * };
 * ```
 */
export interface WorkerLogger {
  /** Debug detail. */
  debug(entry: unknown): void;
  /** Progress. */
  info(entry: unknown): void;
  /** Something went wrong and was handled (for example a missed heartbeat). */
  warn(entry: unknown): void;
  /** Something failed. */
  error(entry: unknown): void;
}

/**
 * Options of `launchWorker`.
 *
 * @example A worker of two agents
 * ```ts ignore
 * const options: LaunchWorkerOptions = {
 *   databaseUrl: "postgresql://postgres@127.0.0.1:5432/postgres",
 *   agents: [greeter, coder],
 *   workerId: "worker-a",
 *   concurrency: 4,
 *   takeOverAfterMs: 30_000,
 * };
 * ```
 */
export interface LaunchWorkerOptions {
  /** PostgreSQL URL of the DBOS system database (shared by every worker and client). */
  readonly databaseUrl: string;
  /** The agents this worker runs (by name). */
  readonly agents: readonly DbosAgent[];
  /**
   * This worker's id, stable across restarts: a restarted worker with the
   * same id recovers its own runs at once.
   */
  readonly workerId: string;
  /**
   * Most runs of each agent at once on this worker. DBOS keeps the value in
   * the agent's queue, so give every worker the same one. @default 4
   */
  readonly concurrency?: number;
  /**
   * Take over the runs of a worker whose heartbeat is older than this (by
   * the database's clock). Keep it well above the longest pause of a
   * worker's event loop: a worker stalled longer looks dead. @default 30000
   */
  readonly takeOverAfterMs?: number;
  /** How often to beat and look for silent workers. @default takeOverAfterMs / 3 */
  readonly heartbeatMs?: number;
  /** Where DBOS and the heartbeat report. @default nothing is written */
  readonly logger?: WorkerLogger;
}

/**
 * A running worker.
 *
 * @example Stop a worker on SIGTERM
 * ```ts ignore
 * const worker = await launchWorker(options);
 * Deno.addSignalListener("SIGTERM", () => worker.stop());
 * ```
 */
export interface Worker {
  /** The worker's id. */
  readonly workerId: string;
  /**
   * Stop taking runs and disconnect. Runs still going on this worker are
   * handed to the other workers at once (or resumed here on restart).
   */
  stop(): Promise<void>;
}

let launched = false;

/**
 * Start a DBOS worker in this process: it runs the submitted runs of its
 * agents, recovers its own unfinished runs on start, beats every
 * `heartbeatMs`, and takes over (through `DBOS.resumeWorkflow`) the
 * unfinished runs of any worker silent for `takeOverAfterMs`, so a machine
 * that never comes back loses nothing. One worker per process.
 *
 * @param options Database, agents, worker id, concurrency and takeover delay.
 * @returns The running worker.
 * @throws {TypeError} When an option is invalid or a worker already runs in this process.
 * @throws {Error} When the database does not answer within 5 s (the message names the URL).
 * @example Start a worker
 * ```ts ignore
 * import { launchWorker } from "jsr:@looplet/looplet/dbos";
 * const worker = await launchWorker({
 *   databaseUrl: "postgresql://postgres@127.0.0.1:5432/postgres",
 *   agents: [greeter],
 *   workerId: "worker-a",
 * });
 * ```
 */
export async function launchWorker(options: LaunchWorkerOptions): Promise<Worker> {
  const {
    databaseUrl,
    agents,
    workerId,
    concurrency = 4,
    takeOverAfterMs = 30_000,
    logger = SILENT_LOGGER,
  } = options ?? ({} as LaunchWorkerOptions);
  const { heartbeatMs = Math.max(1, Math.floor(takeOverAfterMs / 3)) } = options ?? {};
  const byName = checkOptions(options, agents, workerId, concurrency, takeOverAfterMs, heartbeatMs);
  if (launched) {
    throw new TypeError("Cannot launch worker: one already runs in this process; stop it first");
  }
  launched = true;
  let pool: Pool | undefined;
  try {
    pool = await openPool(databaseUrl, `launch worker "${workerId}"`);
    await migrate(pool, databaseUrl, logger);
    await ensureWorkersTable(pool);
    await beat(pool, workerId, [...byName.keys()]);
    DBOS.setConfig({
      name: APPLICATION,
      systemDatabaseUrl: databaseUrl,
      executorID: workerId,
      listenQueues: [...byName.keys()].map(queueName),
      runMigrations: false,
      logger,
    });
    DBOS.registerWorkflow(
      (agentName: string, input: unknown) => runAgentWorkflow(byName, workerId, agentName, input),
      { name: WORKFLOW },
    );
    await DBOS.launch();
    for (const name of byName.keys()) {
      await DBOS.registerQueue(queueName(name), {
        workerConcurrency: concurrency,
        minPollingIntervalMs: 100,
        onConflict: "always_update",
      });
    }
  } catch (error) {
    launched = false;
    await pool?.end().catch(() => {});
    if (DBOS.isInitialized()) await DBOS.shutdown({ deregister: true }).catch(() => {});
    throw error;
  }
  return startHeartbeat(pool, workerId, [...byName.keys()], takeOverAfterMs, heartbeatMs, logger);
}

function checkOptions(
  options: LaunchWorkerOptions,
  agents: readonly DbosAgent[],
  workerId: string,
  concurrency: number,
  takeOverAfterMs: number,
  heartbeatMs: number,
): Map<string, DbosAgent> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot launch worker: pass { databaseUrl, agents, workerId }");
  }
  if (typeof workerId !== "string" || !/^[A-Za-z0-9_.:-]{1,128}$/.test(workerId)) {
    throw new TypeError(
      `Cannot launch worker: 'workerId' must be letters, digits, '_', '.', ':' or '-', got ${
        JSON.stringify(workerId)
      }`,
    );
  }
  if (!Array.isArray(agents) || agents.length === 0) {
    throw new TypeError(
      `Cannot launch worker "${workerId}": 'agents' must be a non-empty array of dbosAgent()s`,
    );
  }
  const byName = new Map<string, DbosAgent>();
  for (const agent of agents) {
    if (typeof agent?.name !== "string" || typeof agent.build !== "function") {
      throw new TypeError(
        `Cannot launch worker "${workerId}": every agent must come from dbosAgent(name, build)`,
      );
    }
    if (byName.has(agent.name)) {
      throw new TypeError(
        `Cannot launch worker "${workerId}": agent "${agent.name}" is listed twice`,
      );
    }
    byName.set(agent.name, agent);
  }
  for (
    const [key, value] of [["concurrency", concurrency], ["takeOverAfterMs", takeOverAfterMs], [
      "heartbeatMs",
      heartbeatMs,
    ]] as const
  ) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot launch worker "${workerId}": '${key}' must be a positive integer, got ${value}`,
      );
    }
  }
  if (heartbeatMs >= takeOverAfterMs) {
    throw new RangeError(
      `Cannot launch worker "${workerId}": 'heartbeatMs' (${heartbeatMs}) must be less than 'takeOverAfterMs' (${takeOverAfterMs})`,
    );
  }
  return byName;
}

function beat(pool: Pool, workerId: string, agents: readonly string[]): Promise<unknown> {
  return pool.query(
    `INSERT INTO looplet.workers (worker_id, agents, heartbeat_at) VALUES ($1, $2, now())
     ON CONFLICT (worker_id) DO UPDATE SET agents = EXCLUDED.agents, heartbeat_at = now()`,
    [workerId, agents],
  );
}

function startHeartbeat(
  pool: Pool,
  workerId: string,
  agents: readonly string[],
  takeOverAfterMs: number,
  heartbeatMs: number,
  logger: WorkerLogger,
): Worker {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      await beat(pool, workerId, agents);
      await takeOver(pool, workerId, takeOverAfterMs, logger);
    } catch (error) {
      if (!stopped) logger.warn(`looplet worker "${workerId}": heartbeat failed: ${error}`);
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return; // a slow beat is not queued behind: the next one starts on time
    busy = true;
    running = tick().finally(() => busy = false);
  }, heartbeatMs);
  return {
    workerId,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await running;
      try {
        await DBOS.shutdown({ deregister: true });
        // Whatever is left unfinished here is handed to the other workers at once.
        await pool.query(
          `UPDATE looplet.workers SET heartbeat_at = '-infinity' WHERE worker_id = $1`,
          [workerId],
        );
      } finally {
        await pool.end().catch(() => {});
        launched = false;
      }
    },
  };
}

/**
 * Claim each worker silent for `takeOverAfterMs` (its row stays locked, so
 * no two workers claim it), put its unfinished runs back on their queues,
 * then forget it.
 */
async function takeOver(
  pool: Pool,
  workerId: string,
  takeOverAfterMs: number,
  logger: WorkerLogger,
): Promise<void> {
  const silent = await pool.query<{ worker_id: string }>(
    `SELECT worker_id FROM looplet.workers
     WHERE worker_id <> $1 AND heartbeat_at < now() - $2 * interval '1 millisecond'`,
    [workerId, takeOverAfterMs],
  );
  for (const { worker_id: dead } of silent.rows) {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const claimed = await client.query(
        `SELECT worker_id FROM looplet.workers
         WHERE worker_id = $1 AND heartbeat_at < now() - $2 * interval '1 millisecond'
         FOR UPDATE SKIP LOCKED`,
        [dead, takeOverAfterMs],
      );
      if (claimed.rows.length === 0) {
        await client.query("ROLLBACK");
        continue;
      }
      const runs = await DBOS.listWorkflows({
        executorId: dead,
        status: "PENDING",
        workflowName: WORKFLOW,
        loadInput: false,
        loadOutput: false,
      });
      for (const run of runs) {
        await DBOS.resumeWorkflow(run.workflowID, { queueName: run.queueName });
      }
      await client.query(`DELETE FROM looplet.workers WHERE worker_id = $1`, [dead]);
      await client.query("COMMIT");
      if (runs.length > 0) {
        logger.info(`looplet worker "${workerId}": took over ${runs.length} runs of "${dead}"`);
      }
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
