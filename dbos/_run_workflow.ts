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
import type { LoopState, Outcome, PendingApproval } from "../loop/types.ts";
import { durableBackend } from "../durable/durable_backend.ts";
import type { DurableSteps } from "../durable/durable_steps.ts";
import { durableTools } from "../durable/durable_tools.ts";
import { type EncodedStep, encodeStep } from "../durable/step_encoding.ts";
import type { DbosAgent } from "./dbos_agent.ts";
import {
  APPROVAL_TOPIC,
  type ApprovalMessage,
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
    // The paused step is streamed after the pause is recorded, so whoever sees it can answer.
    let paused: EncodedStep | undefined;
    for await (const step of run) {
      if (step.result.awaitingApproval !== undefined) paused = encodeStep(step);
      else await write({ type: "step", step: encodeStep(step) });
    }
    const outcome = await run.outcome;
    if (outcome.stopReason !== "awaiting_approval" || outcome.pending === undefined) {
      if (paused !== undefined) await write({ type: "step", step: paused });
      const result = toRunOutcome(outcome);
      await write({ type: "outcome", outcome: result });
      await DBOS.closeStream(STREAM);
      return result;
    }
    await DBOS.setEvent<PendingEvent>(PENDING_EVENT, outcome.pending);
    if (paused !== undefined) await write({ type: "step", step: paused });
    const approval = await waitForApproval(outcome.pending);
    await DBOS.setEvent<PendingEvent>(PENDING_EVENT, null);
    resume = { resume: outcome.state, approval };
  }
}

function write(entry: StreamEntry): Promise<void> {
  return DBOS.writeStream(STREAM, entry);
}

/**
 * Wait for `answer()` from any process; each wait is journaled, so a crash
 * waits on. An answer for another pause (a late duplicate) is dropped.
 */
async function waitForApproval(pending: PendingApproval): Promise<ApprovalDecision> {
  for (;;) {
    const message = await DBOS.recv<ApprovalMessage>(APPROVAL_TOPIC, {
      timeoutSeconds: APPROVAL_POLL_SECONDS,
    });
    if (message?.step === pending.step && message.callId === pending.call.id) {
      return checkApproval(message.approval, "resume the run");
    }
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
