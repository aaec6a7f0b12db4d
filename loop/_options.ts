/**
 * Option validation and the per-run configuration `composableLoop` builds
 * from `LoopOptions` (private to the loop).
 *
 * @module
 */
import { assertToolShape } from "./assert_tool.ts";
import { done as standardDone } from "./done_tool.ts";
import { assertHooks, HookRunner } from "./_hooks.ts";
import { DEFAULT_SYSTEM_PROMPT, renderTask, textToolProtocol, toolSchemas } from "./prompt.ts";
import type { RetryPolicy } from "./retry_policy.ts";
import type { AnyTool, Backend, LoopState, ModelRequest, StopReason, ToolSchema } from "./types.ts";
import { suggestSimilar } from "./suggest_similar.ts";
import { ZERO_USAGE } from "./usage.ts";
import type { ApprovalDecision, LoopOptions } from "./loop_options.ts";

export interface RunConfig {
  readonly llm: Backend;
  readonly tools: ReadonlyMap<string, AnyTool>;
  readonly toolNames: readonly string[];
  readonly schemas: Readonly<Record<string, Record<string, unknown>>>;
  readonly request: Omit<ModelRequest, "messages">;
  readonly hooks: HookRunner;
  readonly maxSteps: number;
  readonly keepSteps: number;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly doneTool: string;
  readonly promptTooLongRecoveries: number;
  readonly signal?: AbortSignal;
  readonly approval?: ApprovalDecision;
}

function fail(option: string, problem: string, Kind: ErrorConstructor = TypeError): never {
  throw new Kind(`Cannot start loop: '${option}' ${problem}`);
}

function assertPositiveInteger(option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    fail(option, `must be a positive integer, got ${JSON.stringify(value)}`, RangeError);
  }
}

/** Every option `composableLoop` reads; the type check keeps it equal to `LoopOptions`. */
const OPTION_NAMES: Readonly<Record<keyof LoopOptions, true>> = {
  llm: true,
  task: true,
  tools: true,
  hooks: true,
  maxSteps: true,
  keepSteps: true,
  systemPrompt: true,
  signal: true,
  maxTokens: true,
  temperature: true,
  concurrency: true,
  retry: true,
  metadata: true,
  resume: true,
  approval: true,
  doneTool: true,
  promptTooLongRecoveries: true,
};

function assertKnownOptions(options: object): void {
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(OPTION_NAMES, name)) continue;
    const hint = suggestSimilar(name, Object.keys(OPTION_NAMES));
    fail(name, `is not an option${hint ? `; did you mean '${hint}'?` : ""}`);
  }
}

export function validateOptions(options: LoopOptions): RunConfig {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot start loop: pass an options object such as { llm, tools, task }");
  }
  assertKnownOptions(options);
  const {
    llm,
    task,
    tools = [],
    hooks = [],
    maxSteps = 20,
    keepSteps = Infinity,
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
  if (keepSteps !== Infinity) assertPositiveInteger("keepSteps", keepSteps);
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
    keepSteps,
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

export function initialState(options: LoopOptions): LoopState {
  if (options.resume !== undefined) {
    const state = structuredClone(options.resume);
    delete state.stopReason;
    state.runId ??= crypto.randomUUID();
    dropOldSteps(state, options.keepSteps ?? Infinity);
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
    runId: crypto.randomUUID(),
  };
}

/** Steps the run has taken: those dropped from memory under `keepSteps` and those kept. */
export function stepCount(state: LoopState): number {
  return (state.stepsDropped ?? 0) + state.steps.length;
}

/** Let the oldest step records leave memory until at most `keepSteps` remain. */
export function dropOldSteps(state: LoopState, keepSteps: number): void {
  const excess = state.steps.length - keepSteps;
  if (excess <= 0) return;
  if (excess === 1) state.steps.shift();
  else state.steps.splice(0, excess);
  state.stepsDropped = (state.stepsDropped ?? 0) + excess;
}

/** Per-run mutable bookkeeping that is not part of the saved state. */
export interface RunControl {
  readonly signal: AbortSignal;
  stopReason?: StopReason;
  error?: Error;
}
