/**
 * Core types of the loop: messages, backends, tools, hooks, steps and state.
 *
 * Everything here is plain data or a structural interface, so that backends,
 * hooks and tools can be written without importing anything but types. The
 * step and usage types live beside the code that works on them (`step.ts`,
 * `usage.ts`, which import nothing from here) and are re-exported.
 *
 * @module
 */

import type { ErrorKind, Step, StepCall, StepRecord, StepResult } from "./step.ts";
import type { Usage } from "./usage.ts";

export type { ErrorKind, StepCall, StepRecord, StepResult, Usage };

// ---------------------------------------------------------------------------
// Messages (the transcript the model sees)
// ---------------------------------------------------------------------------

/**
 * Who wrote a message in the transcript.
 *
 * @example Write a user message
 * ```ts
 * import type { Message, Role } from "jsr:@looplet/looplet";
 * const role: Role = "user";
 * const message: Message = { role, content: "Fix the failing test" };
 * ```
 */
export type Role = "system" | "user" | "assistant" | "tool";

/**
 * One tool call proposed by the model, provider-neutral.
 *
 * @example Build a call by hand
 * ```ts
 * import type { ToolCallRequest } from "jsr:@looplet/looplet";
 * const call: ToolCallRequest = { id: "call_1", name: "greet", args: { name: "Alice" } };
 * ```
 */
export interface ToolCallRequest {
  /** Provider call id (native tools) or a generated id (JSON-in-text). */
  readonly id: string;
  /** Tool name as the model wrote it. */
  readonly name: string;
  /** Arguments as a JSON object (empty when the model sent none). */
  readonly args: Record<string, unknown>;
  /** The model's stated reason for the call, when it gave one. */
  readonly reasoning?: string;
  /**
   * Set when the model's arguments could not be read as a JSON object: the
   * raw text it sent. The loop turns this into a failed step the model sees.
   */
  readonly argsError?: string;
}

/**
 * A provider-neutral transcript message. Backends translate these to and from
 * their wire formats; compaction and checkpoints act on them.
 *
 * @example A tool result message
 * ```ts
 * import type { Message } from "jsr:@looplet/looplet";
 * const message: Message = {
 *   role: "tool",
 *   content: '{"greeting":"Hello, Alice!"}',
 *   toolCallId: "call_1",
 *   toolName: "greet",
 * };
 * ```
 */
export interface Message {
  /** Author of the message. */
  readonly role: Role;
  /** Text content (for `tool` messages, the serialized result). */
  readonly content: string;
  /** Tool calls made in an assistant message. */
  readonly toolCalls?: readonly ToolCallRequest[];
  /** For `tool` messages: the call this result answers. */
  readonly toolCallId?: string;
  /** For `tool` messages: the name of the tool that produced the result. */
  readonly toolName?: string;
  /** For `tool` messages: true when the result is an error. */
  readonly isError?: boolean;
  /**
   * Provider data that must travel back with the message (for example signed
   * thinking blocks). Plain JSON; opaque to the loop.
   */
  readonly providerData?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------
// Backends
// ---------------------------------------------------------------------------

/**
 * JSON Schema description of a tool, as sent to the model.
 *
 * @example Describe a tool by hand
 * ```ts
 * import type { ToolSchema } from "jsr:@looplet/looplet";
 * const schema: ToolSchema = {
 *   name: "greet",
 *   description: "Greet someone by name.",
 *   inputSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
 * };
 * ```
 */
export interface ToolSchema {
  /** Tool name. */
  readonly name: string;
  /** What the tool does, for the model. */
  readonly description: string;
  /** JSON Schema (draft 2020-12) of the tool's arguments. */
  readonly inputSchema: Record<string, unknown>;
}

/**
 * What the loop asks a backend for on each turn.
 *
 * @example A minimal request
 * ```ts
 * import type { ModelRequest } from "jsr:@looplet/looplet";
 * const request: ModelRequest = {
 *   messages: [{ role: "user", content: "Say hi" }],
 *   systemPrompt: "Be brief",
 *   tools: [],
 * };
 * ```
 */
export interface ModelRequest {
  /** The transcript plus this turn's injected context. Do not mutate. */
  readonly messages: readonly Message[];
  /** System prompt (the caller's plus, for JSON-in-text backends, the tool protocol). */
  readonly systemPrompt: string;
  /** Tools the model may call. */
  readonly tools: readonly ToolSchema[];
  /** Output token limit; `undefined` lets the provider decide. */
  readonly maxTokens?: number;
  /** Sampling temperature; `undefined` lets the provider decide. */
  readonly temperature?: number;
  /**
   * What the call is for, so routers can pick a model: `"reasoning"` for loop
   * turns, `"summarize"` for compaction, or any string a hook uses.
   */
  readonly purpose?: string;
}

/**
 * A piece of a streamed model response.
 *
 * @example Print deltas as they arrive
 * ```ts
 * import type { ModelDelta } from "jsr:@looplet/looplet";
 * function show(delta: ModelDelta): void {
 *   if (delta.type === "tool_call") console.log(`call #${delta.index}: ${delta.argsText}`);
 *   else console.log(`${delta.type}: ${delta.text}`);
 * }
 * ```
 */
export type ModelDelta =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "reasoning"; readonly text: string }
  | {
    readonly type: "tool_call";
    readonly index: number;
    readonly id?: string;
    readonly name?: string;
    readonly argsText: string;
  };

/**
 * Per-call options the loop passes to a backend.
 *
 * @example Call a backend directly, streaming its text
 * ```ts ignore
 * const turn = await llm.generate(request, {
 *   signal: AbortSignal.timeout(30_000),
 *   onDelta: (delta) => {
 *     if (delta.type === "text") console.log(delta.text);
 *   },
 * });
 * ```
 */
export interface GenerateOptions {
  /** Aborts the in-flight request. */
  readonly signal?: AbortSignal;
  /** Receives deltas as they arrive when the backend streams. */
  readonly onDelta?: (delta: ModelDelta) => void;
}

/**
 * One model response, provider-neutral.
 *
 * @example A reply that calls a tool
 * ```ts
 * import type { ModelTurn } from "jsr:@looplet/looplet";
 * const turn: ModelTurn = {
 *   text: "",
 *   toolCalls: [{ id: "c1", name: "greet", args: { name: "Bob" } }],
 *   usage: { inputTokens: 12, outputTokens: 5 },
 * };
 * ```
 */
export interface ModelTurn {
  /** Text the model wrote (may contain JSON tool calls for text-protocol models). */
  readonly text: string;
  /** Native tool calls, in order. */
  readonly toolCalls?: readonly ToolCallRequest[];
  /** Token usage of this call. */
  readonly usage?: Usage;
  /** Why the model stopped, mapped to `"end"`, `"tool_calls"`, `"max_tokens"`, `"refusal"`, or the provider's word. */
  readonly stopReason?: string;
  /** Reasoning text the provider returned, if any. */
  readonly reasoning?: string;
  /** The model that answered, as the provider reported it. */
  readonly model?: string;
  /** Provider data to carry on the assistant message (for example thinking signatures). */
  readonly providerData?: Record<string, unknown>;
}

/**
 * What a backend can do, declared as data rather than sniffed.
 *
 * @example Declare a streaming backend with native tools
 * ```ts
 * import type { BackendCapabilities } from "jsr:@looplet/looplet";
 * const capabilities: BackendCapabilities = { nativeTools: true, contextWindow: 128_000, streaming: true };
 * ```
 */
export interface BackendCapabilities {
  /** The backend sends tool schemas natively and returns structured tool calls. */
  readonly nativeTools: boolean;
  /** Context window in tokens, when known. */
  readonly contextWindow?: number;
  /** The backend streams deltas to `onDelta`. */
  readonly streaming?: boolean;
}

/**
 * A model backend. Implement `generate`; the loop handles retries of
 * failures marked `retryable`.
 *
 * @example A backend that always calls done
 * ```ts
 * import type { Backend } from "jsr:@looplet/looplet";
 * const backend: Backend = {
 *   name: "always-done",
 *   capabilities: { nativeTools: true },
 *   generate: () =>
 *     Promise.resolve({ text: "", toolCalls: [{ id: "1", name: "done", args: { answer: "ok" } }] }),
 * };
 * ```
 */
export interface Backend {
  /** A short name for messages and traces. */
  readonly name: string;
  /** The model it asks for (shown in the CLI header and traces, sent to OpenTelemetry), when known. */
  readonly model?: string;
  /** Declared capabilities. */
  readonly capabilities: BackendCapabilities;
  /** Produce one model turn. Throw `BackendError` for provider failures. */
  generate(request: ModelRequest, options?: GenerateOptions): Promise<ModelTurn>;
}

// ---------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------

/**
 * One validation problem, in the shape Zod reports issues.
 *
 * @example List why the arguments were rejected
 * ```ts ignore
 * const parsed = greet.input.safeParse({ name: 42 });
 * if (!parsed.success) {
 *   for (const issue of parsed.error.issues) console.log(issue.path.join("."), issue.message);
 * }
 * ```
 */
export interface SchemaIssue {
  /** Human-readable message. */
  readonly message: string;
  /** Path to the offending value. */
  readonly path: readonly PropertyKey[];
}

/**
 * Result of `safeParse`, in Zod's shape.
 *
 * @example Parse without Zod
 * ```ts
 * import type { SchemaParseResult } from "jsr:@looplet/looplet";
 * function parseName(value: unknown): SchemaParseResult<string> {
 *   return typeof value === "string"
 *     ? { success: true, data: value }
 *     : { success: false, error: { issues: [{ message: "Expected a string", path: [] }] } };
 * }
 * ```
 */
export type SchemaParseResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly error: { readonly issues: readonly SchemaIssue[] } };

/**
 * The part of a Zod schema the loop uses. Any Zod 4 schema satisfies it.
 *
 * @example A Zod schema is a ToolInputSchema
 * ```ts ignore
 * import { z } from "zod";
 * import type { ToolInputSchema } from "jsr:@looplet/looplet";
 * const input: ToolInputSchema<{ name: string }> = z.object({ name: z.string() });
 * ```
 */
export interface ToolInputSchema<T> {
  /** Validate a value. */
  safeParse(value: unknown): SchemaParseResult<T>;
  /** JSON Schema of the accepted input. */
  toJSONSchema(options?: { io?: "input" | "output" }): unknown;
}

/**
 * What a tool's `execute` receives besides its arguments.
 *
 * @example Report progress from a tool
 * ```ts
 * import type { ToolContext } from "jsr:@looplet/looplet";
 * async function slowWork(ctx: ToolContext): Promise<void> {
 *   ctx.progress("halfway", { percent: 50 });
 *   ctx.signal.throwIfAborted();
 * }
 * ```
 */
export interface ToolContext {
  /** Aborted on cancellation or when the tool's timeout passes. */
  readonly signal: AbortSignal;
  /** The step number this call will have. */
  readonly step: number;
  /** The turn number. */
  readonly turn: number;
  /** The call being executed. */
  readonly call: ToolCallRequest;
  /** Run metadata shared by hooks and tools (mutable, plain JSON). */
  readonly metadata: Record<string, unknown>;
  /** The run's backend, for tools that call the model themselves (sub-agents, summaries). */
  readonly llm: Backend;
  /**
   * A key for this call, the same across retries and resumes of the run
   * (the run's id and the call's id): pass it to external APIs that
   * deduplicate requests, so a call repeated after a crash takes effect once.
   */
  readonly idempotencyKey: string;
  /** Report progress; hooks receive it as a `tool_progress` event. */
  progress(message: string, data?: unknown): void;
  /**
   * Add usage spent on the run's behalf (for example by a sub-agent or a
   * summary call) to the run's totals and to this call's step.
   */
  addUsage(usage: Usage): void;
}

/**
 * A tool the model can call.
 *
 * @example Define a tool with the `tool()` helper
 * ```ts ignore
 * import { z } from "zod";
 * import { tool } from "jsr:@looplet/looplet";
 * const greet = tool({
 *   name: "greet",
 *   description: "Greet someone by name.",
 *   input: z.object({ name: z.string() }),
 *   execute: ({ name }) => ({ greeting: `Hello, ${name}!` }),
 * });
 * ```
 */
export interface Tool<Args = unknown, Result = unknown> {
  /** Name the model uses; letters, digits, `_` and `-`, at most 64 characters. */
  readonly name: string;
  /** What the tool does and when to use it. */
  readonly description: string;
  /** Schema of the arguments (a Zod schema). */
  readonly input: ToolInputSchema<Args>;
  /** Run the tool. Throw to fail; the error becomes a failed result the model sees. */
  execute(args: Args, ctx: ToolContext): Result | Promise<Result>;
  /** Calls to this tool may run at the same time as other concurrency-safe calls. @default false */
  readonly concurrencySafe?: boolean;
  /** Abort the call after this many milliseconds. @default undefined (no timeout) */
  readonly timeoutMs?: number;
  /**
   * The tool only reads: running it twice changes nothing. Its calls are not
   * journaled as effects, and a call cut short by a crash simply runs again.
   * @default false
   */
  readonly readOnly?: boolean;
  /**
   * What a resumed run does with a call of this tool that started and never
   * recorded a result (a crash or a cancellation while it ran): `"fail"`
   * gives the model a failed step of kind `interrupted` telling it the call
   * may or may not have taken effect; `"retry"` runs it again (say so only
   * when repeating it is safe, for example with `ctx.idempotencyKey`).
   * `reconcile`, when given, is asked instead. @default "fail"
   */
  readonly onInterrupted?: "fail" | "retry";
  /**
   * Find out whether an interrupted call took effect and return its result
   * (or throw to fail the step); called on resume instead of `execute`, with
   * the same arguments and a context carrying the same `idempotencyKey`.
   */
  reconcile?(args: Args, ctx: ToolContext): Result | Promise<Result>;
}

/**
 * A call of a tool that is not read-only, recorded before it runs: a resumed
 * run that finds one without a result knows the call was interrupted.
 *
 * @example Tell the user which calls were cut short
 * ```ts ignore
 * const state = await store.latest({ task });
 * for (const start of state?.inFlight ?? []) console.log(`${start.tool} (step ${start.step})`);
 * ```
 */
export interface EffectStart {
  /** The call's id. */
  readonly callId: string;
  /** The tool's name. */
  readonly tool: string;
  /** A digest of the arguments the call ran with. */
  readonly argsDigest: string;
  /** `ToolContext.idempotencyKey` of the call. */
  readonly idempotencyKey: string;
  /** The step number the call has. */
  readonly step: number;
}

/**
 * Any tool, whatever its argument and result types.
 *
 * @example Collect tools of different types
 * ```ts
 * import { type AnyTool, done, think } from "jsr:@looplet/looplet";
 * const tools: AnyTool[] = [think, done];
 * ```
 */
// deno-lint-ignore no-explicit-any
export type AnyTool = Tool<any, any>;

// ---------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------

/**
 * Why a run ended. Built-in values, or a hook's own string.
 *
 * @example Explain a stop reason
 * ```ts
 * import type { StopReason } from "jsr:@looplet/looplet";
 * function explain(reason: StopReason): string {
 *   if (reason === "done") return "finished";
 *   return reason === "max_steps" ? "ran out of steps" : `stopped: ${reason}`;
 * }
 * ```
 */
export type StopReason =
  | "done"
  | "max_steps"
  | "hook_stop"
  | "cancelled"
  | "llm_error"
  | "awaiting_approval"
  | (string & Record<never, never>);

/**
 * A hook's answer. Each slot honours only some fields; returning a field a
 * slot cannot honour throws a `TypeError` naming hook, slot and field.
 *
 * | field    | honoured by                                                 |
 * | -------- | ----------------------------------------------------------- |
 * | inject   | prePrompt, preDispatch, postDispatch, checkDone, shouldStop |
 * | messages | prePrompt, onPromptTooLong (retry the call with them)       |
 * | deny     | preDispatch, checkDone                                      |
 * | args     | preDispatch                                                 |
 * | result   | preDispatch, postDispatch                                   |
 * | pause    | preDispatch                                                 |
 * | stop     | postDispatch, shouldStop                                    |
 *
 * `onLoopStart`, `onModelReply`, `onLoopEnd` and `onEvent` only observe:
 * what they return is ignored.
 *
 * @example Deny a call
 * ```ts
 * import type { HookDecision } from "jsr:@looplet/looplet";
 * const decision: HookDecision = { deny: "Writing outside the workspace is not allowed" };
 * ```
 */
export interface HookDecision {
  /** Refuse the call (preDispatch) or reject `done` (checkDone); the text goes to the model. */
  readonly deny?: string;
  /** Replace the call's arguments before validation (preDispatch). */
  readonly args?: Record<string, unknown>;
  /** Short-circuit with this result (preDispatch) or replace the result (postDispatch). */
  readonly result?: unknown;
  /** Add this text to what the model sees next. */
  readonly inject?: string;
  /** End the run with this stop reason (`true` means `"hook_stop"`). */
  readonly stop?: string | true;
  /** Pause the run before this call, awaiting approval; the text says why. */
  readonly pause?: string;
  /** Replace the transcript (prePrompt, onPromptTooLong), for example after compaction. */
  readonly messages?: readonly Message[];
}

/**
 * A hook method's return: a decision, nothing, or a promise of either.
 *
 * @example Write a hook method as a plain function
 * ```ts
 * import type { CallContext, HookReturn } from "jsr:@looplet/looplet";
 * function noPush({ call }: CallContext): HookReturn {
 *   return String(call.args.command).startsWith("git push") ? { deny: "Do not push" } : undefined;
 * }
 * ```
 */
export type HookReturn = HookDecision | void | undefined | Promise<HookDecision | void | undefined>;

/**
 * Context common to every hook slot.
 *
 * @example Summarise the run from any hook
 * ```ts
 * import type { HookContextBase } from "jsr:@looplet/looplet";
 * function progress({ state, signal }: HookContextBase): string {
 *   return signal.aborted ? "cancelled" : `${state.steps.length} steps in ${state.turn} turns`;
 * }
 * ```
 */
export interface HookContextBase {
  /** The live run state (read it; change it only through decisions). */
  readonly state: LoopState;
  /** The run's cancellation signal. */
  readonly signal: AbortSignal;
}

/**
 * Context of `prePrompt`: called before each model call.
 *
 * @example Nudge the model late in the run
 * ```ts
 * import type { Hook, PrePromptContext } from "jsr:@looplet/looplet";
 * const wrapUp: Hook = {
 *   prePrompt: ({ turn }: PrePromptContext) => turn >= 8 ? { inject: "Finish soon: call done." } : undefined,
 * };
 * ```
 */
export interface PrePromptContext extends HookContextBase {
  /** The turn about to start. */
  readonly turn: number;
}

/**
 * Context of `preDispatch`, `checkDone`: called before a call runs.
 *
 * @example Log each call before it runs
 * ```ts
 * import type { CallContext, Hook } from "jsr:@looplet/looplet";
 * const logCalls: Hook = {
 *   preDispatch: ({ call, step, turn }: CallContext) => {
 *     console.log(`step ${step} (turn ${turn}): ${call.name}`);
 *   },
 * };
 * ```
 */
export interface CallContext extends HookContextBase {
  /** The call (with any args rewritten by earlier hooks). */
  readonly call: ToolCallRequest;
  /** The step number the call will have. */
  readonly step: number;
  /** The turn number. */
  readonly turn: number;
}

/**
 * Context of `postDispatch`: called after a call ran (or was refused).
 *
 * @example Warn about slow tools
 * ```ts
 * import type { Hook, ResultContext } from "jsr:@looplet/looplet";
 * const slowCalls: Hook = {
 *   postDispatch: ({ call, result }: ResultContext) => {
 *     if (result.durationMs > 5000) console.warn(`${call.name} took ${result.durationMs} ms`);
 *   },
 * };
 * ```
 */
export interface ResultContext extends CallContext {
  /** The result so far (with any rewrite by earlier hooks). */
  readonly result: StepResult;
}

/**
 * Context of `shouldStop`: called at the end of each turn.
 *
 * @example Stop when a call was denied permission
 * ```ts
 * import type { Hook, TurnContext } from "jsr:@looplet/looplet";
 * const stopOnDenied: Hook = {
 *   shouldStop: ({ steps }: TurnContext) =>
 *     steps.some((s) => s.result.errorKind === "permission_denied") ? { stop: "denied" } : undefined,
 * };
 * ```
 */
export interface TurnContext extends HookContextBase {
  /** The turn that just ended. */
  readonly turn: number;
  /** Steps yielded in this turn. */
  readonly steps: readonly Step[];
}

/**
 * Context of `onModelReply`: the reply is in the transcript and its calls are queued.
 *
 * @example Log the calls of each reply
 * ```ts
 * import type { Hook, ModelReplyContext } from "jsr:@looplet/looplet";
 * const logReplies: Hook = {
 *   onModelReply: ({ turn, calls }: ModelReplyContext) => {
 *     console.log(`turn ${turn}: ${calls.map((call) => call.name).join(", ")}`);
 *   },
 * };
 * ```
 */
export interface ModelReplyContext extends HookContextBase {
  /** The turn the reply belongs to. */
  readonly turn: number;
  /** The calls queued from the reply (empty when none could be read). */
  readonly calls: readonly ToolCallRequest[];
}

/**
 * Context of `onPromptTooLong`: the provider refused the prompt as too long.
 * Return `{ messages }` (a smaller transcript) to retry the call with it.
 *
 * @example Retry once with long tool results cut short
 * ```ts
 * import type { Hook, PromptTooLongContext } from "jsr:@looplet/looplet";
 * const cut = (text: string) => text.length > 2000 ? `${text.slice(0, 2000)} [cut]` : text;
 * const shrink: Hook = {
 *   onPromptTooLong: ({ messages, attempt }: PromptTooLongContext) =>
 *     attempt > 1 ? undefined : {
 *       messages: messages.map((m) => m.role === "tool" ? { ...m, content: cut(m.content) } : m),
 *     },
 * };
 * ```
 */
export interface PromptTooLongContext extends HookContextBase {
  /** The turn whose model call failed. */
  readonly turn: number;
  /** 1 for the first recovery of this turn, then 2, 3, ... */
  readonly attempt: number;
  /** What the backend threw. */
  readonly error: Error;
  /** The transcript that was too long (what a recovery should shrink). */
  readonly messages: readonly Message[];
}

/**
 * Context of `onLoopEnd`.
 *
 * @example Report how the run ended
 * ```ts
 * import type { Hook, LoopEndContext } from "jsr:@looplet/looplet";
 * const report: Hook = {
 *   onLoopEnd: ({ outcome }: LoopEndContext) => {
 *     console.log(`${outcome.stopReason} after ${outcome.steps} steps`);
 *   },
 * };
 * ```
 */
export interface LoopEndContext extends HookContextBase {
  /** The outcome the run ends with. */
  readonly outcome: Outcome;
}

/**
 * Events delivered to `onEvent` hooks (observer only).
 *
 * @example Log model retries
 * ```ts
 * import type { Hook, LoopEvent } from "jsr:@looplet/looplet";
 * const logRetries: Hook = {
 *   onEvent: (event: LoopEvent) => {
 *     if (event.type === "model_retry") console.warn(`retry in ${event.delayMs} ms: ${event.error}`);
 *   },
 * };
 * ```
 */
export type LoopEvent =
  | { readonly type: "loop_start"; readonly task: string }
  | { readonly type: "turn_start"; readonly turn: number }
  | {
    readonly type: "model_call_start";
    readonly turn: number;
    readonly attempt: number;
    /** The backend's `name` and `model`. */
    readonly backend: { readonly name: string; readonly model?: string };
  }
  | { readonly type: "model_delta"; readonly turn: number; readonly delta: ModelDelta }
  | {
    readonly type: "model_call_end";
    readonly turn: number;
    readonly durationMs: number;
    readonly usage?: Usage;
    /** The reply's `stopReason` and `model`. */
    readonly stopReason?: string;
    readonly model?: string;
    readonly error?: string;
    /** The failure's class name (`BackendError`, `TypeError`, …). */
    readonly errorType?: string;
  }
  | {
    readonly type: "model_retry";
    readonly turn: number;
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: string;
  }
  | {
    readonly type: "prompt_too_long";
    readonly turn: number;
    readonly attempt: number;
    readonly error: string;
    readonly recovered: boolean;
  }
  | {
    readonly type: "tool_start";
    readonly step: number;
    readonly call: ToolCallRequest;
    /** Set when the tool is not read-only: the record a checkpoint journals before it runs. */
    readonly effect?: EffectStart;
  }
  | {
    readonly type: "tool_progress";
    readonly step: number;
    readonly call: ToolCallRequest;
    readonly message: string;
    readonly data?: unknown;
  }
  | { readonly type: "step"; readonly step: Step }
  | { readonly type: "loop_end"; readonly outcome: Outcome };

/**
 * A hook: a plain object with optional methods. Hooks run in array order.
 *
 * @example A hook that refuses one tool
 * ```ts
 * import type { Hook } from "jsr:@looplet/looplet";
 * const noDelete: Hook = {
 *   name: "no-delete",
 *   preDispatch: ({ call }) => call.name === "delete_file" ? { deny: "Deleting is not allowed" } : undefined,
 * };
 * ```
 */
export interface Hook {
  /** Name used in error messages. */
  readonly name?: string;
  /** Once, before the first turn. */
  onLoopStart?(ctx: HookContextBase): void | Promise<void>;
  /** Before each model call: `inject` context or replace `messages`. */
  prePrompt?(ctx: PrePromptContext): HookReturn;
  /** Before each call: `deny`, rewrite `args`, short-circuit with `result`, `pause`, `inject`. */
  preDispatch?(ctx: CallContext): HookReturn;
  /** After each call: replace `result`, `inject`, `stop`. */
  postDispatch?(ctx: ResultContext): HookReturn;
  /** Before `done` is accepted: `deny` rejects it and the model is told why; `inject`. */
  checkDone?(ctx: CallContext): HookReturn;
  /** At the end of each turn: `stop`, `inject`. */
  shouldStop?(ctx: TurnContext): HookReturn;
  /**
   * After the model's reply is recorded (assistant message in the transcript,
   * calls in `state.queue`), before any call runs: a consistent point to
   * checkpoint so a resumed run never asks the model again for this turn.
   */
  onModelReply?(ctx: ModelReplyContext): void | Promise<void>;
  /** When the provider says the prompt is too long: return `{ messages }` to retry with them. */
  onPromptTooLong?(ctx: PromptTooLongContext): HookReturn;
  /** Once, after the run ends (also after `break` or an error). */
  onLoopEnd?(ctx: LoopEndContext): void | Promise<void>;
  /** Observer of loop events, including streamed model deltas. Its return value is ignored. */
  onEvent?(event: LoopEvent): void | Promise<void>;
  /**
   * The event types `onEvent` receives. Listing them saves the loop work: it
   * asks the backend to stream only when some hook wants `model_delta`.
   * @default every event type
   */
  readonly events?: readonly LoopEvent["type"][];
}

// ---------------------------------------------------------------------------
// Steps, state and outcome
// ---------------------------------------------------------------------------

/**
 * A call paused for approval, kept in the state so a run can resume.
 *
 * @example Ask a human about the paused call
 * ```ts ignore
 * const outcome = await run.complete();
 * if (outcome.stopReason === "awaiting_approval" && outcome.pending) {
 *   const { call, reason, step } = outcome.pending;
 *   console.log(`Step ${step}: approve ${call.name}(${JSON.stringify(call.args)})? ${reason}`);
 * }
 * ```
 */
export interface PendingApproval {
  /** The paused call. */
  readonly call: ToolCallRequest;
  /** Why it was paused. */
  readonly reason: string;
  /** The step number the call will have when it runs. */
  readonly step: number;
  /** The turn it belongs to. */
  readonly turn: number;
}

/**
 * The whole run as plain JSON: what a checkpoint saves and `resume` restores.
 *
 * @example Inspect the state after a run
 * ```ts ignore
 * const run = composableLoop({ llm, tools, task: "hi" });
 * const outcome = await run.complete();
 * console.log(outcome.state.transcript.length);
 * ```
 */
export interface LoopState {
  /** Format version of this object. */
  readonly version: 1;
  /** The task as given. */
  readonly task: string | Record<string, unknown>;
  /** What the model sees: provider-neutral messages. */
  transcript: Message[];
  /**
   * The steps so far, as plain records: every one, or the newest
   * `LoopOptions.keepSteps` of them.
   */
  readonly steps: StepRecord[];
  /**
   * Steps taken but no longer in `steps` (dropped under `keepSteps`); the run
   * has taken `stepsDropped + steps.length` steps. @default 0
   */
  stepsDropped?: number;
  /** Calls of the current turn not yet run (the head is the paused call, when paused). */
  readonly queue: ToolCallRequest[];
  /** Context injected by hooks during the turn, added to the transcript when the turn ends. */
  readonly context: string[];
  /** Turns started so far. */
  turn: number;
  /** Model calls made so far (including retries that got a response). */
  modelCalls: number;
  /** Usage totals. */
  usage: Usage;
  /** Consecutive replies with no readable tool call. */
  parseFailures: number;
  /** Usage of the current turn's reply not yet attributed to a step (while `queue` is not empty). */
  queueUsage?: Usage;
  /** Shared run metadata for hooks and tools. */
  readonly metadata: Record<string, unknown>;
  /**
   * The run's id, the same across resumes (idempotency keys derive from it).
   * @default a random UUID, set when the run starts
   */
  runId?: string;
  /**
   * Calls of tools that are not read-only that started and have no recorded
   * result yet. A resumed run treats them as interrupted (see
   * `Tool.onInterrupted`).
   */
  inFlight?: EffectStart[];
  /** A call waiting for approval, when the run paused. */
  pending?: PendingApproval;
  /** The stop reason once the run ended. */
  stopReason?: StopReason;
  /** The final answer once `done` was accepted. */
  finalAnswer?: unknown;
}

/**
 * How a run ended. Reachable after `for await` through `run.outcome`.
 *
 * @example Read the outcome
 * ```ts ignore
 * for await (const step of run) console.log(step.pretty());
 * const { stopReason, finalAnswer } = await run.outcome;
 * ```
 */
export interface Outcome {
  /** Why the run ended. */
  readonly stopReason: StopReason;
  /** The accepted `done` call's answer, if the run ended with `done`. */
  readonly finalAnswer?: unknown;
  /** Token usage totals over every model call. */
  readonly usage: Usage;
  /** Steps taken. */
  readonly steps: number;
  /** Model calls made. */
  readonly modelCalls: number;
  /** The model error that ended the run (`llm_error`). */
  readonly error?: Error;
  /** The paused call (`awaiting_approval`). */
  readonly pending?: PendingApproval;
  /** The final state (plain JSON). */
  readonly state: LoopState;
}
