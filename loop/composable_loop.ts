import { AgentRun } from "./agent_run.ts";
import type { HookError } from "./hook_error.ts";
import { parseToolCalls } from "./parse.ts";
import { renderTask } from "./prompt.ts";
import type { Step } from "./step.ts";
import type { LoopState, Outcome } from "./types.ts";
import type { LoopOptions } from "./loop_options.ts";
import {
  initialState,
  type RunConfig,
  type RunControl,
  stepCount,
  validateOptions,
} from "./_options.ts";
import {
  callModel,
  parseFailureStep,
  promptContext,
  RequestMessages,
  uniqueIds,
} from "./_model_turn.ts";
import { processQueue } from "./_queue.ts";

export type { ApprovalDecision, LoopOptions } from "./loop_options.ts";

/**
 * Start an agent loop. Options are validated at once; the returned run does
 * nothing until iterated. Each yielded `Step` is one tool call and its result.
 *
 * @param options Backend, task, tools, hooks and limits.
 * @returns The run: iterate it, then read `run.outcome`.
 * @throws {TypeError} When an option has the wrong type (the message names the option and the fix).
 * @throws {RangeError} When a numeric option is out of range.
 * @example Greet two people, then finish
 * ```ts ignore
 * import { z } from "zod";
 * import { composableLoop, ScriptedBackend, tool } from "jsr:@looplet/looplet";
 *
 * const greet = tool({
 *   name: "greet",
 *   description: "Greet someone by name.",
 *   input: z.object({ name: z.string() }),
 *   execute: ({ name }) => ({ greeting: `Hello, ${name}!` }),
 * });
 * const llm = new ScriptedBackend([
 *   ScriptedBackend.call("greet", { name: "Alice" }),
 *   ScriptedBackend.call("done", { answer: "Greeted Alice" }),
 * ]);
 * const run = composableLoop({ llm, tools: [greet], task: "Greet Alice" });
 * for await (const step of run) console.log(step.pretty());
 * console.log((await run.outcome).finalAnswer); // "Greeted Alice"
 * ```
 */
export function composableLoop(options: LoopOptions): AgentRun {
  const config = validateOptions(options);
  const state = initialState(options);
  let settle!: { resolve: (outcome: Outcome) => void; reject: (error: unknown) => void };
  const outcome = new Promise<Outcome>((resolve, reject) => (settle = { resolve, reject }));
  return new AgentRun(runLoop(config, state, settle), outcome, state);
}

interface Settle {
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
}

async function* runLoop(
  config: RunConfig,
  state: LoopState,
  settle: Settle,
): AsyncGenerator<Step, void, undefined> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(config.signal?.reason);
  if (config.signal?.aborted) onAbort();
  else config.signal?.addEventListener("abort", onAbort, { once: true });
  const control: RunControl = { signal: controller.signal };
  const messages = new RequestMessages();
  let thrown: unknown;
  try {
    await config.hooks.notify("onLoopStart", { state, signal: control.signal });
    await config.hooks.emit({ type: "loop_start", task: renderTask(state.task) });
    if (state.queue.length > 0) {
      const resumed: Step[] = [];
      yield* processQueue(config, state, control, resumed);
      await endTurn(config, state, control, state.turn, resumed);
    }
    while (control.stopReason === undefined) {
      if (control.signal.aborted) control.stopReason = "cancelled";
      else if (stepCount(state) >= config.maxSteps) control.stopReason = "max_steps";
      else yield* runTurn(config, state, control, messages);
    }
  } catch (error) {
    thrown = error;
  } finally {
    // Runs on normal end, on error, and when the caller breaks out of `for await`.
    state.stopReason = control.stopReason ?? (thrown === undefined ? "cancelled" : "error");
    const outcome = toOutcome(state, control);
    const ended = await config.hooks.endRun({ type: "loop_end", outcome }, {
      state,
      signal: control.signal,
      outcome,
    });
    if (ended.length > 0) thrown = endError(thrown, ended);
    config.signal?.removeEventListener("abort", onAbort);
    if (!controller.signal.aborted) {
      controller.abort(new DOMException("The run ended", "AbortError"));
    }
    if (thrown === undefined) settle.resolve(outcome);
    else settle.reject(thrown);
  }
  if (thrown !== undefined) throw thrown;
}

/**
 * The error a run rejects with when end-of-run hooks threw: one error as it
 * is, several as an AggregateError whose message names each hook. A hook
 * failing again with the error that ended the run is not counted twice.
 */
function endError(thrown: unknown, ended: readonly HookError[]): unknown {
  if (thrown === undefined) {
    return ended.length === 1 ? ended[0] : aggregate(ended);
  }
  const first = (thrown as { cause?: unknown } | null)?.cause ?? thrown;
  const fresh = ended.filter((error) => error.cause !== thrown && error.cause !== first);
  return fresh.length === 0 ? thrown : aggregate([thrown, ...fresh]);
}

function aggregate(errors: readonly unknown[]): AggregateError {
  return new AggregateError(
    errors,
    errors.map((error) => (error instanceof Error ? error.message : String(error))).join("; "),
  );
}

function toOutcome(state: LoopState, control: RunControl): Outcome {
  return {
    stopReason: state.stopReason ?? "cancelled",
    ...(state.finalAnswer !== undefined ? { finalAnswer: state.finalAnswer } : {}),
    usage: state.usage,
    steps: stepCount(state),
    modelCalls: state.modelCalls,
    ...(control.error !== undefined ? { error: control.error } : {}),
    ...(state.pending !== undefined ? { pending: state.pending } : {}),
    state,
  };
}

async function* runTurn(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  messages: RequestMessages,
): AsyncGenerator<Step, void, undefined> {
  const turn = ++state.turn;
  await config.hooks.emit({ type: "turn_start", turn });
  const injected = await promptContext(config, state, control, turn);
  const reply = await callModel(config, state, control, turn, { injected, messages });
  if (reply === undefined) return;
  const calls = uniqueIds(
    reply.toolCalls !== undefined && reply.toolCalls.length > 0
      ? reply.toolCalls
      : parseToolCalls(reply.text, `call_${turn}_`),
    turn,
  );
  state.transcript.push({
    role: "assistant",
    content: reply.text,
    ...(calls.length > 0 ? { toolCalls: calls } : {}),
    ...(reply.providerData !== undefined ? { providerData: reply.providerData } : {}),
  });
  const turnSteps: Step[] = [];
  if (calls.length === 0) {
    const step = await parseFailureStep(config, state, control, turn, reply);
    turnSteps.push(step);
    yield step;
  } else {
    state.parseFailures = 0;
    state.queue.push(...calls);
    if (reply.usage !== undefined) state.queueUsage = reply.usage;
    if (config.hooks.has("onModelReply")) {
      await config.hooks.notify("onModelReply", { state, signal: control.signal, turn, calls });
    }
    yield* processQueue(config, state, control, turnSteps);
  }
  await endTurn(config, state, control, turn, turnSteps);
}

/** Ask `shouldStop` hooks (unless the run already stops), then flush injected context. */
async function endTurn(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
  turnSteps: readonly Step[],
): Promise<void> {
  if (control.stopReason === undefined && config.hooks.has("shouldStop")) {
    await config.hooks.decide("shouldStop", {
      state,
      signal: control.signal,
      turn,
      steps: turnSteps,
    }, (decision) => {
      if (decision.inject !== undefined) state.context.push(decision.inject);
      if (decision.stop !== undefined) {
        control.stopReason = decision.stop === true ? "hook_stop" : decision.stop;
        return true;
      }
    });
  }
  flushContext(state);
}

/** Move context injected by hooks during the turn into the transcript. */
function flushContext(state: LoopState): void {
  if (state.context.length === 0) return;
  state.transcript.push({ role: "user", content: state.context.join("\n\n") });
  state.context.length = 0;
}
