/**
 * Dispatch of the queued calls of a turn: `preDispatch`, validation,
 * execution (concurrency-safe calls together), `postDispatch`, recording,
 * pauses and `done` (private to the loop).
 *
 * @module
 */
import {
  type CallOutcome,
  executeTool,
  interrupted,
  NOT_RUN_CANCELLED,
  refused,
  unknownTool,
  validateArgs,
} from "./_dispatch.ts";
import { jsonDigest, toJsonValue } from "../internal/json_value.ts";
import { toolMessage } from "./prompt.ts";
import { Step } from "./step.ts";
import type {
  AnyTool,
  EffectStart,
  LoopState,
  StepRecord,
  StepResult,
  StopReason,
  ToolCallRequest,
  Usage,
} from "./types.ts";
import { addUsage, ZERO_USAGE } from "./usage.ts";
import { dropOldSteps, type RunConfig, type RunControl, stepCount } from "./_options.ts";

interface Prepared {
  readonly call: ToolCallRequest;
  readonly number: number;
  readonly started: number;
  readonly tool?: AnyTool;
  readonly args?: unknown;
  readonly outcome?: CallOutcome;
  readonly pause?: string;
  /** The call was interrupted before (a resumed run): ask the tool's `reconcile`, not `execute`. */
  readonly reconcile?: boolean;
}

/** The outcome of a call that never started because the run was cancelled first. */
const NOT_STARTED: CallOutcome = Object.freeze(refused(NOT_RUN_CANCELLED, "cancelled"));

/** A prepared call with the outcome of running it. */
interface Executed {
  readonly item: Prepared;
  readonly outcome: CallOutcome;
}

/** Run the queued calls of the current turn, yielding each step; `seen` collects them. */
export async function* processQueue(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  seen: Step[] = [],
): AsyncGenerator<Step, void, undefined> {
  const turn = state.turn;
  while (control.stopReason === undefined) {
    const call = state.queue[0];
    if (call === undefined) break;
    if (control.signal.aborted) control.stopReason = "cancelled";
    else if (stepCount(state) >= config.maxSteps) control.stopReason = "max_steps";
    else if (call.name === config.doneTool) {
      const step = await doneStep(config, state, control, call, turn, takeUsage(state));
      seen.push(step);
      yield step;
    } else {
      const steps = await runBatch(config, state, control, turn);
      for (const step of steps) {
        seen.push(step);
        yield step;
      }
    }
  }
  if (control.stopReason !== undefined && control.stopReason !== "awaiting_approval") {
    skipRemaining(state, control.stopReason, config.maxSteps);
    delete state.queueUsage;
  }
}

/** The reply's usage, attributed to the first step of its turn (once). */
function takeUsage(state: LoopState): Usage {
  const usage = state.queueUsage ?? ZERO_USAGE;
  delete state.queueUsage;
  return usage;
}

/** Answer calls that will not run, so every call in the transcript has a result. */
function skipRemaining(state: LoopState, reason: StopReason, maxSteps: number): void {
  const why = reason === "max_steps"
    ? `the step budget (${maxSteps}) is used up`
    : reason === "done"
    ? "the run finished with done first"
    : `the run stopped (${reason})`;
  for (const call of state.queue.splice(0)) {
    state.transcript.push(
      toolMessage(call.id, call.name, refusedResult(`Not run: ${why}`, "cancelled")),
    );
  }
}

function refusedResult(error: string, errorKind: StepResult["errorKind"]): StepResult {
  return { data: null, error, ...(errorKind ? { errorKind } : {}), durationMs: 0 };
}

/** Take the next calls that may run together: consecutive concurrency-safe calls, within budget. */
function nextBatch(config: RunConfig, state: LoopState): ToolCallRequest[] {
  const budget = config.maxSteps - stepCount(state);
  const [first, ...rest] = state.queue;
  if (first === undefined) return [];
  const batch = [first];
  if (config.tools.get(first.name)?.concurrencySafe !== true) return batch;
  for (const call of rest) {
    if (batch.length >= budget || config.tools.get(call.name)?.concurrencySafe !== true) break;
    batch.push(call);
  }
  return batch;
}

async function runBatch(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
): Promise<Step[]> {
  const approved = consumeApproval(config, state);
  const prepared: Prepared[] = [];
  for (const [index, call] of nextBatch(config, state).entries()) {
    const number = stepCount(state) + 1 + index;
    const item = await prepare(
      config,
      state,
      control,
      call,
      number,
      turn,
      index === 0 ? approved : undefined,
    );
    if (item.pause !== undefined) {
      if (prepared.length === 0) return [await pauseStep(config, state, control, item, turn)];
      break;
    }
    prepared.push(item);
  }
  const usage = takeUsage(state);
  const { executed, extraUsage } = await executeAll(config, state, control, prepared, turn);
  // Cancelled: the calls that ran (or were cut short) are recorded; those
  // that never started stay queued and are answered "Not run".
  if (control.signal.aborted) control.stopReason = "cancelled";
  const steps: Step[] = [];
  for (const [index, { item, outcome }] of executed.entries()) {
    if (outcome === NOT_STARTED) break;
    const result = await postDispatch(
      config,
      state,
      control,
      item.call,
      item.number,
      turn,
      outcome,
    );
    state.queue.shift();
    state.transcript.push(toolMessage(item.call.id, item.call.name, result));
    settleEffect(state, item.call.id);
    steps.push(
      await record(config, state, {
        number: item.number,
        turn,
        call: stepCall(item.call),
        result,
        usage: addUsage(index === 0 ? usage : ZERO_USAGE, extraUsage[index]),
        durationMs: performance.now() - item.started,
      }),
    );
  }
  return steps;
}

/** When resuming a paused run, apply the human's decision to the paused call (once). */
function consumeApproval(
  config: RunConfig,
  state: LoopState,
): "approved" | CallOutcome | undefined {
  if (state.pending === undefined || config.approval === undefined) return undefined;
  delete state.pending;
  if (config.approval.approve) return "approved";
  const reason = config.approval.reason ?? "no reason given";
  return refused(`Denied by the approver: ${reason}`, "permission_denied");
}

function stepCall(call: ToolCallRequest): StepRecord["call"] {
  return { tool: call.name, args: call.args, id: call.id, reasoning: call.reasoning ?? "" };
}

async function prepare(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  original: ToolCallRequest,
  number: number,
  turn: number,
  approval: "approved" | CallOutcome | undefined,
): Promise<Prepared> {
  const started = performance.now();
  let call = original;
  let outcome: CallOutcome | undefined = typeof approval === "object" ? approval : undefined;
  let pause: string | undefined;
  // A call that started before the run stopped (a crash or a cancellation) and has no result.
  const wasInterrupted = state.inFlight !== undefined && settleEffect(state, original.id);
  let reconcile = false;
  if (wasInterrupted) {
    const tool = config.tools.get(original.name);
    if (tool?.reconcile !== undefined) reconcile = true;
    else if (tool !== undefined && tool.readOnly !== true && tool.onInterrupted !== "retry") {
      return {
        call,
        number,
        started,
        outcome: { ...interrupted(tool.name, "the run stopped while it ran"), durationMs: 0 },
      };
    }
  }
  if (approval === undefined) {
    await config.hooks.decide(
      "preDispatch",
      () => ({ state, signal: control.signal, call, step: number, turn }),
      (decision) => {
        if (decision.inject !== undefined) state.context.push(decision.inject);
        if (decision.args !== undefined) call = { ...call, args: { ...decision.args } };
        if (decision.deny !== undefined) outcome = refused(decision.deny, "permission_denied");
        else if (decision.pause !== undefined) pause = decision.pause;
        else if ("result" in decision) outcome = { data: decision.result ?? null, durationMs: 0 };
        else return false;
        return true;
      },
    );
  }
  if (pause !== undefined) return { call, number, started, pause };
  if (outcome !== undefined) return { call, number, started, outcome };
  if (call.argsError !== undefined) {
    return {
      call,
      number,
      started,
      outcome: refused(
        `The arguments of "${call.name}" are not a JSON object: ${call.argsError.slice(0, 200)}`,
        "parse",
      ),
    };
  }
  const tool = config.tools.get(call.name);
  if (tool === undefined) {
    return { call, number, started, outcome: unknownTool(call.name, config.toolNames) };
  }
  const checked = await validateArgs(tool, call.args, config.schemas[tool.name]);
  if ("failure" in checked) return { call, number, started, outcome: checked.failure };
  return { call, number, started, tool, args: checked.args, reconcile };
}

/** Forget the in-flight record of a call (its result is recorded); true when there was one. */
function settleEffect(state: LoopState, callId: string): boolean {
  const inFlight = state.inFlight;
  if (inFlight === undefined) return false;
  const index = inFlight.findIndex((effect) => effect.callId === callId);
  if (index < 0) return false;
  inFlight.splice(index, 1);
  if (inFlight.length === 0) delete state.inFlight;
  return true;
}

/** The key a call keeps across retries and resumes: the run's id and the call's. */
function idempotencyKey(state: LoopState, call: ToolCallRequest): string {
  return `${state.runId ?? "run"}:${call.id}`;
}

async function executeAll(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  prepared: readonly Prepared[],
  turn: number,
): Promise<{ executed: Executed[]; extraUsage: (Usage | undefined)[] }> {
  const executed: Executed[] = new Array(prepared.length);
  const extraUsage: (Usage | undefined)[] = new Array(prepared.length);
  const addTo = (index: number) => (usage: Usage) => {
    extraUsage[index] = addUsage(extraUsage[index] ?? ZERO_USAGE, checkUsage(usage));
    state.usage = addUsage(state.usage, usage);
  };
  const [only] = prepared;
  if (only !== undefined && prepared.length === 1) {
    executed[0] = {
      item: only,
      outcome: await executeOne(config, state, control, only, turn, addTo(0)),
    };
    return { executed, extraUsage };
  }
  // One iterator shared by the workers: each takes the next call not yet taken.
  const pending = prepared.entries();
  const worker = async () => {
    for (const [index, item] of pending) {
      executed[index] = {
        item,
        outcome: await executeOne(config, state, control, item, turn, addTo(index)),
      };
    }
  };
  const workers = Math.min(config.concurrency, prepared.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return { executed, extraUsage };
}

function checkUsage(usage: Usage): Usage {
  if (
    typeof usage !== "object" || usage === null || !Number.isFinite(usage.inputTokens) ||
    !Number.isFinite(usage.outputTokens)
  ) {
    throw new TypeError(
      "Cannot add usage: pass { inputTokens, outputTokens } with finite numbers, got " +
        JSON.stringify(usage),
    );
  }
  return usage;
}

async function executeOne(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  item: Prepared,
  turn: number,
  addUsageToStep: (usage: Usage) => void,
): Promise<CallOutcome> {
  if (item.outcome !== undefined || item.tool === undefined) {
    return item.outcome ?? refused("Not run", "execution");
  }
  if (control.signal.aborted) return NOT_STARTED;
  const tool = item.tool;
  const key = idempotencyKey(state, item.call);
  // Recorded before the tool runs, so a resumed run knows the call may have taken effect.
  let effect: EffectStart | undefined;
  if (tool.readOnly !== true) {
    effect = {
      callId: item.call.id,
      tool: tool.name,
      argsDigest: jsonDigest(item.call.args),
      idempotencyKey: key,
      step: item.number,
    };
    (state.inFlight ??= []).push(effect);
  }
  const starting = config.hooks.observes("tool_start")
    ? config.hooks.emit({
      type: "tool_start",
      step: item.number,
      call: item.call,
      ...(effect !== undefined ? { effect } : {}),
    })
    : undefined;
  if (starting !== undefined) await starting;
  let progressFailure: Error | undefined;
  const running = item.reconcile === true && tool.reconcile !== undefined
    ? { ...tool, execute: tool.reconcile }
    : tool;
  const outcome = await executeTool(running, item.args, (signal) => ({
    signal,
    step: item.number,
    turn,
    call: item.call,
    metadata: state.metadata,
    llm: config.llm,
    idempotencyKey: key,
    addUsage: addUsageToStep,
    progress: (message: string, data?: unknown) => {
      progressFailure ??= config.hooks.emitNow({
        type: "tool_progress",
        step: item.number,
        call: item.call,
        message,
        ...(data !== undefined ? { data } : {}),
      });
    },
  }), control.signal);
  if (progressFailure !== undefined) throw progressFailure;
  return outcome;
}

export async function postDispatch(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  call: ToolCallRequest,
  number: number,
  turn: number,
  outcome: CallOutcome,
): Promise<StepResult> {
  // The one JSON-safe form of the result: the model, the step, checkpoints and traces see it.
  let result: StepResult = outcome.error === undefined
    ? { data: toJsonValue(outcome.data), durationMs: outcome.durationMs }
    : {
      data: toJsonValue(outcome.data),
      error: outcome.error,
      errorKind: outcome.errorKind,
      durationMs: outcome.durationMs,
    };
  const deciding = config.hooks.decide(
    "postDispatch",
    () => ({ state, signal: control.signal, call, step: number, turn, result }),
    (decision) => {
      if ("result" in decision) {
        result = { data: toJsonValue(decision.result ?? null), durationMs: result.durationMs };
      }
      if (decision.inject !== undefined) state.context.push(decision.inject);
      if (decision.stop !== undefined && control.stopReason === undefined) {
        control.stopReason = decision.stop === true ? "hook_stop" : decision.stop;
      }
    },
  );
  if (deciding !== undefined) await deciding;
  return result;
}

export async function record(
  config: RunConfig,
  state: LoopState,
  record: StepRecord,
): Promise<Step> {
  state.steps.push(record);
  dropOldSteps(state, config.keepSteps);
  const step = new Step(record);
  const emitting = config.hooks.emit({ type: "step", step });
  if (emitting !== undefined) await emitting;
  return step;
}

async function pauseStep(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  item: Prepared,
  turn: number,
): Promise<Step> {
  const reason = item.pause ?? "approval required";
  state.queue[0] = item.call;
  state.pending = { call: item.call, reason, step: item.number, turn };
  control.stopReason = "awaiting_approval";
  const step = new Step({
    number: item.number,
    turn,
    call: stepCall(item.call),
    result: { data: null, durationMs: 0, awaitingApproval: reason },
    usage: ZERO_USAGE,
    durationMs: performance.now() - item.started,
  });
  await config.hooks.emit({ type: "step", step });
  return step;
}

// ---------------------------------------------------------------------------
// done
// ---------------------------------------------------------------------------

async function doneStep(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  call: ToolCallRequest,
  turn: number,
  usage: Usage,
): Promise<Step> {
  const number = stepCount(state) + 1;
  const started = performance.now();
  const tool = config.tools.get(config.doneTool)!;
  let outcome: CallOutcome | undefined;
  if (call.argsError !== undefined) {
    outcome = refused(
      `The arguments of "${call.name}" are not a JSON object: ${call.argsError.slice(0, 200)}`,
      "parse",
    );
  }
  let args: unknown;
  if (outcome === undefined) {
    const checked = await validateArgs(tool, call.args, config.schemas[tool.name]);
    if ("failure" in checked) outcome = checked.failure;
    else args = checked.args;
  }
  if (outcome === undefined) {
    await config.hooks.decide(
      "checkDone",
      () => ({ state, signal: control.signal, call, step: number, turn }),
      (decision) => {
        if (decision.inject !== undefined) state.context.push(decision.inject);
        if (decision.deny === undefined) return false;
        outcome = refused(`Done rejected: ${decision.deny}`, "rejected");
        return true;
      },
    );
  }
  let extra: Usage = ZERO_USAGE;
  outcome ??= await executeTool(tool, args, (signal) => ({
    signal,
    step: number,
    turn,
    call,
    metadata: state.metadata,
    llm: config.llm,
    idempotencyKey: idempotencyKey(state, call),
    addUsage: (added: Usage) => {
      extra = addUsage(extra, checkUsage(added));
      state.usage = addUsage(state.usage, added);
    },
    progress: () => {},
  }), control.signal);
  const result = await postDispatch(config, state, control, call, number, turn, outcome);
  state.queue.shift();
  state.transcript.push(toolMessage(call.id, call.name, result));
  if (result.error === undefined) {
    control.stopReason = "done";
    state.finalAnswer = result.data;
  }
  return record(config, state, {
    number,
    turn,
    call: stepCall(call),
    result,
    usage: addUsage(usage, extra === ZERO_USAGE ? undefined : extra),
    durationMs: performance.now() - started,
  });
}
