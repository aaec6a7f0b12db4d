import type { Step } from "../loop/step.ts";
import type {
  Backend,
  GenerateOptions,
  Hook,
  HookContextBase,
  LoopEvent,
  LoopState,
  ModelRequest,
  ModelTurn,
  Outcome,
} from "../loop/types.ts";
import { checkedRedactor, type Redactor, scrubValue } from "./_text.ts";
import { type CallInput, CallRecorder } from "./_call_record.ts";
import { stepRecord } from "./_step_record.ts";
import { trajectoryHead } from "./_trajectory_head.ts";
import { CallAttribution } from "./_call_attribution.ts";
import { TraceWriter } from "./_trace_writer.ts";

/**
 * Options of `ProvenanceSink`.
 *
 * @example Redacted trace, written once at the end
 * ```ts ignore
 * const sink = new ProvenanceSink(".traces/run-1", {
 *   redact: redactSecrets(),
 *   maxCharsPerCall: 50_000,
 *   live: false,
 *   overwrite: true,
 *   metadata: { commit: "abc123" },
 * });
 * ```
 */
export interface ProvenanceSinkOptions {
  /**
   * Most characters kept per model call (prompt file, response file) and per
   * recorded value (tool arguments, results); longer text is cut with an
   * explicit `[truncated N chars]` marker. @default 200000
   */
  readonly maxCharsPerCall?: number;
  /**
   * Applied to every prompt, system prompt, response, tool argument, tool
   * result, error text and the task before anything is written.
   * @default undefined (nothing is redacted)
   */
  readonly redact?: (text: string) => string;
  /**
   * Also redact what is sent to the provider, so secrets never leave the
   * process. Only applies when `redact` is set. @default true
   */
  readonly redactUpstream?: boolean;
  /**
   * Write each step and each model call as it happens, so a crash leaves a
   * readable partial trace. When false, everything is written by `flush()`. @default true
   */
  readonly live?: boolean;
  /** Replace a trace of another run already in the directory. @default false */
  readonly overwrite?: boolean;
  /** Extra metadata stored in `trajectory.json` (plain JSON). @default {} */
  readonly metadata?: Record<string, unknown>;
  /** Write `trajectory.json` when the run ends, without an explicit `flush()`. @default true */
  readonly flushOnEnd?: boolean;
}

/** The options of a sink, checked and with their defaults. */
interface SinkSettings {
  readonly limit: number;
  readonly redactUpstream: boolean;
  readonly live: boolean;
  readonly overwrite: boolean;
  readonly metadata: Record<string, unknown>;
  readonly flushOnEnd: boolean;
}

function sinkSettings(dir: string, options: ProvenanceSinkOptions): SinkSettings {
  const {
    maxCharsPerCall = 200_000,
    redact,
    redactUpstream = true,
    live = true,
    overwrite = false,
    metadata = {},
    flushOnEnd = true,
  } = options;
  if (typeof dir !== "string" || dir.trim() === "") {
    throw new TypeError("Cannot create ProvenanceSink: 'dir' must be a non-empty path");
  }
  if (!Number.isInteger(maxCharsPerCall) || maxCharsPerCall < 200) {
    throw new RangeError(
      `Cannot create ProvenanceSink: 'maxCharsPerCall' must be an integer of at least 200, got ${maxCharsPerCall}`,
    );
  }
  if (redact !== undefined && typeof redact !== "function") {
    throw new TypeError(
      "Cannot create ProvenanceSink: 'redact' must be a function (text: string) => string",
    );
  }
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new TypeError("Cannot create ProvenanceSink: 'metadata' must be a plain object");
  }
  return { limit: maxCharsPerCall, redactUpstream, live, overwrite, metadata, flushOnEnd };
}

function newRunId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/**
 * Records a run into a trace directory: wrap the backend with `wrap()` to
 * record every model call, add `hook()` to the loop's hooks to record every
 * step, and the run's trace lands in `dir` (steps and calls as they happen,
 * `trajectory.json` when the run ends or on `flush()`).
 *
 * Layout: `trajectory.json`, `steps/step_NN.json`, `call_NN_prompt.txt`,
 * `call_NN_response.txt`, `manifest.jsonl`, with snake_case keys and a
 * `format_version`. What has been written is not kept in memory (read it back
 * with `loadTrace(dir)`), so a long run's trace costs flat memory.
 *
 * @example Record a scripted run
 * ```ts ignore
 * import { composableLoop, ScriptedBackend } from "jsr:@looplet/looplet";
 * import { ProvenanceSink } from "jsr:@looplet/looplet/provenance";
 *
 * const sink = new ProvenanceSink(".traces/hello", { redact: (t) => t.replaceAll("sk-secret", "[key]") });
 * const llm = sink.wrap(new ScriptedBackend([ScriptedBackend.call("done", { answer: "hi" })]));
 * await composableLoop({ llm, task: "Say hi", hooks: [sink.hook()] }).complete();
 * await sink.flush(); // trace in .traces/hello
 * ```
 */
export class ProvenanceSink {
  /** Where the trace is written. */
  readonly dir: string;
  /** The run id written to `trajectory.json` (12 hex characters). */
  readonly runId: string;
  readonly #settings: SinkSettings;
  readonly #redact: Redactor | undefined;
  readonly #writer: TraceWriter;
  readonly #calls: CallRecorder;
  readonly #origins = new CallAttribution();
  #nextCall = 0;
  #hook: Hook | undefined;
  #prepared: Promise<void> | undefined;
  #ready = false;
  #state: LoopState | undefined;
  #backend: Backend | undefined;
  #task: unknown = null;
  #startedAt: string | undefined;
  #endedAt: string | undefined;
  #outcome: Outcome | undefined;
  #started = false;

  /**
   * Create a sink that records one run into `dir`.
   *
   * @param dir The trace directory (created when missing).
   * @param options Size limit, redaction, live writes, overwrite, metadata.
   * @throws {TypeError} When `dir` is empty or an option has the wrong type.
   * @throws {RangeError} When `maxCharsPerCall` is not an integer of at least 200.
   */
  constructor(dir: string, options: ProvenanceSinkOptions = {}) {
    const settings = sinkSettings(dir, options);
    this.dir = dir;
    this.runId = newRunId();
    this.#settings = settings;
    this.#redact = checkedRedactor(options.redact);
    this.#calls = new CallRecorder(this.#redact, settings.redactUpstream, settings.limit);
    this.#writer = new TraceWriter(dir, settings.live);
  }

  /**
   * Wrap a backend so every call through it is recorded. Pass the result to
   * the loop as `llm`; tools that call `ctx.llm` are recorded too, tagged
   * `scope: "tool:<name>"` and with their step number.
   *
   * @param backend The backend to record.
   * @returns A backend with the same name and capabilities.
   * @throws {TypeError} When `backend` has no `generate` method.
   */
  wrap(backend: Backend): Backend {
    if (typeof backend !== "object" || backend === null || typeof backend.generate !== "function") {
      throw new TypeError(
        "Cannot wrap backend: expected a Backend with a generate() method, for example new ScriptedBackend([...])",
      );
    }
    this.#backend = backend;
    return {
      name: backend.name,
      capabilities: backend.capabilities,
      generate: (request, options) => this.#generate(backend, request, options),
    };
  }

  /**
   * The hook that records steps, turns and the outcome. The same object is
   * returned on every call; add it once to the loop's `hooks`.
   *
   * @returns The recording hook.
   */
  hook(): Hook {
    this.#hook ??= {
      name: "provenance",
      onLoopStart: (ctx: HookContextBase) => this.#onLoopStart(ctx.state),
      events: [
        "turn_start",
        "model_call_start",
        "model_call_end",
        "tool_start",
        "step",
        "loop_end",
      ],
      onEvent: (event: LoopEvent) => this.#onEvent(event),
    };
    return this.#hook;
  }

  /**
   * Write everything recorded so far (`trajectory.json`, steps, calls,
   * manifest) and wait for pending writes. Safe to call more than once.
   *
   * @returns The trace directory.
   * @throws {Error} When a file cannot be written (the message names the file).
   */
  async flush(): Promise<string> {
    await this.#prepare();
    await this.#writer.finish((counts) => this.#trajectory(true, counts));
    return this.dir;
  }

  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      this.#startedAt ??= new Date().toISOString();
      await this.#writer.prepare(this.runId, this.#settings.overwrite);
      if (this.#settings.live) {
        this.#writer.trajectory(this.#trajectory(false, { steps: 0, calls: 0 }));
      }
      this.#ready = true;
    })();
    return this.#prepared;
  }

  async #onLoopStart(state: LoopState): Promise<void> {
    if (this.#started) {
      throw new TypeError(
        "ProvenanceSink records one run: create a new sink (and directory) for each run",
      );
    }
    this.#started = true;
    this.#state = state;
    this.#task = scrubValue(state.task, this.#redact, this.#settings.limit);
    this.#startedAt = new Date().toISOString();
    await this.#prepare();
  }

  #onEvent(event: LoopEvent): void | Promise<void> {
    this.#origins.observe(event);
    if (event.type === "step") return this.#recordStep(event.step);
    if (event.type === "loop_end") {
      this.#outcome = event.outcome;
      this.#endedAt = new Date().toISOString();
      if (this.#settings.flushOnEnd) return this.flush().then(() => {});
      this.#writer.close();
    }
  }

  /** Record a step; a write that failed (this one or a call's before it) fails the hook. */
  #recordStep(step: Step): void {
    const record = stepRecord(step, {
      startedAt: Date.now() - step.durationMs,
      calls: this.#origins.take(step),
      redact: this.#redact,
      limit: this.#settings.limit,
    });
    this.#writer.step(step.number, record);
    this.#writer.check();
  }

  async #generate(
    backend: Backend,
    request: ModelRequest,
    options: GenerateOptions | undefined,
  ): Promise<ModelTurn> {
    if (!this.#ready) await this.#prepare();
    const index = this.#nextCall++;
    const origin = this.#origins.origin(this.#state);
    const timestamp = new Date().toISOString();
    const started = performance.now();
    const upstream = this.#calls.upstream(request);
    let reply: ModelTurn | undefined;
    let failure: unknown;
    try {
      reply = await backend.generate(upstream, options);
      return reply;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.#recordCall({
        index,
        request: upstream,
        reply,
        failure,
        ...origin,
        timestamp,
        durationMs: performance.now() - started,
      });
    }
  }

  #recordCall(input: CallInput): void {
    const { files, record } = this.#calls.record(input);
    this.#origins.add(input.index, input);
    this.#writer.call(input.index, files, record);
  }

  #trajectory(final: boolean, counts: { steps: number; calls: number }): Record<string, unknown> {
    return trajectoryHead(
      {
        runId: this.runId,
        startedAt: this.#startedAt,
        endedAt: this.#endedAt,
        task: this.#task,
        outcome: this.#outcome,
        usage: this.#calls.usage,
        metadata: this.#settings.metadata,
        backend: this.#backend,
        redact: this.#redact,
        limit: this.#settings.limit,
      },
      final,
      counts,
    );
  }
}
