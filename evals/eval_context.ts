import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isNotFound } from "../internal/not_found.ts";
import type { Outcome, StepRecord, Usage } from "../loop/types.ts";
import { Step } from "../loop/step.ts";
import { loadTrace, type Trace, TraceError } from "../provenance/load_trace.ts";

/**
 * One step as evaluators see it (from a live run or a trace).
 *
 * @example A step built by hand
 * ```ts
 * import type { EvalStep } from "jsr:@looplet/looplet/evals";
 * const step: EvalStep = {
 *   number: 1, turn: 1, tool: "greet", args: { name: "Alice" }, data: "Hello, Alice",
 *   error: undefined, errorKind: undefined, durationMs: 3,
 *   pretty: "#1 ✓ greet(name=Alice) → Hello, Alice",
 * };
 * ```
 */
export interface EvalStep {
  /** 1-based step number. */
  readonly number: number;
  /** Turn number, when known. */
  readonly turn: number | undefined;
  /** The tool called. */
  readonly tool: string;
  /** Its arguments. */
  readonly args: Readonly<Record<string, unknown>>;
  /** What the tool returned (`null` on error). */
  readonly data: unknown;
  /** Error text, when the call failed. */
  readonly error: string | undefined;
  /** Error classification, when known. */
  readonly errorKind: string | undefined;
  /** Wall time of the step in milliseconds. */
  readonly durationMs: number;
  /** The one-line rendering. */
  readonly pretty: string;
}

/**
 * What `EvalContext` holds; all fields but `steps` are optional when building one by hand.
 *
 * @example A context built by hand
 * ```ts
 * import { EvalContext } from "jsr:@looplet/looplet/evals";
 * const ctx = new EvalContext({
 *   steps: [],
 *   task: "Say hi",
 *   finalOutput: "hi",
 *   stopReason: "done",
 * });
 * ctx.completed; // true
 * ctx.taskText; // "Say hi"
 * ```
 */
export interface EvalContextInit {
  /** The run's steps. */
  readonly steps: readonly EvalStep[];
  /** The task (a string becomes `{ description }`). @default {} */
  readonly task?: string | Record<string, unknown>;
  /** The final answer. @default null */
  readonly finalOutput?: unknown;
  /** The real stop reason. @default undefined */
  readonly stopReason?: string;
  /** Usage totals. @default zero */
  readonly usage?: Usage;
  /** Run metadata (run id, times, anything the recorder stored). @default {} */
  readonly metadata?: Record<string, unknown>;
  /** Extra outputs collected for evaluation (files written, test results). @default {} */
  readonly artifacts?: Record<string, unknown>;
  /** Model calls made. @default 0 */
  readonly modelCalls?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function taskObject(task: unknown): Record<string, unknown> {
  if (isObject(task)) return task;
  if (task === null || task === undefined) return {};
  return { description: typeof task === "string" ? task : JSON.stringify(task) };
}

async function readJsonObject(
  path: string,
  dir: string,
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TraceError(dir, `${path.slice(dir.length + 1)} is not valid JSON`, {
      file: path,
      cause,
    });
  }
  if (!isObject(value)) {
    throw new TraceError(dir, `${path.slice(dir.length + 1)} must hold a JSON object`, {
      file: path,
    });
  }
  return value;
}

/**
 * Everything an evaluator looks at: the steps, the task, the final output,
 * the real stop reason, usage, metadata and artifacts. Build it from a trace
 * directory, a live run's outcome, or by hand.
 *
 * @example Score a trace
 * ```ts ignore
 * const ctx = await EvalContext.fromTraceDir(".traces/hello");
 * console.log(ctx.completed, ctx.toolSequence); // true ["greet", "greet", "done"]
 * ```
 */
export class EvalContext {
  /** The run's steps. */
  readonly steps: readonly EvalStep[];
  /** The task as an object (a string task is `{ description }`). */
  readonly task: Readonly<Record<string, unknown>>;
  /** The final answer (the accepted done call's result), or `null`. */
  readonly finalOutput: unknown;
  /** The real stop reason, when known. */
  readonly stopReason: string | undefined;
  /** Usage totals. */
  readonly usage: Usage;
  /** Run metadata. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Collected artifacts. */
  readonly artifacts: Readonly<Record<string, unknown>>;
  /** Model calls made. */
  readonly modelCalls: number;

  /**
   * Build a context by hand.
   *
   * @param init The fields.
   * @throws {TypeError} When `steps` is not an array.
   */
  constructor(init: EvalContextInit) {
    if (typeof init !== "object" || init === null || !Array.isArray(init.steps)) {
      throw new TypeError("Cannot create EvalContext: 'steps' must be an array of steps");
    }
    this.steps = init.steps;
    this.task = taskObject(init.task);
    this.finalOutput = init.finalOutput ?? null;
    this.stopReason = init.stopReason;
    this.usage = init.usage ?? { inputTokens: 0, outputTokens: 0 };
    this.metadata = init.metadata ?? {};
    this.artifacts = init.artifacts ?? {};
    this.modelCalls = init.modelCalls ?? 0;
  }

  /** True when the run ended with an accepted `done`. */
  get completed(): boolean {
    return this.stopReason === "done";
  }

  /** Tool names, in call order. */
  get toolSequence(): string[] {
    return this.steps.map((step) => step.tool);
  }

  /** Steps that failed. */
  get errors(): EvalStep[] {
    return this.steps.filter((step) => step.error !== undefined);
  }

  /** Number of steps. */
  get stepCount(): number {
    return this.steps.length;
  }

  /** The task's text: `task.description`, or the task as JSON. */
  get taskText(): string {
    return typeof this.task.description === "string"
      ? this.task.description
      : JSON.stringify(this.task);
  }

  /**
   * Build the context from a loaded trace.
   *
   * @param trace A trace from `loadTrace`.
   * @param extra Artifacts and metadata to add.
   * @returns The context.
   */
  static fromTrace(
    trace: Trace,
    extra: { artifacts?: Record<string, unknown>; metadata?: Record<string, unknown> } = {},
  ): EvalContext {
    const steps = trace.steps.map((step) => ({
      number: step.number,
      turn: step.turn,
      tool: step.tool,
      args: step.args,
      data: step.data,
      error: step.error,
      errorKind: step.errorKind,
      durationMs: step.durationMs,
      pretty: step.pretty,
    }));
    return new EvalContext({
      steps,
      task: taskObject(trace.task),
      finalOutput: trace.finalAnswer ?? null,
      ...(trace.stopReason !== undefined ? { stopReason: trace.stopReason } : {}),
      ...(trace.usage !== undefined ? { usage: trace.usage } : {}),
      metadata: {
        ...trace.metadata,
        run_id: trace.runId,
        started_at: trace.startedAt ?? null,
        ended_at: trace.endedAt ?? null,
        termination_reason: trace.stopReason ?? null,
        trace_dir: trace.dir,
        complete: trace.complete,
        ...extra.metadata,
      },
      artifacts: extra.artifacts ?? {},
      modelCalls: trace.calls.length,
    });
  }

  /**
   * Read a trace directory into a context. Also reads the optional siblings
   * `artifacts.json` (becomes `artifacts`) and `metrics.json` (`expected_*`
   * keys are added to the task when absent; an `output` object becomes the
   * final output when the run has none).
   *
   * @param dir The trace directory.
   * @returns The context.
   * @throws {TraceError} When the trace or a sibling file cannot be read.
   */
  static async fromTraceDir(dir: string): Promise<EvalContext> {
    const trace = await loadTrace(dir);
    const artifacts = await readJsonObject(join(dir, "artifacts.json"), dir) ?? {};
    const metrics = await readJsonObject(join(dir, "metrics.json"), dir);
    const ctx = EvalContext.fromTrace(trace, { artifacts });
    if (metrics === undefined) return ctx;
    const task = { ...ctx.task };
    for (const [key, value] of Object.entries(metrics)) {
      if (key.startsWith("expected_") && !(key in task)) task[key] = value;
    }
    return new EvalContext({
      steps: ctx.steps,
      task,
      finalOutput: ctx.finalOutput ?? (isObject(metrics.output) ? metrics.output : null),
      ...(ctx.stopReason !== undefined ? { stopReason: ctx.stopReason } : {}),
      usage: ctx.usage,
      metadata: { ...ctx.metadata, metrics },
      artifacts,
      modelCalls: ctx.modelCalls,
    });
  }

  /**
   * Build the context from a live run's outcome.
   *
   * @param outcome The outcome (`await run.outcome`).
   * @param extra Artifacts and metadata to add.
   * @returns The context.
   */
  static fromOutcome(
    outcome: Outcome,
    extra: { artifacts?: Record<string, unknown>; metadata?: Record<string, unknown> } = {},
  ): EvalContext {
    const steps = outcome.state.steps.map((record: StepRecord) => {
      const step = record instanceof Step ? record : new Step(record);
      return {
        number: step.number,
        turn: step.turn,
        tool: step.call.tool,
        args: step.call.args,
        data: step.result.data,
        error: step.result.error,
        errorKind: step.result.errorKind,
        durationMs: step.durationMs,
        pretty: step.pretty(),
      };
    });
    return new EvalContext({
      steps,
      task: outcome.state.task,
      finalOutput: outcome.finalAnswer ?? null,
      stopReason: outcome.stopReason,
      usage: outcome.usage,
      metadata: { ...outcome.state.metadata, ...extra.metadata },
      artifacts: extra.artifacts ?? {},
      modelCalls: outcome.modelCalls,
    });
  }
}
