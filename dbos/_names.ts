/**
 * Names the worker and the client share (private to dbos/).
 *
 * @module
 */
import type { ApprovalDecision } from "../loop/loop_options.ts";
import type { PendingApproval, Usage } from "../loop/types.ts";
// DBOS.migrate() logs to the console; its migration function takes a logger.
import { migrateSystemDatabase } from "@dbos-inc/dbos-sdk/internal/system_database";
import type { EncodedStep } from "../durable/step_encoding.ts";
import type { Pool } from "./_pg.ts";

/** The DBOS application every looplet worker and client belongs to. */
export const APPLICATION = "looplet";
/** The one DBOS workflow: runs an agent by name. */
export const WORKFLOW = "looplet_run";
/** The DBOS stream of a run's steps and outcome. */
export const STREAM = "looplet_steps";
/** The topic approvals are sent on. */
export const APPROVAL_TOPIC = "looplet_approval";
/** The event holding the paused call while a run waits for approval. */
export const PENDING_EVENT = "looplet_pending";

/** The DBOS queue of an agent's runs. */
export function queueName(agent: string): string {
  return `looplet-${agent}`;
}

/** Agent names: what a queue name may hold. */
export const AGENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** One entry of a run's stream. */
export type StreamEntry =
  | { readonly type: "step"; readonly step: EncodedStep }
  | { readonly type: "outcome"; readonly outcome: RunOutcome };

/**
 * How a durable run ended: the loop's outcome as plain JSON (no state).
 *
 * @example Read a run's outcome
 * ```ts ignore
 * const { stopReason, finalAnswer } = await runs.attach("order-42").outcome;
 * ```
 */
export interface RunOutcome {
  /** Why the run ended (`cancelled` when cancelled through `cancel`). */
  readonly stopReason: string;
  /** The accepted `done` call's answer. */
  readonly finalAnswer?: unknown;
  /** Token usage over every model call. */
  readonly usage: Usage;
  /** Steps taken. */
  readonly steps: number;
  /** Model calls made. */
  readonly modelCalls: number;
  /** The message of the model error that ended the run (`llm_error`). */
  readonly error?: string;
}

/** Check an approval's shape (what `answer` sends and the run receives). */
export function checkApproval(approval: unknown, what: string): ApprovalDecision {
  const value = approval as ApprovalDecision | undefined;
  if (
    typeof value !== "object" || value === null || typeof value.approve !== "boolean" ||
    (!value.approve && value.reason !== undefined && typeof value.reason !== "string")
  ) {
    throw new TypeError(
      `Cannot ${what}: 'approval' must be { approve: true } or { approve: false, reason? }, got ${
        JSON.stringify(approval)
      }`,
    );
  }
  return value.approve ? { approve: true } : {
    approve: false,
    ...(value.reason !== undefined ? { reason: value.reason } : {}),
  };
}

/** The paused call a run waits on (the value of `PENDING_EVENT`). */
export type PendingEvent = PendingApproval | null;

/** What `answer` sends: the decision, for one paused call. */
export interface ApprovalMessage {
  readonly approval: ApprovalDecision;
  /** The paused call's step and id: an answer meant for another pause is dropped. */
  readonly step: number;
  readonly callId: string;
}

/** Where DBOS's messages go (the shape of DBOS's logger). */
export interface Logger {
  debug(entry: unknown): void;
  info(entry: unknown): void;
  warn(entry: unknown): void;
  error(entry: unknown): void;
}

/** A logger that writes nothing: the library never prints. */
export const SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Create or upgrade DBOS's system tables, one process at a time: DBOS's own
 * migrations deadlock when two processes run them at once on a new database.
 */
export async function migrate(
  pool: Pool,
  databaseUrl: string,
  logger: Logger = SILENT_LOGGER,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('looplet.migrate'))");
    try {
      await migrateSystemDatabase(databaseUrl, logger as never);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('looplet.migrate'))");
    }
  } finally {
    client.release();
  }
}

/** Create the workers table once (an advisory lock keeps concurrent creators apart). */
export async function ensureWorkersTable(pool: Pool): Promise<void> {
  await pool.query(`
    DO $$ BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('looplet.workers'));
      CREATE SCHEMA IF NOT EXISTS looplet;
      CREATE TABLE IF NOT EXISTS looplet.workers (
        worker_id text PRIMARY KEY,
        agents text[] NOT NULL,
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      );
    END $$`);
}
