/**
 * The body of the one DBOS workflow: build the agent, run the loop with
 * journaled model and tool calls, stream each step, wait durably for
 * approvals (private to dbos/).
 *
 * @module
 */
import { DBOS } from "@dbos-inc/dbos-sdk";
import { composableLoop } from "../loop/composable_loop.ts";
import type { ApprovalDecision } from "../loop/loop_options.ts";
import type { LoopState, Outcome } from "../loop/types.ts";
import { durableBackend } from "../durable/durable_backend.ts";
import type { DurableSteps } from "../durable/durable_steps.ts";
import { durableTools } from "../durable/durable_tools.ts";
import { encodeStep } from "../durable/step_encoding.ts";
import type { DbosAgent } from "./dbos_agent.ts";
import {
  APPROVAL_TOPIC,
  checkApproval,
  PENDING_EVENT,
  type PendingEvent,
  type RunOutcome,
  STREAM,
  type StreamEntry,
} from "./_names.ts";

const APPROVAL_POLL_SECONDS = 3600;

/** Run agent `agentName` on `input` inside the current DBOS workflow. */
export async function runAgentWorkflow(
  agents: ReadonlyMap<string, DbosAgent>,
  workerId: string,
  agentName: string,
  input: unknown,
): Promise<RunOutcome> {
  const runId = DBOS.workflowID;
  const agent = agents.get(agentName);
  if (runId === undefined) throw new Error("The looplet workflow must run inside DBOS");
  if (agent === undefined) {
    throw new Error(
      `Cannot run "${runId}": worker "${workerId}" has no agent "${agentName}"; register it in launchWorker({ agents })`,
    );
  }
  const steps: DurableSteps = { runId, run: (name, fn) => DBOS.runStep(fn, { name }) };
  const options = await agent.build(input, { runId });
  const llm = durableBackend(options.llm, steps);
  const tools = durableTools(options.tools ?? [], steps);
  let resume: { resume: LoopState; approval: ApprovalDecision } | undefined;
  for (;;) {
    const run = composableLoop({ ...options, llm, tools, ...resume });
    for await (const step of run) await write({ type: "step", step: encodeStep(step) });
    const outcome = await run.outcome;
    if (outcome.stopReason !== "awaiting_approval" || outcome.pending === undefined) {
      const result = toRunOutcome(outcome);
      await write({ type: "outcome", outcome: result });
      await DBOS.closeStream(STREAM);
      return result;
    }
    await DBOS.setEvent<PendingEvent>(PENDING_EVENT, outcome.pending);
    const approval = await waitForApproval();
    await DBOS.setEvent<PendingEvent>(PENDING_EVENT, null);
    resume = { resume: outcome.state, approval };
  }
}

function write(entry: StreamEntry): Promise<void> {
  return DBOS.writeStream(STREAM, entry);
}

/** Wait for `answer()` from any process; each wait is journaled, so a crash waits on. */
async function waitForApproval(): Promise<ApprovalDecision> {
  for (;;) {
    const answer = await DBOS.recv<unknown>(APPROVAL_TOPIC, {
      timeoutSeconds: APPROVAL_POLL_SECONDS,
    });
    if (answer !== null) return checkApproval(answer, "resume the run");
  }
}

function toRunOutcome(outcome: Outcome): RunOutcome {
  return {
    stopReason: outcome.stopReason,
    ...(outcome.finalAnswer !== undefined ? { finalAnswer: outcome.finalAnswer } : {}),
    usage: outcome.usage,
    steps: outcome.steps,
    modelCalls: outcome.modelCalls,
    ...(outcome.error !== undefined ? { error: outcome.error.message } : {}),
  };
}
