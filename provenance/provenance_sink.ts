import { join } from "node:path";
import { argsSummary, Step } from "../loop/step.ts";
import type {
  Backend,
  GenerateOptions,
  Hook,
  HookContextBase,
  LoopEvent,
  LoopState,
  Message,
  ModelRequest,
  ModelTurn,
  Outcome,
  ToolCallRequest,
  ToolSchema,
  Usage,
} from "../loop/types.ts";
import { appendLine, atomicWrite, WriteQueue } from "../internal/atomic_write.ts";
import { boundedValue, checkedRedactor, type Redactor, scrubValue, truncateText } from "./_text.ts";
import {
  promptFileName,
  renderPromptFile,
  renderResponseFile,
  responseFileName,
  round,
  stepFileName,
  TRACE_FORMAT_VERSION,
  usageJson,
} from "./_trace_files.ts";

/** A recorded step: its number, and its JSON record, built on first use. */
interface StepEntry {
  readonly number: number;
  readonly build: () => Record<string, unknown>;
  record?: Record<string, unknown>;
}

function stepRecordOf(entry: StepEntry): Record<string, unknown> {
  return entry.record ??= entry.build();
}

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

/**
 * One recorded model call, as kept in memory (snake_case, as in `manifest.jsonl`).
 *
 * @example Find the failed model calls
 * ```ts ignore
 * await composableLoop({ llm: sink.wrap(llm), task, hooks: [sink.hook()] }).complete();
 * for (const call of sink.calls) {
 *   if (call.error === null) continue;
 *   console.log(`call ${call.index} (step ${call.step_num}): ${call.error}`);
 * }
 * ```
 */
export type ProvenanceCallRecord = Readonly<Record<string, unknown>> & {
  readonly index: number;
  readonly scope: string | null;
  readonly step_num: number | null;
  readonly turn: number | null;
  readonly error: string | null;
};

interface CallFiles {
  readonly prompt: string;
  readonly response: string;
}

interface ScopeMemory {
  first: Message | undefined;
  last: Message | undefined;
  length: number;
  chars: number;
  systemPrompt: string;
  tools: readonly ToolSchema[];
  index: number;
}

function sameShallow(a: Record<string, unknown>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

function newRunId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Records a run into a trace directory: wrap the backend with `wrap()` to
 * record every model call, add `hook()` to the loop's hooks to record every
 * step, and the run's trace lands in `dir` (steps and calls as they happen,
 * `trajectory.json` when the run ends or on `flush()`).
 *
 * Layout: `trajectory.json`, `steps/step_NN.json`, `call_NN_prompt.txt`,
 * `call_NN_response.txt`, `manifest.jsonl`, with snake_case keys and a
 * `format_version`.
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
  readonly #limit: number;
  readonly #redact: Redactor | undefined;
  readonly #redactUpstream: boolean;
  readonly #live: boolean;
  readonly #overwrite: boolean;
  readonly #metadata: Record<string, unknown>;
  readonly #flushOnEnd: boolean;
  readonly #queue = new WriteQueue();
  readonly #calls: ProvenanceCallRecord[] = [];
  readonly #pendingRender = new Map<number, () => CallFiles>();
  readonly #rendered = new Map<number, CallFiles>();
  /** Steps as recorded; each JSON record is built when first needed (off the loop's path). */
  readonly #steps: StepEntry[] = [];
  readonly #scopes = new Map<string, ScopeMemory>();
  readonly #turnCalls = new Map<number, number[]>();
  readonly #stepCalls = new Map<number, number[]>();
  readonly #running = new Map<number, string>();
  readonly #redactedMessages = new WeakMap<Message, Message>();
  readonly #toolNameCache = new WeakMap<readonly ToolSchema[], string[]>();
  #hook: Hook | undefined;
  #prepared: Promise<void> | undefined;
  #ready = false;
  #state: LoopState | undefined;
  #backend: Backend | undefined;
  #task: unknown = null;
  #startedAt: string | undefined;
  #endedAt: string | undefined;
  #outcome: Outcome | undefined;
  #turn = 0;
  #loopCallOpen = false;
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
    this.dir = dir;
    this.runId = newRunId();
    this.#limit = maxCharsPerCall;
    this.#redact = checkedRedactor(redact);
    this.#redactUpstream = redactUpstream;
    this.#live = live;
    this.#overwrite = overwrite;
    this.#metadata = metadata;
    this.#flushOnEnd = flushOnEnd;
  }

  /** Model calls recorded so far (manifest form, redacted). */
  get calls(): readonly ProvenanceCallRecord[] {
    return this.#calls;
  }

  /** Step records so far (the `steps/step_NN.json` form, redacted). */
  get steps(): readonly Readonly<Record<string, unknown>>[] {
    return this.#steps.map(stepRecordOf);
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
    if (!this.#live) {
      for (const entry of this.#steps) this.#writeStep(entry);
      for (const index of [...this.#pendingRender.keys()]) this.#writeCallFiles(index);
    }
    await this.#queue.drain();
    const calls = this.#calls.filter((call) => call !== undefined);
    await atomicWrite(
      join(this.dir, "manifest.jsonl"),
      calls.map((call) => JSON.stringify(call)).join("\n") + (calls.length > 0 ? "\n" : ""),
    );
    await atomicWrite(
      join(this.dir, "trajectory.json"),
      JSON.stringify(this.#trajectory(true), null, 2) + "\n",
    );
    return this.dir;
  }

  // -------------------------------------------------------------------------
  // Directory preparation
  // -------------------------------------------------------------------------

  #prepare(): Promise<void> {
    this.#prepared ??= this.#prepareDir().then(() => {
      this.#ready = true;
    });
    return this.#prepared;
  }

  async #prepareDir(): Promise<void> {
    this.#startedAt ??= new Date().toISOString();
    await Deno.mkdir(join(this.dir, "steps"), { recursive: true }).catch((error) => {
      throw new Error(
        `Cannot write trace to "${this.dir}": ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    });
    const existing = await this.#existingRunId();
    if (existing !== undefined && existing !== this.runId) {
      if (!this.#overwrite) {
        throw new Error(
          `Cannot write trace to "${this.dir}": it already holds the trace of run "${existing}"; ` +
            "pick a new directory or pass { overwrite: true }",
        );
      }
      await this.#clearDir();
    }
    if (this.#live) {
      const trajectory = this.#trajectory(false);
      this.#queue.pushOrdered(() =>
        atomicWrite(join(this.dir, "trajectory.json"), JSON.stringify(trajectory, null, 2) + "\n")
      );
    }
  }

  async #existingRunId(): Promise<string | undefined> {
    let text: string;
    try {
      text = await Deno.readTextFile(join(this.dir, "trajectory.json"));
    } catch {
      try {
        await Deno.stat(join(this.dir, "manifest.jsonl"));
        return "(unknown: manifest.jsonl only)";
      } catch {
        return undefined;
      }
    }
    try {
      const json = JSON.parse(text) as { run_id?: unknown };
      return typeof json.run_id === "string" ? json.run_id : "(unknown)";
    } catch {
      return "(unreadable trajectory.json)";
    }
  }

  async #clearDir(): Promise<void> {
    for await (const entry of Deno.readDir(this.dir)) {
      if (
        entry.name === "trajectory.json" || entry.name === "manifest.jsonl" ||
        /^call_\d+_(prompt|response)\.txt$/.test(entry.name)
      ) {
        await Deno.remove(join(this.dir, entry.name));
      }
    }
    for await (const entry of Deno.readDir(join(this.dir, "steps"))) {
      if (/^step_\d+\.json$/.test(entry.name)) {
        await Deno.remove(join(this.dir, "steps", entry.name));
      }
    }
  }

  // -------------------------------------------------------------------------
  // The hook
  // -------------------------------------------------------------------------

  async #onLoopStart(state: LoopState): Promise<void> {
    if (this.#started) {
      throw new TypeError(
        "ProvenanceSink records one run: create a new sink (and directory) for each run",
      );
    }
    this.#started = true;
    this.#state = state;
    this.#task = this.#scrub(state.task);
    this.#startedAt = new Date().toISOString();
    await this.#prepare();
  }

  #onEvent(event: LoopEvent): void | Promise<void> {
    switch (event.type) {
      case "turn_start":
        this.#turn = event.turn;
        break;
      case "model_call_start":
        this.#loopCallOpen = true;
        break;
      case "model_call_end":
        this.#loopCallOpen = false;
        break;
      case "tool_start":
        this.#running.set(event.step, event.call.name);
        break;
      case "step":
        this.#running.delete(event.step.number);
        this.#recordStep(event.step);
        break;
      case "loop_end":
        this.#outcome = event.outcome;
        this.#endedAt = new Date().toISOString();
        if (this.#flushOnEnd) return this.flush().then(() => {});
        break;
    }
  }

  /**
   * Note a step. Only what could change later is captured now (the step is
   * frozen; the call indices are copied); the JSON record is built when it is
   * written, so recording adds little to the loop's own time.
   */
  #recordStep(step: Step): void {
    const startedAt = Date.now() - step.durationMs;
    const calls = [
      ...(this.#turnCalls.get(step.turn) ?? []),
      ...(this.#stepCalls.get(step.number) ?? []),
    ];
    const entry: StepEntry = {
      number: step.number,
      build: () => this.#buildStepRecord(step, startedAt, calls),
    };
    this.#steps.push(entry);
    if (this.#live) this.#writeStep(entry);
  }

  #buildStepRecord(step: Step, startedAt: number, calls: number[]): Record<string, unknown> {
    const args = this.#scrub(step.call.args) as Record<string, unknown>;
    const data = boundedValue(step.result.data ?? null, this.#redact, this.#limit);
    const error = step.result.error === undefined ? undefined : this.#text(step.result.error);
    const reasoning = this.#text(step.call.reasoning);
    const unchanged = this.#redact === undefined && data === step.result.data &&
      reasoning === step.call.reasoning && error === step.result.error &&
      sameShallow(args, step.call.args);
    const shown = unchanged ? step : new Step({
      ...step,
      call: { ...step.call, args, reasoning },
      result: { ...step.result, data, ...(error !== undefined ? { error } : {}) },
    });
    const result: Record<string, unknown> = {
      tool: step.call.tool,
      args: argsSummary(args),
      data,
      duration_ms: round(step.result.durationMs),
    };
    if (error !== undefined) result.error = error;
    if (step.result.errorKind !== undefined) result.error_kind = step.result.errorKind;
    if (step.result.awaitingApproval !== undefined) {
      result.awaiting_approval = this.#text(step.result.awaitingApproval);
    }
    const record: Record<string, unknown> = {
      step_num: step.number,
      turn: step.turn,
      timestamp: new Date(startedAt).toISOString(),
      duration_ms: round(step.durationMs),
      pretty: shown.pretty(),
      tool_call: {
        tool: step.call.tool,
        args,
        reasoning,
        call_id: step.call.id,
        metadata: {},
      },
      tool_result: result,
      usage: usageJson(step.usage),
      llm_call_indices: calls,
      context_before: "",
      metadata: {},
    };
    return record;
  }

  #writeStep(entry: StepEntry): void {
    const path = join(this.dir, "steps", stepFileName(entry.number));
    this.#queue.push(() => atomicWrite(path, JSON.stringify(stepRecordOf(entry), null, 2) + "\n"));
  }

  #writeCallFiles(index: number): void {
    this.#queue.push(async () => {
      const files = this.#renderCall(index);
      this.#rendered.delete(index);
      await atomicWrite(join(this.dir, promptFileName(index)), files.prompt);
      await atomicWrite(join(this.dir, responseFileName(index)), files.response);
    });
  }

  /**
   * Render a call's prompt and response files (once). Rendering is deferred
   * to the background writer so the loop does not wait for it; it also sets
   * the manifest's `truncated` flag.
   */
  #renderCall(index: number): CallFiles {
    const done = this.#rendered.get(index);
    if (done !== undefined) return done;
    const render = this.#pendingRender.get(index);
    if (render === undefined) throw new Error(`Internal error: call ${index} was rendered twice`);
    const files = render();
    this.#pendingRender.delete(index);
    this.#rendered.set(index, files);
    (this.#calls[index] as Record<string, unknown>).truncated =
      files.prompt.length >= this.#limit || files.response.length >= this.#limit;
    return files;
  }

  // -------------------------------------------------------------------------
  // The backend wrapper
  // -------------------------------------------------------------------------

  async #generate(
    backend: Backend,
    request: ModelRequest,
    options: GenerateOptions | undefined,
  ): Promise<ModelTurn> {
    if (!this.#ready) await this.#prepare();
    const index = this.#calls.length;
    this.#calls.push(undefined as unknown as ProvenanceCallRecord); // reserve the index
    const { scope, stepNum } = this.#attribute();
    const turn = this.#turn > 0 ? this.#turn : null;
    const timestamp = new Date().toISOString();
    const started = performance.now();
    const upstream = this.#redact !== undefined && this.#redactUpstream
      ? this.#redactRequest(request)
      : request;
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
        scope,
        stepNum,
        turn,
        timestamp,
        durationMs: performance.now() - started,
      });
    }
  }

  /** Who is calling: the loop (a model call is open) or a running tool. */
  #attribute(): { scope: string | null; stepNum: number | null } {
    if (this.#loopCallOpen) {
      return { scope: null, stepNum: (this.#state?.steps.length ?? 0) + 1 };
    }
    const [first] = this.#running;
    if (first !== undefined) {
      const [step, name] = first;
      const names = [...new Set(this.#running.values())];
      return {
        scope: names.length === 1 ? `tool:${name}` : `tool:${names.join("|")}`,
        stepNum: step,
      };
    }
    if (this.#state === undefined) return { scope: null, stepNum: null };
    return { scope: "hook", stepNum: this.#state.steps.length + 1 };
  }

  #recordCall(input: {
    index: number;
    request: ModelRequest;
    reply: ModelTurn | undefined;
    failure: unknown;
    scope: string | null;
    stepNum: number | null;
    turn: number | null;
    timestamp: string;
    durationMs: number;
  }): void {
    const { index, request, reply, failure, scope, stepNum, turn } = input;
    const error = failure === undefined ? undefined : this.#text(errorText(failure));
    const messages = this.#redactUpstream || this.#redact === undefined
      ? request.messages
      : this.#redactMessages(request.messages);
    const systemPrompt = this.#redact !== undefined && !this.#redactUpstream
      ? this.#redact(request.systemPrompt)
      : request.systemPrompt;
    const key = scope ?? "loop";
    const memory = this.#scopes.get(key);
    // The transcript only grows between turns, so the previous call's messages
    // are usually a prefix of this call's: check its ends instead of copying it.
    let offset = 0;
    let promptChars = systemPrompt.length;
    if (
      memory !== undefined && memory.length > 0 && messages.length >= memory.length &&
      messages[0] === memory.first && messages[memory.length - 1] === memory.last
    ) {
      offset = memory.length;
      promptChars += memory.chars;
    }
    for (const message of messages.slice(offset)) promptChars += message.content.length;
    const promptInput = {
      index,
      stepNum,
      turn,
      scope,
      purpose: request.purpose,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      systemPrompt,
      systemSameAs: memory?.systemPrompt === systemPrompt ? memory.index : undefined,
      messages: offset === 0 ? [...messages] : messages.slice(offset),
      messageOffset: offset,
      messageCount: messages.length,
      messagesSameAs: memory?.index,
      tools: request.tools,
      toolsSameAs: memory?.tools === request.tools ? memory.index : undefined,
      ...(this.#redact !== undefined ? { redact: this.#redact } : {}),
    };
    this.#scopes.set(key, {
      first: messages[0],
      last: messages[messages.length - 1],
      length: messages.length,
      chars: promptChars - systemPrompt.length,
      systemPrompt,
      tools: request.tools,
      index,
    });
    const shownReply = reply === undefined ? undefined : this.#scrubReply(reply);
    const durationMs = input.durationMs;
    const limit = this.#limit;
    this.#pendingRender.set(index, () => ({
      prompt: truncateText(renderPromptFile(promptInput), limit),
      response: truncateText(renderResponseFile(index, durationMs, shownReply, error), limit),
    }));
    const usage: Usage | undefined = reply?.usage;
    const status = (failure as { status?: unknown } | undefined)?.status;
    const retryable = (failure as { retryable?: unknown } | undefined)?.retryable;
    const toolCalls = shownReply?.toolCalls?.length ?? 0;
    const record: ProvenanceCallRecord = {
      index,
      timestamp: input.timestamp,
      duration_ms: round(input.durationMs),
      method: "generate",
      prompt_chars: promptChars,
      response_chars: shownReply === undefined || toolCalls > 0 ? null : shownReply.text.length,
      response_blocks: toolCalls > 0 ? toolCalls + (shownReply!.text !== "" ? 1 : 0) : null,
      temperature: request.temperature ?? null,
      max_tokens: request.maxTokens ?? null,
      tool_count: request.tools.length,
      step_num: stepNum,
      error: error ?? null,
      scope,
      metadata: {},
      turn,
      purpose: request.purpose ?? null,
      message_count: messages.length,
      tool_names: this.#toolNames(request.tools),
      tool_call_count: toolCalls,
      response_text_chars: shownReply?.text.length ?? 0,
      stop_reason: reply?.stopReason ?? null,
      input_tokens: usage?.inputTokens ?? null,
      output_tokens: usage?.outputTokens ?? null,
      cache_read_tokens: usage?.cacheReadTokens ?? null,
      cache_write_tokens: usage?.cacheWriteTokens ?? null,
      cost: usage?.cost ?? null,
      error_status: typeof status === "number" ? status : null,
      error_retryable: failure === undefined ? null : retryable === true,
      truncated: null, // set when the files are rendered
    };
    this.#calls[index] = record;
    if (scope === null) {
      if (turn !== null) {
        const list = this.#turnCalls.get(turn) ?? [];
        list.push(index);
        this.#turnCalls.set(turn, list);
      }
    } else if (stepNum !== null) {
      const list = this.#stepCalls.get(stepNum) ?? [];
      list.push(index);
      this.#stepCalls.set(stepNum, list);
    }
    if (this.#live) {
      this.#writeCallFiles(index);
      this.#queue.pushOrdered(() => {
        if (record.truncated === null) this.#renderCall(index);
        return appendLine(join(this.dir, "manifest.jsonl"), JSON.stringify(record) + "\n");
      });
    }
  }

  #toolNames(tools: readonly ToolSchema[]): string[] {
    let names = this.#toolNameCache.get(tools);
    if (names === undefined) {
      names = tools.map((tool) => tool.name);
      this.#toolNameCache.set(tools, names);
    }
    return names;
  }

  // -------------------------------------------------------------------------
  // Redaction helpers
  // -------------------------------------------------------------------------

  #text(text: string): string {
    return truncateText(this.#redact ? this.#redact(text) : text, this.#limit);
  }

  #scrub(value: unknown): unknown {
    return scrubValue(value, this.#redact, this.#limit);
  }

  #scrubReply(reply: ModelTurn): ModelTurn {
    if (this.#redact === undefined) return reply;
    return {
      ...reply,
      text: this.#redact(reply.text),
      ...(reply.reasoning !== undefined ? { reasoning: this.#redact(reply.reasoning) } : {}),
      ...(reply.toolCalls !== undefined
        ? {
          toolCalls: reply.toolCalls.map((call) => this.#redactCall(call)),
        }
        : {}),
    };
  }

  #redactCall(call: ToolCallRequest): ToolCallRequest {
    const redact = this.#redact!;
    return {
      ...call,
      args: scrubValue(call.args, redact, Infinity) as Record<string, unknown>,
      ...(call.reasoning !== undefined ? { reasoning: redact(call.reasoning) } : {}),
      ...(call.argsError !== undefined ? { argsError: redact(call.argsError) } : {}),
    };
  }

  #redactMessage(message: Message): Message {
    let redacted = this.#redactedMessages.get(message);
    if (redacted === undefined) {
      const redact = this.#redact!;
      redacted = {
        ...message,
        content: redact(message.content),
        ...(message.toolCalls !== undefined
          ? {
            toolCalls: message.toolCalls.map((call) => this.#redactCall(call)),
          }
          : {}),
      };
      this.#redactedMessages.set(message, redacted);
    }
    return redacted;
  }

  #redactMessages(messages: readonly Message[]): Message[] {
    return messages.map((message) => this.#redactMessage(message));
  }

  #redactRequest(request: ModelRequest): ModelRequest {
    return {
      ...request,
      systemPrompt: this.#redact!(request.systemPrompt),
      messages: this.#redactMessages(request.messages),
    };
  }

  // -------------------------------------------------------------------------
  // trajectory.json
  // -------------------------------------------------------------------------

  #trajectory(final: boolean): Record<string, unknown> {
    const outcome = this.#outcome;
    const ended = outcome !== undefined;
    const steps = final
      ? this.#steps.map(stepRecordOf).sort((a, b) =>
        (a.step_num as number) - (b.step_num as number)
      )
      : [];
    const calls = final ? this.#calls.filter((call) => call !== undefined) : [];
    const usage = outcome?.usage ??
      calls.reduce<Usage>((sum, call) => ({
        inputTokens: sum.inputTokens + ((call.input_tokens as number | null) ?? 0),
        outputTokens: sum.outputTokens + ((call.output_tokens as number | null) ?? 0),
      }), { inputTokens: 0, outputTokens: 0 });
    return {
      format_version: TRACE_FORMAT_VERSION,
      generator: "looplet",
      run_id: this.runId,
      status: ended ? "complete" : final ? "flushed" : "running",
      started_at: this.#startedAt ?? null,
      ended_at: this.#endedAt ?? null,
      task: this.#task,
      termination_reason: outcome?.stopReason ?? null,
      final_answer: outcome?.finalAnswer === undefined
        ? null
        : boundedValue(outcome.finalAnswer, this.#redact, this.#limit),
      error: outcome?.error === undefined ? null : this.#text(errorText(outcome.error)),
      usage: usageJson(usage),
      metadata: {
        ...(this.#scrub(this.#metadata) as Record<string, unknown>),
        ...(this.#backend !== undefined
          ? {
            backend: {
              name: this.#backend.name,
              native_tools: this.#backend.capabilities?.nativeTools === true,
            },
          }
          : {}),
        redacted: this.#redact !== undefined,
        max_chars_per_call: this.#limit,
      },
      step_count: final ? steps.length : 0,
      llm_call_count: final ? calls.length : 0,
      steps,
      llm_calls: calls,
    };
  }
}
