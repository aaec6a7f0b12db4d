import { abortableDelay } from "./abortable_delay.ts";
import { AgentRun } from "./agent_run.ts";
import { assertToolShape } from "./assert_tool.ts";
import { done as standardDone } from "./done_tool.ts";
import { type CallOutcome, executeTool, refused, unknownTool, validateArgs } from "./_dispatch.ts";
import { assertHooks, HookRunner } from "./_hooks.ts";
import { parseToolCalls } from "./parse.ts";
import {
  DEFAULT_SYSTEM_PROMPT,
  renderTask,
  textToolProtocol,
  toolMessage,
  toolSchemas,
} from "./prompt.ts";
import { isPromptTooLong } from "./prompt_too_long.ts";
import { isRetryable, retryDelay, type RetryPolicy } from "./retry_policy.ts";
import { Step } from "./step.ts";
import type {
  AnyTool,
  Backend,
  Hook,
  LoopState,
  Message,
  ModelDelta,
  ModelRequest,
  ModelTurn,
  Outcome,
  StepRecord,
  StepResult,
  StopReason,
  ToolCallRequest,
  ToolSchema,
  Usage,
} from "./types.ts";
import { addUsage, ZERO_USAGE } from "./usage.ts";

/**
 * The human answer to a paused call, given when resuming.
 *
 * @example Deny a paused call and resume the run
 * ```ts ignore
 * import { type ApprovalDecision, composableLoop } from "jsr:@looplet/looplet";
 * const approval: ApprovalDecision = { approve: false, reason: "Do not push to main" };
 * const run = composableLoop({ llm, tools, task, resume: outcome.state, approval });
 * ```
 */
export type ApprovalDecision =
  | { readonly approve: true }
  | { readonly approve: false; readonly reason?: string };

/**
 * Options of `composableLoop`.
 *
 * @example Run with a step limit, a timeout and retries
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * const run = composableLoop({
 *   llm,
 *   tools: [greet],
 *   task: "Greet Alice",
 *   maxSteps: 10,
 *   signal: AbortSignal.timeout(60_000),
 *   retry: { attempts: 5, baseDelayMs: 1000 },
 * });
 * ```
 */
export interface LoopOptions {
  /** The model backend. */
  readonly llm: Backend;
  /** The task: a string, or an object rendered as `key: value` lines. */
  readonly task: string | Record<string, unknown>;
  /** Tools the model may call (an array or a `ToolRegistry`); `done` is added when missing. @default [] */
  readonly tools?: Iterable<AnyTool>;
  /** Hooks, run in order. @default [] */
  readonly hooks?: readonly Hook[];
  /** Most tool calls in the run (including `done`); never exceeded. @default 20 */
  readonly maxSteps?: number;
  /** System prompt. @default a short agent instruction that mentions `done` */
  readonly systemPrompt?: string;
  /** Cancels the run: in-flight model calls and tools are aborted. */
  readonly signal?: AbortSignal;
  /** Output token limit per model call. @default undefined (the provider decides) */
  readonly maxTokens?: number;
  /** Sampling temperature, 0 to 2. @default undefined (the provider decides) */
  readonly temperature?: number;
  /** Most concurrency-safe calls running at once. @default 4 */
  readonly concurrency?: number;
  /** Retries of model calls that fail with a retryable error. @default { attempts: 3, baseDelayMs: 500 } */
  readonly retry?: RetryPolicy;
  /** Initial run metadata shared by hooks and tools. @default {} */
  readonly metadata?: Record<string, unknown>;
  /** Continue a run from its saved state: numbering, budget and transcript carry on. */
  readonly resume?: LoopState;
  /** When resuming a run that paused for approval: approve or deny the paused call. */
  readonly approval?: ApprovalDecision;
  /** Name of the tool that finishes the run. @default "done" */
  readonly doneTool?: string;
  /**
   * How many times one turn may recover from a prompt-too-long error through
   * `onPromptTooLong` hooks (each returns a smaller transcript). @default 3
   */
  readonly promptTooLongRecoveries?: number;
}

interface RunConfig {
  readonly llm: Backend;
  readonly tools: ReadonlyMap<string, AnyTool>;
  readonly toolNames: readonly string[];
  readonly schemas: Readonly<Record<string, Record<string, unknown>>>;
  readonly request: Omit<ModelRequest, "messages">;
  readonly hooks: HookRunner;
  readonly maxSteps: number;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly doneTool: string;
  readonly promptTooLongRecoveries: number;
  readonly signal?: AbortSignal;
  readonly approval?: ApprovalDecision;
}

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

// ---------------------------------------------------------------------------
// Option validation
// ---------------------------------------------------------------------------

function fail(option: string, problem: string, Kind: ErrorConstructor = TypeError): never {
  throw new Kind(`Cannot start loop: '${option}' ${problem}`);
}

function assertPositiveInteger(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    fail(option, `must be a positive integer, got ${JSON.stringify(value)}`, RangeError);
  }
}

function validateOptions(options: LoopOptions): RunConfig {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot start loop: pass an options object such as { llm, tools, task }");
  }
  const {
    llm,
    task,
    tools = [],
    hooks = [],
    maxSteps = 20,
    systemPrompt = DEFAULT_SYSTEM_PROMPT,
    signal,
    maxTokens,
    temperature,
    concurrency = 4,
    retry = {},
    doneTool = "done",
    resume,
    approval,
    promptTooLongRecoveries = 3,
  } = options;
  if (typeof llm !== "object" || llm === null || typeof llm.generate !== "function") {
    fail(
      "llm",
      "must be a Backend with a generate() method, for example new ScriptedBackend([...])",
    );
  }
  if (typeof llm.capabilities !== "object" || llm.capabilities === null) {
    fail(
      "llm",
      `backend "${llm.name}" must declare 'capabilities', for example { nativeTools: true }`,
    );
  }
  if (resume === undefined) {
    if (
      typeof task !== "string" && (typeof task !== "object" || task === null || Array.isArray(task))
    ) {
      fail("task", `must be a string or an object, got ${task === null ? "null" : typeof task}`);
    }
    if (typeof task === "string" && task.trim() === "") fail("task", "must not be empty");
  }
  assertPositiveInteger("maxSteps", maxSteps);
  assertPositiveInteger("concurrency", concurrency);
  assertPositiveInteger("maxTokens", maxTokens);
  assertPositiveInteger("retry.attempts", retry.attempts);
  if (
    typeof promptTooLongRecoveries !== "number" || !Number.isInteger(promptTooLongRecoveries) ||
    promptTooLongRecoveries < 0
  ) {
    fail(
      "promptTooLongRecoveries",
      `must be a non-negative integer, got ${JSON.stringify(promptTooLongRecoveries)}`,
      RangeError,
    );
  }
  if (
    temperature !== undefined &&
    (typeof temperature !== "number" || !(temperature >= 0 && temperature <= 2))
  ) {
    fail(
      "temperature",
      `must be a number from 0 to 2, got ${JSON.stringify(temperature)}`,
      RangeError,
    );
  }
  if (typeof systemPrompt !== "string") fail("systemPrompt", "must be a string");
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    fail("signal", "must be an AbortSignal, for example AbortSignal.timeout(60_000)");
  }
  assertHooks(hooks);
  const toolMap = collectTools(tools, doneTool);
  const toolList = [...toolMap.values()];
  const schemaList = toolSchemas(toolList);
  if (resume !== undefined) assertResumable(resume, approval);
  else if (approval !== undefined) {
    fail("approval", "is only for resuming a paused run; pass 'resume' too");
  }
  const protocol = llm.capabilities.nativeTools
    ? ""
    : `\n\n${textToolProtocol(schemaList, doneTool)}`;
  return {
    llm,
    tools: toolMap,
    toolNames: [...toolMap.keys()],
    schemas: Object.fromEntries(schemaList.map((schema) => [schema.name, schema.inputSchema])),
    request: {
      systemPrompt: systemPrompt + protocol,
      tools: schemaList as readonly ToolSchema[],
      purpose: "reasoning",
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    },
    hooks: new HookRunner(hooks),
    maxSteps,
    concurrency,
    retry,
    doneTool,
    promptTooLongRecoveries,
    signal,
    approval,
  };
}

function collectTools(tools: Iterable<AnyTool>, doneTool: string): Map<string, AnyTool> {
  if (tools === null || typeof (tools as Iterable<AnyTool>)[Symbol.iterator] !== "function") {
    fail("tools", "must be an array of tools or a ToolRegistry");
  }
  const map = new Map<string, AnyTool>();
  let index = 0;
  for (const item of tools) {
    assertToolShape(item, `Cannot start loop: tools[${index++}]`);
    if (map.has(item.name)) {
      fail("tools", `has two tools named "${item.name}"; tool names must be unique`);
    }
    map.set(item.name, item);
  }
  if (!map.has(doneTool)) {
    if (doneTool !== "done") {
      fail("doneTool", `names "${doneTool}", but no tool of that name is in 'tools'`);
    }
    map.set("done", standardDone);
  }
  return map;
}

function assertResumable(state: LoopState, approval: ApprovalDecision | undefined): void {
  if (
    typeof state !== "object" || state === null || state.version !== 1 ||
    !Array.isArray(state.transcript)
  ) {
    fail("resume", "must be a LoopState (version 1) from a previous run's outcome or checkpoint");
  }
  if (state.stopReason === "done") {
    fail("resume", "is a run that already finished with done; start a new run instead");
  }
  if (state.pending !== undefined && approval === undefined) {
    fail(
      "approval",
      `is required: the run is paused awaiting approval of "${state.pending.call.name}"; ` +
        "pass approval: { approve: true } or { approve: false, reason }",
    );
  }
  if (approval !== undefined && state.pending === undefined) {
    fail("approval", "was given, but the resumed run is not awaiting approval");
  }
}

function initialState(options: LoopOptions): LoopState {
  if (options.resume !== undefined) {
    const state = structuredClone(options.resume);
    delete state.stopReason;
    return state;
  }
  return {
    version: 1,
    task: options.task,
    transcript: [{ role: "user", content: renderTask(options.task) }],
    steps: [],
    queue: [],
    context: [],
    turn: 0,
    modelCalls: 0,
    usage: ZERO_USAGE,
    parseFailures: 0,
    metadata: { ...options.metadata },
  };
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

interface Settle {
  resolve(outcome: Outcome): void;
  reject(error: unknown): void;
}

/** Per-run mutable bookkeeping that is not part of the saved state. */
interface RunControl {
  readonly signal: AbortSignal;
  stopReason?: StopReason;
  error?: Error;
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
      else if (state.steps.length >= config.maxSteps) control.stopReason = "max_steps";
      else yield* runTurn(config, state, control);
    }
  } catch (error) {
    thrown = error;
  } finally {
    // Runs on normal end, on error, and when the caller breaks out of `for await`.
    state.stopReason = control.stopReason ?? (thrown === undefined ? "cancelled" : "error");
    const outcome = toOutcome(state, control);
    try {
      await config.hooks.emit({ type: "loop_end", outcome });
      await config.hooks.notify("onLoopEnd", { state, signal: control.signal, outcome });
    } catch (error) {
      thrown ??= error;
    }
    config.signal?.removeEventListener("abort", onAbort);
    if (!controller.signal.aborted) {
      controller.abort(new DOMException("The run ended", "AbortError"));
    }
    if (thrown === undefined) settle.resolve(outcome);
    else settle.reject(thrown);
  }
  if (thrown !== undefined) throw thrown;
}

function toOutcome(state: LoopState, control: RunControl): Outcome {
  return {
    stopReason: state.stopReason ?? "cancelled",
    ...(state.finalAnswer !== undefined ? { finalAnswer: state.finalAnswer } : {}),
    usage: state.usage,
    steps: state.steps.length,
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
): AsyncGenerator<Step, void, undefined> {
  const turn = ++state.turn;
  await config.hooks.emit({ type: "turn_start", turn });
  const injected = await promptContext(config, state, control, turn);
  const reply = await callModel(config, state, control, turn, injected);
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

/** Run `prePrompt` hooks; returns this turn's injected context message, if any. */
async function promptContext(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
): Promise<Message | undefined> {
  if (!config.hooks.has("prePrompt")) return undefined;
  const injected: string[] = [];
  await config.hooks.decide("prePrompt", { state, signal: control.signal, turn }, (decision) => {
    if (decision.messages !== undefined) state.transcript = [...decision.messages];
    if (decision.inject !== undefined) injected.push(decision.inject);
  });
  return injected.length === 0 ? undefined : { role: "user", content: injected.join("\n\n") };
}

/** Ask `onPromptTooLong` hooks for a smaller transcript; true when one gave it. */
async function recoverPromptTooLong(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
  attempt: number,
  error: Error,
): Promise<boolean> {
  let recovered = false;
  await config.hooks.decide(
    "onPromptTooLong",
    () => ({ state, signal: control.signal, turn, attempt, error, messages: state.transcript }),
    (decision) => {
      if (decision.messages === undefined) return false;
      state.transcript = [...decision.messages];
      recovered = true;
      return true;
    },
  );
  await config.hooks.emit({
    type: "prompt_too_long",
    turn,
    attempt,
    error: error.message,
    recovered,
  });
  return recovered;
}

function uniqueIds(calls: readonly ToolCallRequest[], turn: number): readonly ToolCallRequest[] {
  if (calls.length === 1 && typeof calls[0].id === "string" && calls[0].id !== "") return calls;
  const seen = new Set<string>();
  return calls.map((call, index) => {
    let id = typeof call.id === "string" && call.id !== "" ? call.id : `call_${turn}_${index + 1}`;
    if (seen.has(id)) id = `${id}_${index + 1}`;
    seen.add(id);
    return id === call.id ? call : { ...call, id };
  });
}

// ---------------------------------------------------------------------------
// Model call with retries
// ---------------------------------------------------------------------------

async function callModel(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
  injected: Message | undefined,
): Promise<ModelTurn | undefined> {
  const { attempts = 3 } = config.retry;
  let recoveries = 0;
  for (let attempt = 1;; attempt++) {
    const request: ModelRequest = {
      ...config.request,
      messages: injected === undefined ? state.transcript : [...state.transcript, injected],
    };
    await config.hooks.emit({ type: "model_call_start", turn, attempt });
    let hookFailure: Error | undefined;
    const onDelta = config.hooks.observed
      ? (delta: ModelDelta) => {
        hookFailure ??= config.hooks.emitNow({ type: "model_delta", turn, delta });
      }
      : undefined;
    const started = config.hooks.observed ? performance.now() : 0;
    state.modelCalls++;
    try {
      const reply = checkReply(
        await config.llm.generate(request, {
          signal: control.signal,
          ...(onDelta ? { onDelta } : {}),
        }),
        config.llm.name,
      );
      if (hookFailure !== undefined) throw hookFailure;
      state.usage = addUsage(state.usage, reply.usage);
      await config.hooks.emit({
        type: "model_call_end",
        turn,
        durationMs: performance.now() - started,
        ...(reply.usage ? { usage: reply.usage } : {}),
      });
      return reply;
    } catch (error) {
      if (error === hookFailure) throw error;
      const failure = error instanceof Error ? error : new Error(String(error));
      await config.hooks.emit({
        type: "model_call_end",
        turn,
        durationMs: performance.now() - started,
        error: failure.message,
      });
      if (control.signal.aborted) {
        control.stopReason = "cancelled";
        return undefined;
      }
      if (
        isPromptTooLong(error) && recoveries < config.promptTooLongRecoveries &&
        await recoverPromptTooLong(config, state, control, turn, ++recoveries, failure)
      ) {
        attempt--; // a recovered prompt is a new prompt, not a retry of the same one
        continue;
      }
      if (!isRetryable(error) || attempt >= attempts) {
        control.stopReason = "llm_error";
        control.error = failure;
        return undefined;
      }
      const delayMs = retryDelay(attempt, config.retry, error);
      await config.hooks.emit({
        type: "model_retry",
        turn,
        attempt,
        delayMs,
        error: failure.message,
      });
      try {
        await abortableDelay(delayMs, control.signal);
      } catch {
        control.stopReason = "cancelled";
        return undefined;
      }
    }
  }
}

function checkReply(reply: unknown, backend: string): ModelTurn {
  const turn = reply as ModelTurn | undefined;
  if (typeof turn !== "object" || turn === null || typeof turn.text !== "string") {
    throw new TypeError(
      `Backend "${backend}" returned an invalid turn: expected { text, toolCalls? }`,
    );
  }
  if (turn.toolCalls !== undefined && !Array.isArray(turn.toolCalls)) {
    throw new TypeError(
      `Backend "${backend}" returned an invalid turn: 'toolCalls' must be an array`,
    );
  }
  return turn;
}

// ---------------------------------------------------------------------------
// Parse failures
// ---------------------------------------------------------------------------

async function parseFailureStep(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  turn: number,
  reply: ModelTurn,
): Promise<Step> {
  state.parseFailures++;
  const empty = reply.text.trim() === "";
  const error = empty
    ? "The reply was empty: it had no text and no tool call"
    : "The reply had no tool call that could be read";
  const call: ToolCallRequest = { id: `parse_${turn}`, name: "__parse_error__", args: {} };
  const started = performance.now();
  const result = await postDispatch(config, state, control, call, state.steps.length + 1, turn, {
    data: null,
    error,
    errorKind: "parse",
    durationMs: 0,
  });
  const step = await record(config, state, {
    number: state.steps.length + 1,
    turn,
    call: { tool: call.name, args: {}, id: call.id, reasoning: reply.text.slice(0, 200) },
    result,
    usage: reply.usage ?? ZERO_USAGE,
    durationMs: performance.now() - started,
  });
  state.context.push(
    `${error}. Reply with a tool call${
      config.llm.capabilities.nativeTools ? "" : ' as JSON: {"tool": "<name>", "args": {...}}'
    }. Call "${config.doneTool}" with your answer when the task is complete.`,
  );
  return step;
}

// ---------------------------------------------------------------------------
// Dispatch of the queued calls of a turn
// ---------------------------------------------------------------------------

interface Prepared {
  readonly call: ToolCallRequest;
  readonly number: number;
  readonly started: number;
  readonly tool?: AnyTool;
  readonly args?: unknown;
  readonly outcome?: CallOutcome;
  readonly pause?: string;
}

/** Run the queued calls of the current turn, yielding each step; `seen` collects them. */
async function* processQueue(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  seen: Step[] = [],
): AsyncGenerator<Step, void, undefined> {
  const turn = state.turn;
  while (state.queue.length > 0 && control.stopReason === undefined) {
    if (control.signal.aborted) control.stopReason = "cancelled";
    else if (state.steps.length >= config.maxSteps) control.stopReason = "max_steps";
    else if (state.queue[0].name === config.doneTool) {
      const step = await doneStep(config, state, control, state.queue[0], turn, takeUsage(state));
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
  const budget = config.maxSteps - state.steps.length;
  const batch = [state.queue[0]];
  if (config.tools.get(state.queue[0].name)?.concurrencySafe !== true) return batch;
  for (const call of state.queue.slice(1)) {
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
    const number = state.steps.length + 1 + index;
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
  const { outcomes, extraUsage } = await executeAll(config, state, control, prepared, turn);
  if (control.signal.aborted) {
    control.stopReason = "cancelled";
    return [];
  }
  const steps: Step[] = [];
  for (const [index, item] of prepared.entries()) {
    const result = await postDispatch(
      config,
      state,
      control,
      item.call,
      item.number,
      turn,
      outcomes[index],
    );
    state.queue.shift();
    state.transcript.push(toolMessage(item.call.id, item.call.name, result));
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
  return { call, number, started, tool, args: checked.args };
}

async function executeAll(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  prepared: readonly Prepared[],
  turn: number,
): Promise<{ outcomes: CallOutcome[]; extraUsage: (Usage | undefined)[] }> {
  const outcomes: CallOutcome[] = new Array(prepared.length);
  const extraUsage: (Usage | undefined)[] = new Array(prepared.length);
  const addTo = (index: number) => (usage: Usage) => {
    extraUsage[index] = addUsage(extraUsage[index] ?? ZERO_USAGE, checkUsage(usage));
    state.usage = addUsage(state.usage, usage);
  };
  if (prepared.length === 1) {
    outcomes[0] = await executeOne(config, state, control, prepared[0], turn, addTo(0));
    return { outcomes, extraUsage };
  }
  let next = 0;
  const worker = async () => {
    while (next < prepared.length) {
      const index = next++;
      outcomes[index] = await executeOne(
        config,
        state,
        control,
        prepared[index],
        turn,
        addTo(index),
      );
    }
  };
  const workers = Math.min(config.concurrency, prepared.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return { outcomes, extraUsage };
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
  const starting = config.hooks.emit(() => ({
    type: "tool_start",
    step: item.number,
    call: item.call,
  }));
  if (starting !== undefined) await starting;
  let progressFailure: Error | undefined;
  const outcome = await executeTool(item.tool, item.args, (signal) => ({
    signal,
    step: item.number,
    turn,
    call: item.call,
    metadata: state.metadata,
    llm: config.llm,
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

async function postDispatch(
  config: RunConfig,
  state: LoopState,
  control: RunControl,
  call: ToolCallRequest,
  number: number,
  turn: number,
  outcome: CallOutcome,
): Promise<StepResult> {
  let result: StepResult = outcome.error === undefined
    ? { data: outcome.data, durationMs: outcome.durationMs }
    : {
      data: outcome.data,
      error: outcome.error,
      errorKind: outcome.errorKind,
      durationMs: outcome.durationMs,
    };
  const deciding = config.hooks.decide(
    "postDispatch",
    () => ({ state, signal: control.signal, call, step: number, turn, result }),
    (decision) => {
      if ("result" in decision) {
        result = { data: decision.result ?? null, durationMs: result.durationMs };
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

async function record(config: RunConfig, state: LoopState, record: StepRecord): Promise<Step> {
  state.steps.push(record);
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
  const number = state.steps.length + 1;
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
