import { CheckpointError } from "../../loop/checkpoint_error.ts";
import { usageToJson } from "../../loop/usage.ts";
import { callToJson, messageToJson } from "../../loop/message_json.ts";
import { type JsonValue, toJsonValue } from "../../internal/json_value.ts";
import type {
  EffectStart,
  ErrorKind,
  LoopState,
  Message,
  Role,
  StepRecord,
  ToolCallRequest,
  Usage,
} from "../../loop/types.ts";

export type { JsonValue } from "../../internal/json_value.ts";

/**
 * The `format` field of every checkpoint document.
 *
 * @example Tell a checkpoint from another JSON file
 * ```ts ignore
 * import { CHECKPOINT_FORMAT } from "jsr:@looplet/looplet/hooks";
 * const document = JSON.parse(await Deno.readTextFile("run/checkpoint-00000007.json"));
 * const isCheckpoint = document.format === CHECKPOINT_FORMAT;
 * ```
 */
export const CHECKPOINT_FORMAT = "looplet-checkpoint";

/**
 * The checkpoint format version this code writes; it reads versions 1 to this one.
 *
 * @example Check a saved checkpoint's version before decoding it
 * ```ts ignore
 * import { CHECKPOINT_VERSION, decodeCheckpoint } from "jsr:@looplet/looplet/hooks";
 * const document = JSON.parse(await Deno.readTextFile("run/checkpoint-00000007.json"));
 * if (document.version > CHECKPOINT_VERSION) console.warn(`newer checkpoint: v${document.version}`);
 * else console.log(decodeCheckpoint(document, "run/checkpoint-00000007.json").turn);
 * ```
 */
export const CHECKPOINT_VERSION = 3;

/**
 * Options of `encodeCheckpoint`.
 *
 * @example Write a redacted checkpoint at a fixed time
 * ```ts ignore
 * import { encodeCheckpoint } from "jsr:@looplet/looplet/hooks";
 * const document = encodeCheckpoint(outcome.state, {
 *   redact: (text) => text.replaceAll(apiKey, "[REDACTED]"),
 *   savedAt: new Date("2025-01-01T00:00:00Z"),
 * });
 * ```
 */
export interface EncodeCheckpointOptions {
  /** Applied to every string of the run's content before it is written. @default identity */
  readonly redact?: (text: string) => string;
  /** The time written as `saved_at`. @default new Date() */
  readonly savedAt?: Date;
  /**
   * For a journal that holds the messages and steps itself: the transcript's
   * message numbers in that journal (runs of consecutive ones as `[start,
   * end)`), written as `transcript_refs`; the transcript and steps are then
   * left out. @default undefined (the transcript and steps are inline)
   */
  readonly transcriptRefs?: readonly (number | readonly [number, number])[];
}

/**
 * Encode a `LoopState` as a versioned checkpoint document with snake_case
 * keys (see "Checkpoint format" in the README). Arguments, results and
 * metadata keep their keys; with `redact`, every string of content is
 * redacted. Values JSON cannot hold are encoded as the loop encodes results
 * (cycles as `"[Circular]"`, BigInt as text).
 *
 * @param state The run state.
 * @param options Redaction, timestamp, and journal references.
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
  const { redact, savedAt, transcriptRefs } = options;
  const document: Record<string, JsonValue> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    saved_at: (savedAt ?? new Date()).toISOString(),
    task: toJsonValue(state.task, redact),
    turn: state.turn,
    model_calls: state.modelCalls,
    parse_failures: state.parseFailures,
    usage: usageToJson(state.usage),
    step_count: (state.stepsDropped ?? 0) + state.steps.length,
    queue: state.queue.map((call) => callToJson(call, redact)),
    context: state.context.map((text) => redact?.(text) ?? text),
    metadata: toJsonValue(state.metadata, redact),
  };
  if (state.runId !== undefined) document.run_id = state.runId;
  if (transcriptRefs !== undefined) document.transcript_refs = transcriptRefs as JsonValue;
  else {
    document.transcript = state.transcript.map((message) => encodeMessage(message, { redact }));
    document.steps = state.steps.map((step) => encodeStep(step, { redact }));
    if (state.stepsDropped) document.steps_dropped = state.stepsDropped;
  }
  if (state.queueUsage !== undefined) document.queue_usage = usageToJson(state.queueUsage);
  if (state.inFlight !== undefined) document.in_flight = state.inFlight.map(encodeEffect);
  if (state.pending !== undefined) {
    const { call, reason, step, turn } = state.pending;
    document.pending = {
      call: callToJson(call, redact),
      reason: redact?.(reason) ?? reason,
      step,
      turn,
    };
  }
  if (state.stopReason !== undefined) document.stop_reason = state.stopReason;
  if (state.finalAnswer !== undefined) {
    document.final_answer = toJsonValue(state.finalAnswer, redact);
  }
  return document;
}

/** One step record as checkpoints and journals hold it (snake_case keys). */
export function encodeStep(
  step: StepRecord,
  options: { readonly redact?: (text: string) => string } = {},
): Record<string, JsonValue> {
  const { redact } = options;
  const { data, error, errorKind, durationMs, awaitingApproval } = step.result;
  const result: Record<string, JsonValue> = {
    data: toJsonValue(data, redact),
    duration_ms: durationMs,
  };
  if (error !== undefined) result.error = redact?.(error) ?? error;
  if (errorKind !== undefined) result.error_kind = errorKind;
  if (awaitingApproval !== undefined) {
    result.awaiting_approval = redact?.(awaitingApproval) ?? awaitingApproval;
  }
  const { tool, args, id, reasoning } = step.call;
  return {
    number: step.number,
    turn: step.turn,
    call: {
      tool,
      args: toJsonValue(args, redact),
      id,
      reasoning: redact?.(reasoning) ?? reasoning,
    },
    result,
    usage: usageToJson(step.usage),
    duration_ms: step.durationMs,
  };
}

/** One transcript message as checkpoints and journals hold it (snake_case keys). */
export function encodeMessage(
  message: Message,
  options: { readonly redact?: (text: string) => string } = {},
): Record<string, JsonValue> {
  return messageToJson(message, options.redact);
}

/** The record of a call that started, as journals hold it (snake_case keys). */
export function encodeEffect(effect: EffectStart): Record<string, JsonValue> {
  return {
    call_id: effect.callId,
    tool: effect.tool,
    args_digest: effect.argsDigest,
    idempotency_key: effect.idempotencyKey,
    step: effect.step,
  };
}

/**
 * Decode a checkpoint document into a `LoopState` that `composableLoop({ resume })` accepts.
 *
 * @param document The parsed JSON.
 * @param source The file it came from, for messages. @default "checkpoint"
 * @param steps Step records kept elsewhere (a journal), used when the document has no `steps`.
 * @param messages Messages kept elsewhere (a journal), by number, for `transcript_refs`.
 * @returns The state.
 * @throws {CheckpointError} When the document is not a checkpoint of a version this code reads, or a field is missing or malformed (the message names the file and the field).
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
  const read = new Reader(source);
  const doc = read.object(document, "the document");
  if (doc.format !== CHECKPOINT_FORMAT) {
    read.fail(`is not a looplet checkpoint: 'format' is ${JSON.stringify(doc.format)}`);
  }
  const version = doc.version;
  if (typeof version !== "number" || !(version >= 1 && version <= CHECKPOINT_VERSION)) {
    read.fail(
      `has version ${JSON.stringify(version)}; this looplet reads versions 1 to ` +
        `${CHECKPOINT_VERSION} (a newer looplet wrote it: upgrade, or start a new run)`,
    );
  }
  const task = doc.task;
  if (typeof task !== "string" && (typeof task !== "object" || task === null)) {
    read.fail("has no 'task' (a string or an object)");
  }
  const stepCount = read.count(doc.step_count, "step_count");
  let records: StepRecord[] = [];
  let dropped = 0;
  if (doc.steps !== undefined) {
    records = read.array(doc.steps, "steps").map((step, i) =>
      decodeStep(step, source, `steps[${i}]`)
    );
    dropped = read.count(doc.steps_dropped ?? 0, "steps_dropped");
  } else if (steps !== undefined) records = steps.slice(0, stepCount);
  else read.fail("has no 'steps' and no journal was given");
  if (dropped + records.length !== stepCount) {
    read.fail(
      `says 'step_count' is ${stepCount} but ${records.length} steps were found` +
        (dropped > 0 ? ` after ${dropped} dropped` : ""),
    );
  }
  const transcript = doc.transcript === undefined && doc.transcript_refs !== undefined
    ? fromRefs(read, doc.transcript_refs).map((index) =>
      messages?.(index) ?? read.fail(`refers to message ${index}, which the journal does not have`)
    )
    : read.array(doc.transcript, "transcript").map((message, i) =>
      decodeMessage(message, source, `transcript[${i}]`)
    );
  const state: LoopState = {
    version: 1,
    task: task as LoopState["task"],
    transcript,
    steps: records,
    queue: read.array(doc.queue ?? [], "queue").map((call, i) => read.call(call, `queue[${i}]`)),
    context: read.array(doc.context ?? [], "context").map((item, i) =>
      read.string(item, `context[${i}]`)
    ),
    turn: read.count(doc.turn, "turn"),
    modelCalls: read.count(doc.model_calls, "model_calls"),
    usage: read.usage(doc.usage, "usage"),
    parseFailures: read.count(doc.parse_failures ?? 0, "parse_failures"),
    metadata: { ...read.object(doc.metadata ?? {}, "metadata") },
  };
  if (doc.run_id !== undefined) state.runId = read.string(doc.run_id, "run_id");
  if (dropped > 0) state.stepsDropped = dropped;
  if (doc.queue_usage !== undefined) state.queueUsage = read.usage(doc.queue_usage, "queue_usage");
  if (doc.in_flight !== undefined) {
    state.inFlight = read.array(doc.in_flight, "in_flight").map((effect, i) =>
      decodeEffect(effect, source, `in_flight[${i}]`)
    );
  }
  if (doc.pending !== undefined) {
    const pending = read.object(doc.pending, "pending");
    state.pending = {
      call: read.call(pending.call, "pending.call"),
      reason: read.string(pending.reason, "pending.reason"),
      step: read.count(pending.step, "pending.step"),
      turn: read.count(pending.turn, "pending.turn"),
    };
  }
  if (doc.stop_reason !== undefined) state.stopReason = read.string(doc.stop_reason, "stop_reason");
  if (doc.final_answer !== undefined) state.finalAnswer = doc.final_answer;
  return state;
}

/** Decode a step written by `encodeStep`; a bad field is a CheckpointError naming it. */
export function decodeStep(value: unknown, source = "checkpoint", where = "step"): StepRecord {
  const read = new Reader(source);
  const step = read.object(value, where);
  const call = read.object(step.call, `${where}.call`);
  const result = read.object(step.result, `${where}.result`);
  const optional = (field: string, key: string) =>
    result[field] === undefined
      ? {}
      : { [key]: read.string(result[field], `${where}.result.${field}`) };
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
      ...optional("error", "error"),
      ...(optional("error_kind", "errorKind") as { errorKind?: ErrorKind }),
      durationMs: read.number(result.duration_ms ?? 0, `${where}.result.duration_ms`),
      ...optional("awaiting_approval", "awaitingApproval"),
    },
    usage: read.usage(step.usage ?? {}, `${where}.usage`),
    durationMs: read.number(step.duration_ms ?? 0, `${where}.duration_ms`),
  };
}

const ROLES = new Set<Role>(["system", "user", "assistant", "tool"]);

/** Decode a message written by `encodeMessage`; a bad field is a CheckpointError naming it. */
export function decodeMessage(value: unknown, source = "checkpoint", where = "message"): Message {
  const read = new Reader(source);
  const m = read.object(value, where);
  const role = read.string(m.role, `${where}.role`) as Role;
  if (!ROLES.has(role)) read.fail(`has an unknown role ${JSON.stringify(role)} at '${where}.role'`);
  const calls = m.tool_calls === undefined
    ? undefined
    : read.array(m.tool_calls, `${where}.tool_calls`);
  return {
    role,
    content: read.string(m.content, `${where}.content`),
    ...(calls ? { toolCalls: calls.map((c, i) => read.call(c, `${where}.tool_calls[${i}]`)) } : {}),
    ...(m.tool_call_id !== undefined
      ? { toolCallId: read.string(m.tool_call_id, `${where}.tool_call_id`) }
      : {}),
    ...(m.tool_name !== undefined
      ? { toolName: read.string(m.tool_name, `${where}.tool_name`) }
      : {}),
    ...(m.is_error !== undefined ? { isError: m.is_error === true } : {}),
    ...(m.provider_data !== undefined
      ? { providerData: read.object(m.provider_data, `${where}.provider_data`) }
      : {}),
  };
}

/** Decode a record written by `encodeEffect`; a bad field is a CheckpointError naming it. */
export function decodeEffect(value: unknown, source = "checkpoint", where = "effect"): EffectStart {
  const read = new Reader(source);
  const effect = read.object(value, where);
  return {
    callId: read.string(effect.call_id, `${where}.call_id`),
    tool: read.string(effect.tool, `${where}.tool`),
    argsDigest: read.string(effect.args_digest, `${where}.args_digest`),
    idempotencyKey: read.string(effect.idempotency_key, `${where}.idempotency_key`),
    step: read.count(effect.step, `${where}.step`),
  };
}

/** Reads fields of one document; every failure is a one-line CheckpointError naming the file and field. */
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
    return Array.isArray(value) ? value : this.fail(`needs an array at '${where}'`);
  }

  string(value: unknown, where: string): string {
    return typeof value === "string" ? value : this.fail(`needs a string at '${where}'`);
  }

  number(value: unknown, where: string): number {
    return typeof value === "number" && Number.isFinite(value)
      ? value
      : this.fail(`needs a number at '${where}'`);
  }

  count(value: unknown, where: string): number {
    return Number.isInteger(value) && (value as number) >= 0
      ? value as number
      : this.fail(`needs a non-negative integer at '${where}'`);
  }

  call(value: unknown, where: string): ToolCallRequest {
    const call = this.object(value, where);
    return {
      id: this.string(call.id, `${where}.id`),
      name: this.string(call.name, `${where}.name`),
      args: this.object(call.args ?? {}, `${where}.args`),
      ...(call.reasoning !== undefined
        ? { reasoning: this.string(call.reasoning, `${where}.reasoning`) }
        : {}),
      ...(call.args_error !== undefined
        ? { argsError: this.string(call.args_error, `${where}.args_error`) }
        : {}),
    };
  }

  usage(value: unknown, where: string): Usage {
    const usage = this.object(value, where);
    const out: { -readonly [K in keyof Usage]: Usage[K] } = {
      inputTokens: this.number(usage.input_tokens ?? 0, `${where}.input_tokens`),
      outputTokens: this.number(usage.output_tokens ?? 0, `${where}.output_tokens`),
    };
    for (const [field, key] of USAGE_FIELDS) {
      if (usage[field] !== undefined) out[key] = this.number(usage[field], `${where}.${field}`);
    }
    return out;
  }
}

const USAGE_FIELDS = [
  ["cache_read_tokens", "cacheReadTokens"],
  ["cache_write_tokens", "cacheWriteTokens"],
  ["cost", "cost"],
] as const;

/** `[[0, 3], 5]` → `[0, 1, 2, 5]`. */
function fromRefs(read: Reader, value: unknown): number[] {
  const out: number[] = [];
  read.array(value, "transcript_refs").forEach((ref, i) => {
    if (typeof ref === "number") return void out.push(read.count(ref, `transcript_refs[${i}]`));
    const [start, end] = read.array(ref, `transcript_refs[${i}]`);
    const last = read.count(end, `transcript_refs[${i}][1]`);
    for (let index = read.count(start, `transcript_refs[${i}][0]`); index < last; index++) {
      out.push(index);
    }
  });
  return out;
}
