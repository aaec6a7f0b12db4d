import { isDeepStrictEqual } from "node:util";
import { AgentRun } from "../loop/agent_run.ts";
import { composableLoop, type LoopOptions } from "../loop/composable_loop.ts";
import type { Step } from "../loop/step.ts";
import type {
  Backend,
  BackendCapabilities,
  GenerateOptions,
  Hook,
  LoopEvent,
  ModelRequest,
  ModelTurn,
  Outcome,
} from "../loop/types.ts";
import { BackendError } from "../backends/backend_error.ts";
import { isTruncated } from "./_text.ts";
import { loadTrace, type Trace, type TraceCall, type TraceStep } from "./load_trace.ts";

/**
 * A replay that no longer matches its recording: the run asked for more
 * model calls than were recorded, a call of a different shape, or (with
 * `assertReplay`) produced different steps.
 *
 * @example Catch a divergence
 * ```ts ignore
 * try { await assertReplay("tests/traces/hello", { tools }); } catch (error) {
 *   if (error instanceof ReplayDivergenceError) console.error(error.message);
 * }
 * ```
 */
export class ReplayDivergenceError extends Error {
  /** The trace directory. */
  readonly dir: string;

  /**
   * Create the error.
   *
   * @param dir The trace directory.
   * @param problem What diverged.
   */
  constructor(dir: string, problem: string) {
    super(`Replay of trace "${dir}" diverged: ${problem}`);
    this.name = "ReplayDivergenceError";
    this.dir = dir;
  }
}

/**
 * Options of `replayLoop`: the loop's options, without `llm`.
 *
 * @example Replay with changed tools, recording a new trace
 * ```ts ignore
 * const next = new ProvenanceSink(".traces/hello-replay");
 * const run = await replayLoop(".traces/hello", {
 *   tools: [greetV2],
 *   strict: false,
 *   wrap: (backend) => next.wrap(backend),
 *   hooks: [next.hook()],
 * });
 * ```
 */
export interface ReplayLoopOptions extends Omit<LoopOptions, "llm" | "task"> {
  /** The task. @default the task recorded in the trace */
  readonly task?: string | Record<string, unknown>;
  /**
   * Also fail when the tools offered to the model differ from the recording
   * (by name). @default false (changed tools are the point of many replays)
   */
  readonly strict?: boolean;
  /**
   * Wrap the replay backend, for example with another sink's `wrap` to record
   * the replay as a new trace. @default no wrapping
   */
  readonly wrap?: (backend: Backend) => Backend;
}

function scopeName(scope: string | null): string {
  return scope === null
    ? "the loop"
    : scope.startsWith("tool:")
    ? `tool "${scope.slice(5)}"`
    : scope;
}

/**
 * A backend that plays recorded model responses back in order, checking that
 * each request has the recorded shape. Divergences end the run and are kept
 * in `divergence`.
 *
 * @example Play a loaded trace back by hand
 * ```ts ignore
 * const trace = await loadTrace(".traces/hello", { bodies: true });
 * const llm = new TraceReplayBackend(trace, { strict: true });
 * const hooks = [llm.observer()];
 * await composableLoop({ llm, tools: [greet], task: "Say hi", hooks }).complete();
 * if (llm.divergence !== undefined) throw llm.divergence;
 * console.log(`${llm.served} calls served, ${llm.remaining} left`);
 * ```
 */
export class TraceReplayBackend implements Backend {
  /** Name in messages and traces. */
  readonly name: string;
  /** Capabilities of the recorded backend. */
  readonly capabilities: BackendCapabilities;
  /** The first divergence, once one happened. */
  divergence: ReplayDivergenceError | undefined;
  readonly #dir: string;
  readonly #calls: readonly TraceCall[];
  readonly #strict: boolean;
  #served = 0;
  #loopCallOpen = false;

  /**
   * Play back a loaded trace.
   *
   * @param trace A trace loaded with `{ bodies: true }`.
   * @param options Strict tool checking.
   * @throws {TypeError} When the trace was loaded without bodies.
   */
  constructor(trace: Trace, options: { strict?: boolean } = {}) {
    if (trace.calls.some((call) => call.response === undefined)) {
      throw new TypeError(
        "Cannot replay: the trace was loaded without response bodies; use loadTrace(dir, { bodies: true })",
      );
    }
    this.#dir = trace.dir;
    this.#calls = trace.calls;
    this.#strict = options.strict ?? false;
    const backend = trace.metadata.backend as
      | { name?: unknown; native_tools?: unknown }
      | undefined;
    this.name = `replay:${typeof backend?.name === "string" ? backend.name : "trace"}`;
    const nativeTools = typeof backend?.native_tools === "boolean"
      ? backend.native_tools
      : trace.calls.some((call) => (call.response?.toolCalls?.length ?? 0) > 0);
    this.capabilities = Object.freeze({ nativeTools });
  }

  /** Recorded calls served so far. */
  get served(): number {
    return this.#served;
  }

  /** Recorded calls not (yet) asked for. */
  get remaining(): number {
    return this.#calls.length - this.#served;
  }

  /** A hook that tells the backend which calls come from the loop itself. */
  observer(): Hook {
    return {
      name: "replay-observer",
      events: ["model_call_start", "model_call_end"],
      onEvent: (event: LoopEvent) => {
        if (event.type === "model_call_start") this.#loopCallOpen = true;
        else if (event.type === "model_call_end") this.#loopCallOpen = false;
      },
    };
  }

  #diverge(problem: string): never {
    this.divergence ??= new ReplayDivergenceError(this.#dir, problem);
    throw new BackendError(this.divergence.message, { retryable: false });
  }

  /**
   * Serve the next recorded response.
   *
   * @param request The request (checked against the recording).
   * @param options Signal.
   * @returns The recorded turn.
   * @throws {BackendError} With the recorded error, or on a divergence.
   */
  generate(request: ModelRequest, options: GenerateOptions = {}): Promise<ModelTurn> {
    options.signal?.throwIfAborted();
    const index = this.#served;
    if (this.divergence !== undefined) this.#diverge(this.divergence.message);
    const recorded = this.#calls[index];
    if (recorded === undefined) {
      this.#diverge(
        `the run asked for model call ${index}, but the trace recorded only ${this.#calls.length} ` +
          `call${
            this.#calls.length === 1 ? "" : "s"
          } (the changed tools or hooks made the run longer)`,
      );
    }
    const actualScope = this.#loopCallOpen ? null : "tool";
    const recordedScope = recorded.scope === null || recorded.scope === undefined
      ? null
      : recorded.scope === "hook"
      ? "hook"
      : "tool";
    if (
      recorded.raw.scope !== undefined && recordedScope !== "hook" && actualScope !== recordedScope
    ) {
      this.#diverge(
        `model call ${index} was made by ${scopeName(recorded.scope)} in the recording, ` +
          `but by ${actualScope === null ? "the loop" : "a tool"} in the replay`,
      );
    }
    if (
      recorded.purpose !== undefined && request.purpose !== undefined &&
      recorded.purpose !== request.purpose
    ) {
      this.#diverge(
        `model call ${index} had purpose "${recorded.purpose}" in the recording, but "${request.purpose}" in the replay`,
      );
    }
    if (this.#strict && recorded.toolNames !== undefined) {
      const names = request.tools.map((tool) => tool.name);
      if (!isDeepStrictEqual(names, [...recorded.toolNames])) {
        this.#diverge(
          `model call ${index} offered tools [${
            recorded.toolNames.join(", ")
          }] in the recording, ` +
            `but [${names.join(", ")}] in the replay`,
        );
      }
    }
    this.#served++;
    if (recorded.error !== null) {
      return Promise.reject(
        new BackendError(recorded.error, { retryable: recorded.errorRetryable }),
      );
    }
    return Promise.resolve(recorded.response!);
  }
}

async function loadForReplay(dir: string): Promise<Trace> {
  const trace = await loadTrace(dir, { bodies: true });
  if (trace.calls.length === 0) {
    throw new ReplayDivergenceError(
      dir,
      "the trace recorded no model calls, so there is nothing to replay",
    );
  }
  return trace;
}

/**
 * Re-run a recorded trace deterministically: the recorded model responses
 * are played back in order while the given tools and hooks really run. The
 * run throws `ReplayDivergenceError` (from iteration and from `outcome`) when
 * it asks for more calls than were recorded or for a call of another shape.
 *
 * @param dir The trace directory.
 * @param options The loop's options without `llm` (`tools`, `hooks`, ...); `task`
 *   defaults to the recording's, `maxSteps` to its budget when it stopped on
 *   `max_steps` (else room for every recorded call).
 * @returns The run, ready to iterate.
 * @throws {TraceError} When the trace cannot be read.
 * @throws {ReplayDivergenceError} When the trace holds no model calls.
 * @throws {TypeError} When the trace has no task and none is given.
 * @example Replay a trace with the same tools
 * ```ts ignore
 * const run = await replayLoop(".traces/hello", { tools: [greet] });
 * for await (const step of run) console.log(step.pretty());
 * ```
 */
export async function replayLoop(dir: string, options: ReplayLoopOptions = {}): Promise<AgentRun> {
  const trace = await loadForReplay(dir);
  return startReplay(trace, options).run;
}

/**
 * The recorded budget when the run stopped on it; otherwise room for every
 * recorded call, so a longer replay ends by running out of calls (a clear
 * divergence) rather than by a budget the recording never had.
 */
function defaultBudget(trace: Trace): number {
  if (trace.stopReason === "max_steps") return Math.max(trace.steps.length, 1);
  return Math.max(trace.steps.length + trace.calls.length, 1);
}

function startReplay(
  trace: Trace,
  options: ReplayLoopOptions,
): { run: AgentRun; backend: TraceReplayBackend } {
  const { task, strict, hooks = [], maxSteps, wrap, ...rest } = options;
  const backend = new TraceReplayBackend(trace, { strict });
  const recordedTask = trace.task;
  const effectiveTask = task ??
    (typeof recordedTask === "string" ||
        (typeof recordedTask === "object" && recordedTask !== null && !Array.isArray(recordedTask))
      ? recordedTask as string | Record<string, unknown>
      : undefined);
  if (effectiveTask === undefined || effectiveTask === "") {
    throw new TypeError(
      `Cannot replay trace "${trace.dir}": it recorded no task; pass { task } to replayLoop`,
    );
  }
  const inner = composableLoop({
    ...rest,
    // Recorded failures are replayed at once: a replay never waits out a backoff.
    retry: { baseDelayMs: 0, maxDelayMs: 0, ...rest.retry },
    llm: wrap === undefined ? backend : wrap(backend),
    task: effectiveTask,
    hooks: [...hooks, backend.observer()],
    maxSteps: maxSteps ?? defaultBudget(trace),
  });
  async function* steps(): AsyncGenerator<Step, void, undefined> {
    for await (const step of inner) yield step;
    if (backend.divergence !== undefined) throw backend.divergence;
  }
  const outcome = inner.outcome.then((value) => {
    if (backend.divergence !== undefined) throw backend.divergence;
    return value;
  });
  return { run: new AgentRun(steps(), outcome, inner.state), backend };
}

/**
 * Options of `assertReplay`.
 *
 * @example Compare calls only, on a redacted trace
 * ```ts ignore
 * await assertReplay("tests/traces/hello", {
 *   tools: [greet],
 *   compareResults: false,
 *   redact: redactSecrets(),
 * });
 * ```
 */
export interface AssertReplayOptions extends ReplayLoopOptions {
  /** Compare tool results too, not only the calls. @default true */
  readonly compareResults?: boolean;
  /** Applied to replayed text before comparing, when the trace was recorded with `redact`. */
  readonly redact?: (text: string) => string;
}

function normalize(value: unknown, redact: ((text: string) => string) | undefined): unknown {
  const json = JSON.stringify(value ?? null);
  const parsed = JSON.parse(json === undefined ? "null" : json);
  if (redact === undefined) return parsed;
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return redact(item);
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item === "object" && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v)]));
    }
    return item;
  };
  return walk(parsed);
}

function containsTruncation(value: unknown): boolean {
  if (typeof value === "string") return isTruncated(value);
  if (Array.isArray(value)) return value.some(containsTruncation);
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(containsTruncation);
  }
  return false;
}

function describeRecorded(step: TraceStep): string {
  return `${step.tool}(${step.argsSummary}) → ${
    step.error !== undefined
      ? `ERROR: ${step.error.slice(0, 80)}`
      : JSON.stringify(step.data)?.slice(0, 80)
  }`;
}

function describeReplayed(step: Step): string {
  return `${step.call.tool}(...) → ${
    step.result.error !== undefined
      ? `ERROR: ${step.result.error.slice(0, 80)}`
      : JSON.stringify(step.result.data)?.slice(0, 80)
  }`;
}

function compareStep(
  recorded: TraceStep,
  replayed: Step,
  options: AssertReplayOptions,
): string | undefined {
  const { compareResults = true, redact } = options;
  if (recorded.tool !== replayed.call.tool) return "a different tool was called";
  if (
    !isDeepStrictEqual(normalize(recorded.args, undefined), normalize(replayed.call.args, redact))
  ) {
    return "the arguments differ";
  }
  if ((recorded.error !== undefined) !== (replayed.result.error !== undefined)) {
    return recorded.error !== undefined
      ? "the recorded call failed, the replayed one did not"
      : "the replayed call failed, the recorded one did not";
  }
  if (!compareResults || recorded.error !== undefined || containsTruncation(recorded.data)) {
    return undefined;
  }
  if (
    !isDeepStrictEqual(normalize(recorded.data, undefined), normalize(replayed.result.data, redact))
  ) {
    return "the results differ";
  }
  return undefined;
}

/**
 * Replay a trace and assert that the run reproduces it step for step: same
 * tools, same arguments, same success or failure, same results (unless
 * `compareResults: false`), same stop reason, and every recorded call used.
 * Turns any recorded run into a regression test in one line.
 *
 * @param dir The trace directory.
 * @param options The replay's tools and hooks, plus comparison options.
 * @returns The replayed outcome.
 * @throws {ReplayDivergenceError} On the first difference, naming the step and both sides.
 * @example A regression test from a recorded run
 * ```ts ignore
 * Deno.test("hello agent still greets", () => assertReplay("tests/traces/hello", { tools: [greet] }));
 * ```
 */
export async function assertReplay(
  dir: string,
  options: AssertReplayOptions = {},
): Promise<Outcome> {
  const { compareResults: _c, redact: _r, ...replayOptions } = options;
  const trace = await loadForReplay(dir);
  const { run, backend } = startReplay(trace, replayOptions);
  const replayed: Step[] = [];
  for await (const step of run) {
    const index = replayed.length;
    replayed.push(step);
    const recorded = trace.steps[index];
    if (recorded === undefined) {
      throw new ReplayDivergenceError(
        dir,
        `the replay made step ${step.number} (${
          describeReplayed(step)
        }), but the trace has only ${trace.steps.length} steps`,
      );
    }
    const problem = compareStep(recorded, step, options);
    if (problem !== undefined) {
      throw new ReplayDivergenceError(
        dir,
        `step ${step.number}: ${problem}\n  recorded: ${describeRecorded(recorded)}\n  replayed: ${
          describeReplayed(step)
        }`,
      );
    }
  }
  const outcome = await run.outcome;
  if (replayed.length < trace.steps.length) {
    throw new ReplayDivergenceError(
      dir,
      `the replay ended after ${replayed.length} steps (${outcome.stopReason}), but the trace has ${trace.steps.length}`,
    );
  }
  if (
    trace.complete && trace.stopReason !== undefined && trace.source === "looplet" &&
    trace.stopReason !== outcome.stopReason
  ) {
    throw new ReplayDivergenceError(
      dir,
      `the replay stopped with "${outcome.stopReason}", the recording with "${trace.stopReason}"`,
    );
  }
  if (backend.remaining > 0) {
    throw new ReplayDivergenceError(
      dir,
      `the replay used ${backend.served} of ${trace.calls.length} recorded model calls`,
    );
  }
  return outcome;
}
