import { CheckpointError } from "../../loop/checkpoint_error.ts";
import { usageToJson } from "../../loop/usage.ts";
import type {
  ErrorKind,
  LoopState,
  Message,
  PendingApproval,
  Role,
  StepRecord,
  ToolCallRequest,
  Usage,
} from "../../loop/types.ts";

/**
 * The `format` field of every checkpoint document.
 *
 * @example Tell a checkpoint from another JSON file
 * ```ts ignore
 * import { CHECKPOINT_FORMAT } from "jsr:@looplet/looplet/hooks";
 * const document = JSON.parse(await Deno.readTextFile("run.checkpoint.json"));
 * const isCheckpoint = document.format === CHECKPOINT_FORMAT;
 * ```
 */
export const CHECKPOINT_FORMAT = "looplet-checkpoint";

/**
 * The checkpoint format version this code writes and reads.
 *
 * @example Check a saved checkpoint's version before decoding it
 * ```ts ignore
 * import { CHECKPOINT_VERSION, decodeCheckpoint } from "jsr:@looplet/looplet/hooks";
 * const document = JSON.parse(await Deno.readTextFile("run.checkpoint.json"));
 * if (document.version !== CHECKPOINT_VERSION) console.warn(`old checkpoint: v${document.version}`);
 * else console.log(decodeCheckpoint(document, "run.checkpoint.json").turn);
 * ```
 */
export const CHECKPOINT_VERSION = 2;

/**
 * A JSON value as written to disk.
 *
 * @example Hold a value that survives `JSON.stringify`
 * ```ts
 * import type { JsonValue } from "jsr:@looplet/looplet/hooks";
 * const value: JsonValue = { turn: 3, tools: ["read_file", "done"], pending: null };
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Options of `encodeCheckpoint`.
 *
 * @example Write a redacted checkpoint without its steps
 * ```ts ignore
 * import { encodeCheckpoint } from "jsr:@looplet/looplet/hooks";
 * const document = encodeCheckpoint(outcome.state, {
 *   redact: (text) => text.replaceAll(apiKey, "[REDACTED]"),
 *   omitSteps: true,
 *   savedAt: new Date("2025-01-01T00:00:00Z"),
 * });
 * ```
 */
export interface EncodeCheckpointOptions {
  /** Applied to every string of the run's content before it is written. @default identity */
  readonly redact?: (text: string) => string;
  /** Leave `steps` out (a store that journals steps separately writes only `step_count`). @default false */
  readonly omitSteps?: boolean;
  /** The time written as `saved_at`. @default new Date() */
  readonly savedAt?: Date;
  /**
   * Write the transcript as `transcript_refs` (indices into a message journal
   * kept elsewhere: runs of consecutive ones as `[start, end)`, others bare)
   * instead of inline: called with each message and its position in the
   * transcript, in order; returns the message's index.
   */
  readonly messageRef?: (message: Message, position: number) => number;
}

/**
 * Encode a `LoopState` as a versioned checkpoint document with snake_case
 * keys (see "Checkpoint format" in the README). Arguments, results and
 * metadata are the run's own JSON and keep their keys. With `redact`, every
 * string of content (task, messages, arguments, results, metadata) is
 * redacted before it is written.
 *
 * @param state The run state.
 * @param options Redaction, step omission and timestamp.
 * @returns A plain JSON object; `JSON.stringify` it to write it.
 * @example Encode and decode a state
 * ```ts ignore
 * const document = encodeCheckpoint(outcome.state, { redact: (text) => text.replaceAll(secret, "[REDACTED]") });
 * const state = decodeCheckpoint(JSON.parse(JSON.stringify(document)), "memory");
 * ```
 */
export function encodeCheckpoint(
  state: LoopState,
  options: EncodeCheckpointOptions = {},
): Record<string, JsonValue> {
  const { redact, omitSteps = false, savedAt, messageRef } = options;
  const text = redact ?? identity;
  const deep = (value: unknown) => toJson(value, text);
  const document: Record<string, JsonValue> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    saved_at: savedAt === undefined ? isoNow() : savedAt.toISOString(),
    task: deep(state.task),
    turn: state.turn,
    model_calls: state.modelCalls,
    parse_failures: state.parseFailures,
    usage: usageToJson(state.usage),
    step_count: (state.stepsDropped ?? 0) + state.steps.length,
    queue: state.queue.map((call) => encodeCall(call, text)),
    context: state.context.map(text),
    metadata: deep(state.metadata),
  };
  if (messageRef === undefined) {
    document.transcript = state.transcript.map((message) => encodeMessage(message, { redact }));
  } else document.transcript_refs = toRanges(state.transcript.map(messageRef));
  if (!omitSteps) {
    document.steps = state.steps.map((step) => encodeStep(step, { redact }));
    if (state.stepsDropped) document.steps_dropped = state.stepsDropped;
  }
  if (state.queueUsage !== undefined) document.queue_usage = usageToJson(state.queueUsage);
  if (state.pending !== undefined) {
    document.pending = {
      call: encodeCall(state.pending.call, text),
      reason: text(state.pending.reason),
      step: state.pending.step,
      turn: state.pending.turn,
    };
  }
  if (state.stopReason !== undefined) document.stop_reason = state.stopReason;
  if (state.finalAnswer !== undefined) document.final_answer = deep(state.finalAnswer);
  return document;
}

/**
 * Encode one step record (snake_case keys), as checkpoints and step journals hold it.
 *
 * @param step The step record.
 * @param options Redaction.
 * @returns A plain JSON object.
 * @example
 * ```ts ignore
 * const line = JSON.stringify(encodeStep(outcome.state.steps[0]));
 * ```
 */
export function encodeStep(
  step: StepRecord,
  options: { readonly redact?: (text: string) => string } = {},
): Record<string, JsonValue> {
  const text = options.redact ?? identity;
  const result: Record<string, JsonValue> = {
    data: toJson(step.result.data, text),
    duration_ms: step.result.durationMs,
  };
  if (step.result.error !== undefined) result.error = text(step.result.error);
  if (step.result.errorKind !== undefined) result.error_kind = step.result.errorKind;
  if (step.result.awaitingApproval !== undefined) {
    result.awaiting_approval = text(step.result.awaitingApproval);
  }
  return {
    number: step.number,
    turn: step.turn,
    call: {
      tool: step.call.tool,
      args: toJson(step.call.args, text),
      id: step.call.id,
      reasoning: text(step.call.reasoning),
    },
    result,
    usage: usageToJson(step.usage),
    duration_ms: step.durationMs,
  };
}

/**
 * Decode a checkpoint document into a `LoopState` that `composableLoop({ resume })` accepts.
 *
 * @param document The parsed JSON.
 * @param source The file it came from, for messages. @default "checkpoint"
 * @param steps Step records kept elsewhere (a step journal), used when the document has no `steps`.
 * @returns The state.
 * @throws {CheckpointError} When the document is not a checkpoint of a version this code reads, or a field is missing or malformed (the message names the field).
 * @example
 * ```ts ignore
 * const state = decodeCheckpoint(JSON.parse(await Deno.readTextFile(file)), file);
 * const run = composableLoop({ llm, tools, task: state.task, resume: state });
 * ```
 */
export function decodeCheckpoint(
  document: unknown,
  source = "checkpoint",
  steps?: readonly StepRecord[],
  messages?: (index: number) => Message | undefined,
): LoopState {
  const read: Reader = new Reader(source);
  const doc = read.object(document, "the document");
  if (doc.format !== CHECKPOINT_FORMAT) {
    read.fail(`is not a looplet checkpoint: 'format' is ${JSON.stringify(doc.format)}`);
  }
  // Version 1 documents have the same fields (no steps_dropped); version 2
  // came with the one-journal layout of FileCheckpointStore.
  if (doc.version !== CHECKPOINT_VERSION && doc.version !== 1) {
    read.fail(
      `has version ${
        JSON.stringify(doc.version)
      }; this looplet reads versions 1 to ${CHECKPOINT_VERSION}`,
    );
  }
  const task = doc.task;
  if (typeof task !== "string" && (typeof task !== "object" || task === null)) {
    read.fail("has no 'task' (a string or an object)");
  }
  const stepCount = read.count(doc.step_count, "step_count");
  let records: StepRecord[];
  let dropped = 0;
  if (doc.steps !== undefined) {
    records = read.array(doc.steps, "steps").map((step, index) =>
      decodeStep(step, source, `steps[${index}]`)
    );
    dropped = read.count(doc.steps_dropped ?? 0, "steps_dropped");
  } else if (steps !== undefined) records = steps.slice(0, stepCount);
  else read.fail("has no 'steps' and no step journal was given");
  if (dropped + records.length !== stepCount) {
    read.fail(
      `says 'step_count' is ${stepCount} but ${records.length} steps were found` +
        (dropped > 0 ? ` after ${dropped} dropped` : ""),
    );
  }
  const state: LoopState = {
    version: 1,
    task: task as LoopState["task"],
    transcript: doc.transcript === undefined && doc.transcript_refs !== undefined
      ? fromRanges(read, doc.transcript_refs).map((index) => {
        const message = messages?.(index);
        if (message === undefined) {
          read.fail(`refers to message ${index}, which the message journal does not have`);
        }
        return message;
      })
      : read.array(doc.transcript, "transcript").map((message, index) =>
        decodeMessage(message, source, `transcript[${index}]`)
      ),
    steps: records,
    queue: read.array(doc.queue ?? [], "queue").map((call, index) =>
      decodeCall(read, call, `queue[${index}]`)
    ),
    context: read.array(doc.context ?? [], "context").map((item, index) =>
      read.string(item, `context[${index}]`)
    ),
    turn: read.count(doc.turn, "turn"),
    modelCalls: read.count(doc.model_calls, "model_calls"),
    usage: decodeUsage(read, doc.usage, "usage"),
    parseFailures: read.count(doc.parse_failures ?? 0, "parse_failures"),
    metadata: { ...read.object(doc.metadata ?? {}, "metadata") },
  };
  if (dropped > 0) state.stepsDropped = dropped;
  if (doc.queue_usage !== undefined) {
    state.queueUsage = decodeUsage(read, doc.queue_usage, "queue_usage");
  }
  if (doc.pending !== undefined) {
    const pending = read.object(doc.pending, "pending");
    state.pending = {
      call: decodeCall(read, pending.call, "pending.call"),
      reason: read.string(pending.reason, "pending.reason"),
      step: read.count(pending.step, "pending.step"),
      turn: read.count(pending.turn, "pending.turn"),
    } satisfies PendingApproval;
  }
  if (doc.stop_reason !== undefined) state.stopReason = read.string(doc.stop_reason, "stop_reason");
  if (doc.final_answer !== undefined) state.finalAnswer = doc.final_answer;
  return state;
}

/**
 * Decode one step record written by `encodeStep`.
 *
 * @param value The parsed JSON.
 * @param source The file it came from, for messages. @default "checkpoint"
 * @param where Where in the file, for messages. @default "step"
 * @returns The step record.
 * @throws {CheckpointError} When a field is missing or malformed.
 * @example
 * ```ts ignore
 * const record = decodeStep(JSON.parse(line), "run/journal.jsonl", "line 3");
 * ```
 */
export function decodeStep(value: unknown, source = "checkpoint", where = "step"): StepRecord {
  const read: Reader = new Reader(source);
  const step = read.object(value, where);
  const call = read.object(step.call, `${where}.call`);
  const result = read.object(step.result, `${where}.result`);
  return {
    number: read.count(step.number, `${where}.number`),
    turn: read.count(step.turn, `${where}.turn`),
    call: {
      tool: read.string(call.tool, `${where}.call.tool`),
      args: read.object(call.args ?? {}, `${where}.call.args`),
      id: read.string(call.id, `${where}.call.id`),
      reasoning: read.string(call.reasoning ?? "", `${where}.call.reasoning`),
    },
    result: {
      data: result.data ?? null,
      ...(result.error !== undefined
        ? { error: read.string(result.error, `${where}.result.error`) }
        : {}),
      ...(result.error_kind !== undefined
        ? { errorKind: read.string(result.error_kind, `${where}.result.error_kind`) as ErrorKind }
        : {}),
      durationMs: read.number(result.duration_ms ?? 0, `${where}.result.duration_ms`),
      ...(result.awaiting_approval !== undefined
        ? {
          awaitingApproval: read.string(
            result.awaiting_approval,
            `${where}.result.awaiting_approval`,
          ),
        }
        : {}),
    },
    usage: decodeUsage(read, step.usage ?? {}, `${where}.usage`),
    durationMs: read.number(step.duration_ms ?? 0, `${where}.duration_ms`),
  };
}

// ---------------------------------------------------------------------------

let isoMs = Number.NaN;
let isoText = "";

/** The current time as ISO text, formatted once per millisecond (saves come thousands a second). */
function isoNow(): string {
  const now = Date.now();
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

function identity(text: string): string {
  return text;
}

/** Copy a value as JSON, passing every string through `text` (keys are kept). */
function toJson(value: unknown, text: (text: string) => string): JsonValue {
  if (typeof value === "string") return text(value);
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((item) => toJson(item, text));
  if (typeof value === "object") {
    const maybe = value as { toJSON?: () => unknown };
    if (typeof maybe.toJSON === "function") return toJson(maybe.toJSON(), text);
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined && typeof item !== "function") out[key] = toJson(item, text);
    }
    return out;
  }
  return typeof value === "bigint" ? value.toString() : null;
}

function encodeCall(call: ToolCallRequest, text: (text: string) => string): JsonValue {
  const out: Record<string, JsonValue> = {
    id: call.id,
    name: call.name,
    args: toJson(call.args, text),
  };
  if (call.reasoning !== undefined) out.reasoning = text(call.reasoning);
  if (call.argsError !== undefined) out.args_error = text(call.argsError);
  return out;
}

/**
 * Encode one transcript message (snake_case keys), as checkpoints and message journals hold it.
 *
 * @param message The message.
 * @param options Redaction.
 * @returns A plain JSON object.
 * @example
 * ```ts
 * import { encodeMessage } from "jsr:@looplet/looplet/hooks";
 * encodeMessage({ role: "tool", content: "ok", toolCallId: "c1" }); // { role: "tool", content: "ok", tool_call_id: "c1" }
 * ```
 */
export function encodeMessage(
  message: Message,
  options: { readonly redact?: (text: string) => string } = {},
): Record<string, JsonValue> {
  const text = options.redact ?? identity;
  const out: Record<string, JsonValue> = { role: message.role, content: text(message.content) };
  if (message.toolCalls !== undefined) {
    out.tool_calls = message.toolCalls.map((call) => encodeCall(call, text));
  }
  if (message.toolCallId !== undefined) out.tool_call_id = message.toolCallId;
  if (message.toolName !== undefined) out.tool_name = message.toolName;
  if (message.isError !== undefined) out.is_error = message.isError;
  if (message.providerData !== undefined) {
    out.provider_data = toJson(message.providerData, text);
  }
  return out;
}

const ROLES = new Set<Role>(["system", "user", "assistant", "tool"]);

/**
 * Decode one transcript message written by `encodeMessage`.
 *
 * @param value The parsed JSON.
 * @param source The file it came from, for messages. @default "checkpoint"
 * @param where Where in the file, for messages. @default "message"
 * @returns The message.
 * @throws {CheckpointError} When a field is missing or malformed.
 * @example
 * ```ts
 * import { decodeMessage } from "jsr:@looplet/looplet/hooks";
 * decodeMessage({ role: "user", content: "hi" }); // { role: "user", content: "hi" }
 * ```
 */
export function decodeMessage(value: unknown, source = "checkpoint", where = "message"): Message {
  const read: Reader = new Reader(source);
  const message = read.object(value, where);
  const role = read.string(message.role, `${where}.role`) as Role;
  if (!ROLES.has(role)) read.fail(`has an unknown role ${JSON.stringify(role)} at '${where}.role'`);
  return {
    role,
    content: read.string(message.content, `${where}.content`),
    ...(message.tool_calls !== undefined
      ? {
        toolCalls: read.array(message.tool_calls, `${where}.tool_calls`).map((call, index) =>
          decodeCall(read, call, `${where}.tool_calls[${index}]`)
        ),
      }
      : {}),
    ...(message.tool_call_id !== undefined
      ? { toolCallId: read.string(message.tool_call_id, `${where}.tool_call_id`) }
      : {}),
    ...(message.tool_name !== undefined
      ? { toolName: read.string(message.tool_name, `${where}.tool_name`) }
      : {}),
    ...(message.is_error !== undefined ? { isError: message.is_error === true } : {}),
    ...(message.provider_data !== undefined
      ? { providerData: read.object(message.provider_data, `${where}.provider_data`) }
      : {}),
  };
}

function decodeCall(read: Reader, value: unknown, where: string): ToolCallRequest {
  const call = read.object(value, where);
  return {
    id: read.string(call.id, `${where}.id`),
    name: read.string(call.name, `${where}.name`),
    args: read.object(call.args ?? {}, `${where}.args`),
    ...(call.reasoning !== undefined
      ? { reasoning: read.string(call.reasoning, `${where}.reasoning`) }
      : {}),
    ...(call.args_error !== undefined
      ? { argsError: read.string(call.args_error, `${where}.args_error`) }
      : {}),
  };
}

function decodeUsage(read: Reader, value: unknown, where: string): Usage {
  const usage = read.object(value, where);
  const out: { -readonly [K in keyof Usage]: Usage[K] } = {
    inputTokens: read.number(usage.input_tokens ?? 0, `${where}.input_tokens`),
    outputTokens: read.number(usage.output_tokens ?? 0, `${where}.output_tokens`),
  };
  if (usage.cache_read_tokens !== undefined) {
    out.cacheReadTokens = read.number(usage.cache_read_tokens, `${where}.cache_read_tokens`);
  }
  if (usage.cache_write_tokens !== undefined) {
    out.cacheWriteTokens = read.number(usage.cache_write_tokens, `${where}.cache_write_tokens`);
  }
  if (usage.cost !== undefined) out.cost = read.number(usage.cost, `${where}.cost`);
  return out;
}

class Reader {
  readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  fail(problem: string): never {
    throw new CheckpointError(
      `Cannot read checkpoint "${this.source}": it ${problem}`,
      this.source,
    );
  }

  object(value: unknown, where: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(`needs an object at '${where}'`);
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, where: string): unknown[] {
    if (!Array.isArray(value)) this.fail(`needs an array at '${where}'`);
    return value;
  }

  string(value: unknown, where: string): string {
    if (typeof value !== "string") this.fail(`needs a string at '${where}'`);
    return value;
  }

  number(value: unknown, where: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.fail(`needs a number at '${where}'`);
    }
    return value;
  }

  count(value: unknown, where: string): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      this.fail(`needs a non-negative integer at '${where}'`);
    }
    return value;
  }
}

/** [0,1,2,5,6] → [[0,3],[5,7]] (half-open ranges). */
/** Runs of consecutive indices as `[start, end)`; a run of one as the bare index. */
function toRanges(indices: readonly number[]): JsonValue {
  const ranges: JsonValue[] = [];
  let start = -1;
  let end = -1;
  for (const index of indices) {
    if (index === end) {
      end++;
      continue;
    }
    if (start >= 0) ranges.push(end - start === 1 ? start : [start, end]);
    start = index;
    end = index + 1;
  }
  if (start >= 0) ranges.push(end - start === 1 ? start : [start, end]);
  return ranges;
}

function fromRanges(read: Reader, value: unknown): number[] {
  const out: number[] = [];
  read.array(value, "transcript_refs").forEach((range, index) => {
    if (typeof range === "number") {
      out.push(read.count(range, `transcript_refs[${index}]`));
      return;
    }
    const pair = read.array(range, `transcript_refs[${index}]`);
    const start = read.count(pair[0], `transcript_refs[${index}][0]`);
    const end = read.count(pair[1], `transcript_refs[${index}][1]`);
    for (let i = start; i < end; i++) out.push(i);
  });
  return out;
}
