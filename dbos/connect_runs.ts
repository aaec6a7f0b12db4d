import { DBOSClient } from "@dbos-inc/dbos-sdk";
import type { Step } from "../loop/step.ts";
import type { ApprovalDecision } from "../loop/loop_options.ts";
import { addUsage, ZERO_USAGE } from "../loop/usage.ts";
import { decodeStep } from "../durable/step_encoding.ts";
import { assertJson } from "../internal/assert_json.ts";
import type { DbosAgent } from "./dbos_agent.ts";
import {
  AGENT_NAME,
  APPLICATION,
  APPROVAL_TOPIC,
  type ApprovalMessage,
  checkApproval,
  ensureWorkersTable,
  migrate,
  PENDING_EVENT,
  type PendingEvent,
  queueName,
  type RunOutcome,
  SILENT_LOGGER,
  STREAM,
  type StreamEntry,
  WORKFLOW,
} from "./_names.ts";
import { openPool, type Pool } from "./_pg.ts";

const POLL_MS = 50;

/**
 * Options of `connectRuns`.
 *
 * @example Connect to a local database
 * ```ts
 * import type { ConnectRunsOptions } from "jsr:@looplet/looplet/dbos";
 * const options: ConnectRunsOptions = { databaseUrl: "postgresql://postgres@127.0.0.1:5432/postgres" };
 * ```
 */
export interface ConnectRunsOptions {
  /** PostgreSQL URL of the DBOS system database the workers use. */
  readonly databaseUrl: string;
}

/**
 * Options of `Runs.submit`.
 *
 * @example Submit with an id of your own
 * ```ts ignore
 * const run = await runs.submit("greeter", { name: "Alice" }, { runId: "greet-alice" });
 * ```
 */
export interface SubmitOptions {
  /**
   * The run's id. Submitting the same id again attaches to the run that
   * exists (the first submit's input wins). @default a random UUID
   */
  readonly runId?: string;
  /**
   * Accept a run for an agent no worker has registered yet: it waits in the
   * agent's queue until a worker with that agent starts. @default false (throw)
   */
  readonly waitForWorker?: boolean;
}

/**
 * Options of `Runs.attach`.
 *
 * @example Skip the steps already seen
 * ```ts ignore
 * for await (const step of runs.attach(runId, { from: seen })) seen++;
 * ```
 */
export interface AttachOptions {
  /** Skip the first `from` steps of the stream. @default 0 */
  readonly from?: number;
}

/**
 * A durable run seen from any process: iterate it for the steps (each once,
 * in order, through crashes and takeovers), and read `outcome`.
 *
 * @example Watch a run
 * ```ts ignore
 * const run = runs.attach("greet-alice");
 * for await (const step of run) console.log(step.pretty());
 * console.log((await run.outcome).finalAnswer);
 * ```
 */
export interface AttachedRun extends AsyncIterable<Step> {
  /** The run's id. */
  readonly runId: string;
  /** Resolves when the run ends (`cancelled` after `cancel`); rejects if the run failed. */
  readonly outcome: Promise<RunOutcome>;
}

/**
 * A connection to the durable runs of a database.
 *
 * @example Submit, watch, answer, cancel
 * ```ts ignore
 * const runs = await connectRuns({ databaseUrl });
 * const run = await runs.submit("deployer", { service: "api" }, { runId: "deploy-1" });
 * for await (const step of run) {
 *   if (step.result.awaitingApproval) await runs.answer("deploy-1", { approve: true });
 * }
 * await runs.close();
 * ```
 */
export interface Runs {
  /**
   * Start a run of `agent` on `input` (plain JSON), or attach to the run
   * with the same `runId` if it exists.
   */
  submit(agent: string | DbosAgent, input: unknown, options?: SubmitOptions): Promise<AttachedRun>;
  /** Follow a run by id. */
  attach(runId: string, options?: AttachOptions): AttachedRun;
  /**
   * Answer the approval the run waits for (an `approvalHook` pause). Throws
   * when the run is not waiting; a second answer to the same pause is dropped.
   */
  answer(runId: string, approval: ApprovalDecision): Promise<void>;
  /** Cancel a run; its outcome's stop reason becomes `cancelled`. */
  cancel(runId: string): Promise<void>;
  /** Disconnect. */
  close(): Promise<void>;
}

/**
 * Connect to the durable runs that workers (`launchWorker`) execute, from
 * any process: submit, attach, answer approvals, cancel.
 *
 * @param options The database URL.
 * @returns The connection; `close()` it when done.
 * @throws {TypeError} When the URL is not a postgresql:// URL.
 * @throws {Error} When the database does not answer within 5 s (the message names the URL).
 * @example Submit a run and print its steps
 * ```ts ignore
 * import { connectRuns } from "jsr:@looplet/looplet/dbos";
 * const runs = await connectRuns({ databaseUrl: "postgresql://postgres@127.0.0.1:5432/postgres" });
 * const run = await runs.submit("greeter", { name: "Alice" }, { runId: "greet-alice" });
 * for await (const step of run) console.log(step.pretty());
 * await runs.close();
 * ```
 */
export async function connectRuns(options: ConnectRunsOptions): Promise<Runs> {
  const { databaseUrl } = options ?? ({} as ConnectRunsOptions);
  const pool = await openPool(databaseUrl, "connect to runs");
  let client: DBOSClient;
  try {
    await migrate(pool, databaseUrl);
    await ensureWorkersTable(pool);
    client = await DBOSClient.create({
      systemDatabaseUrl: databaseUrl,
      applicationName: APPLICATION,
      logger: SILENT_LOGGER,
    });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const attach = (runId: string, attachOptions: AttachOptions = {}) =>
    attachRun(client, runId, attachOptions);
  return {
    async submit(agent, input, submitOptions = {}) {
      const name = typeof agent === "string" ? agent : agent?.name;
      const { runId = crypto.randomUUID(), waitForWorker = false } = submitOptions;
      if (typeof name !== "string" || !AGENT_NAME.test(name)) {
        throw new TypeError(
          `Cannot submit run: 'agent' must be an agent name or a dbosAgent(), got ${
            JSON.stringify(name)
          }`,
        );
      }
      checkRunId(runId, "submit run");
      assertJson(input, `Cannot submit run "${runId}": the input`, "input");
      if (!waitForWorker) await checkRegistered(pool, name, runId);
      await client.enqueue(
        { queueName: queueName(name), workflowName: WORKFLOW, workflowID: runId },
        name,
        input,
      );
      return attach(runId);
    },
    attach(runId, attachOptions) {
      checkRunId(runId, "attach to run");
      const { from = 0 } = attachOptions ?? {};
      if (!Number.isInteger(from) || from < 0) {
        throw new RangeError(
          `Cannot attach to run "${runId}": 'from' must be a whole number, got ${from}`,
        );
      }
      return attach(runId, { from });
    },
    async answer(runId, approval) {
      checkRunId(runId, "answer run");
      const decision = checkApproval(approval, `answer run "${runId}"`);
      const status = await client.getWorkflow(runId);
      if (status === undefined) throw new Error(`Cannot answer run "${runId}": no such run`);
      if (["SUCCESS", "ERROR", "CANCELLED"].includes(status.status)) {
        throw new Error(`Cannot answer run "${runId}": it already ended (${status.status})`);
      }
      const pending = await client.getEvent<PendingEvent>(runId, PENDING_EVENT, {
        timeoutSeconds: 0,
      });
      if (pending === null) {
        throw new Error(
          `Cannot answer run "${runId}": it is not waiting for approval; answer once its step shows 'awaitingApproval'`,
        );
      }
      const message: ApprovalMessage = {
        approval: decision,
        step: pending.step,
        callId: pending.call.id,
      };
      // One answer per pause: a second (a double click, a retry) is dropped by DBOS.
      await client.send(
        runId,
        message,
        APPROVAL_TOPIC,
        `${runId}:approval:${pending.step}:${pending.call.id}`,
      );
    },
    async cancel(runId) {
      checkRunId(runId, "cancel run");
      if (await client.getWorkflow(runId) === undefined) {
        throw new Error(`Cannot cancel run "${runId}": no such run`);
      }
      await client.cancelWorkflow(runId);
    },
    async close() {
      await client.destroy();
      await pool.end();
    },
  };
}

function checkRunId(runId: unknown, what: string): asserts runId is string {
  if (typeof runId !== "string" || runId === "" || runId.length > 256) {
    throw new TypeError(
      `Cannot ${what}: 'runId' must be a non-empty string, got ${JSON.stringify(runId)}`,
    );
  }
}

async function checkRegistered(pool: Pool, agent: string, runId: string): Promise<void> {
  const { rows } = await pool.query(
    `SELECT 1 FROM looplet.workers WHERE $1 = ANY(agents) LIMIT 1`,
    [agent],
  );
  if (rows.length === 0) {
    throw new Error(
      `Cannot submit run "${runId}": no worker has registered agent "${agent}"; start a worker with launchWorker({ agents: [dbosAgent("${agent}", ...)] }), or pass { waitForWorker: true }`,
    );
  }
}

function attachRun(client: DBOSClient, runId: string, options: AttachOptions): AttachedRun {
  const { from = 0 } = options;
  // Polled only once asked for, so a run nobody awaits leaves no poll running past close().
  let outcome: Promise<RunOutcome> | undefined;
  return {
    runId,
    get outcome() {
      return outcome ??= runOutcome(client, runId);
    },
    async *[Symbol.asyncIterator]() {
      if (await client.getWorkflow(runId) === undefined) {
        throw new Error(`Cannot attach to run "${runId}": no such run`);
      }
      const entries = client.readStream<StreamEntry>(runId, STREAM, {
        offset: from,
        pollingIntervalMs: POLL_MS,
      });
      for await (const entry of entries) {
        if (entry.type === "step") yield decodeStep(entry.step);
      }
    },
  };
}

async function runOutcome(client: DBOSClient, runId: string): Promise<RunOutcome> {
  if (await client.getWorkflow(runId) === undefined) {
    throw new Error(`Cannot attach to run "${runId}": no such run`);
  }
  try {
    return await client.retrieveWorkflow<RunOutcome>(runId).getResult({
      pollingIntervalMs: POLL_MS,
    });
  } catch (error) {
    const status = await client.getWorkflow(runId);
    if (status?.status !== "CANCELLED") throw error;
    return cancelledOutcome(client, runId);
  }
}

/** What a cancelled run got to: its streamed steps and its journaled model calls. */
async function cancelledOutcome(client: DBOSClient, runId: string): Promise<RunOutcome> {
  let steps = 0;
  let usage = ZERO_USAGE;
  for await (const entry of client.readStream<StreamEntry>(runId, STREAM)) {
    if (entry.type !== "step") continue;
    steps++;
    usage = addUsage(usage, decodeStep(entry.step).usage);
  }
  const journal = await client.listWorkflowSteps(runId) ?? [];
  const modelCalls = journal.filter((step) => step.name.startsWith("model#")).length;
  return { stopReason: "cancelled", usage, steps, modelCalls };
}
