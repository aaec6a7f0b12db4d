/** The manifest record and the prompt/response files of one model call (private to provenance/). */
import type {
  Message,
  ModelRequest,
  ModelTurn,
  ToolCallRequest,
  ToolSchema,
  Usage,
} from "../loop/types.ts";
import { RedactedTranscript } from "../hooks/redacted_transcript.ts";
import type { ProvenanceCallRecord } from "./provenance_call_record.ts";
import { type Redactor, scrubValue, truncateText } from "./_text.ts";
import {
  type PromptFileInput,
  renderPromptFile,
  renderResponseFile,
  round,
} from "./_trace_files.ts";

/** One finished model call, as the backend wrapper saw it. */
export interface CallInput {
  readonly index: number;
  readonly request: ModelRequest;
  readonly reply: ModelTurn | undefined;
  readonly failure: unknown;
  readonly scope: string | null;
  readonly stepNum: number | null;
  readonly turn: number | null;
  readonly timestamp: string;
  readonly durationMs: number;
}

/** The text files of one call. */
export interface CallFiles {
  readonly prompt: string;
  readonly response: string;
}

/** An error as one line of text. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function redactCall(call: ToolCallRequest, redact: Redactor): ToolCallRequest {
  return {
    ...call,
    args: scrubValue(call.args, redact, Infinity) as Record<string, unknown>,
    ...(call.reasoning !== undefined ? { reasoning: redact(call.reasoning) } : {}),
    ...(call.argsError !== undefined ? { argsError: redact(call.argsError) } : {}),
  };
}

/** A message with its text, call arguments and reasoning redacted. */
export function redactMessage(message: Message, redact: Redactor): Message {
  return {
    ...message,
    content: redact(message.content),
    ...(message.toolCalls !== undefined
      ? { toolCalls: message.toolCalls.map((call) => redactCall(call, redact)) }
      : {}),
  };
}

/** A reply with its text, reasoning and calls redacted. */
export function redactReply(reply: ModelTurn, redact: Redactor | undefined): ModelTurn {
  if (redact === undefined) return reply;
  return {
    ...reply,
    text: redact(reply.text),
    ...(reply.reasoning !== undefined ? { reasoning: redact(reply.reasoning) } : {}),
    ...(reply.toolCalls !== undefined
      ? { toolCalls: reply.toolCalls.map((call) => redactCall(call, redact)) }
      : {}),
  };
}

interface ScopeMemory {
  first: Message | undefined;
  last: Message | undefined;
  beforeLast: Message | undefined;
  length: number;
  /** Characters of the messages, and of all but the last one. */
  chars: number;
  charsBeforeLast: number;
  systemPrompt: string;
  tools: readonly ToolSchema[];
  index: number;
}

/**
 * The previous prompt of each scope (the loop, a tool, a hook), so a prompt
 * file shows only what is new: the transcript only grows between turns, so
 * the previous call's messages (but for injected context, its last message)
 * are usually a prefix of this call's.
 */
export class PromptHistory {
  readonly #scopes = new Map<string, ScopeMemory>();

  /** What the prompt file of a call shows, and its size in characters. */
  prompt(
    input: CallInput,
    systemPrompt: string,
    messages: readonly Message[],
    redact: Redactor | undefined,
  ): { file: PromptFileInput; chars: number } {
    const { index, request, scope } = input;
    const key = scope ?? "loop";
    const memory = this.#scopes.get(key);
    let offset = 0;
    let chars = 0;
    if (memory !== undefined && messages[0] === memory.first) {
      if (messages[memory.length - 1] === memory.last) {
        offset = memory.length;
        chars = memory.chars;
      } else if (memory.length > 1 && messages[memory.length - 2] === memory.beforeLast) {
        offset = memory.length - 1; // the loop's request array replaced its injected context
        chars = memory.charsBeforeLast;
      }
    }
    let charsBeforeLast = chars;
    for (let i = offset; i < messages.length; i++) {
      charsBeforeLast = chars;
      chars += messages[i]!.content.length;
    }
    this.#scopes.set(key, {
      first: messages[0],
      last: messages[messages.length - 1],
      beforeLast: messages[messages.length - 2],
      length: messages.length,
      chars,
      charsBeforeLast,
      systemPrompt,
      tools: request.tools,
      index,
    });
    const file: PromptFileInput = {
      index,
      stepNum: input.stepNum,
      turn: input.turn,
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
      ...(redact !== undefined ? { redact } : {}),
    };
    return { file, chars: chars + systemPrompt.length };
  }
}

/** Render the prompt and response files of a call, each cut to `limit` characters. */
export function renderCallFiles(
  prompt: PromptFileInput,
  input: CallInput,
  shownReply: ModelTurn | undefined,
  error: string | undefined,
  limit: number,
): CallFiles {
  return {
    prompt: truncateText(renderPromptFile(prompt), limit),
    response: truncateText(
      renderResponseFile(input.index, input.durationMs, shownReply, error),
      limit,
    ),
  };
}

/** The manifest record of a call (`truncated` is left for the files to settle). */
export function callRecord(
  input: CallInput,
  details: {
    readonly shownReply: ModelTurn | undefined;
    readonly error: string | undefined;
    readonly promptChars: number;
    readonly messageCount: number;
    readonly toolNames: readonly string[];
  },
): ProvenanceCallRecord {
  const { request, reply, failure } = input;
  const { shownReply, error } = details;
  const usage = reply?.usage;
  const status = (failure as { status?: unknown } | undefined)?.status;
  const retryable = (failure as { retryable?: unknown } | undefined)?.retryable;
  const toolCalls = shownReply?.toolCalls?.length ?? 0;
  return {
    index: input.index,
    timestamp: input.timestamp,
    duration_ms: round(input.durationMs),
    method: "generate",
    prompt_chars: details.promptChars,
    response_chars: shownReply === undefined || toolCalls > 0 ? null : shownReply.text.length,
    response_blocks: toolCalls > 0 ? toolCalls + (shownReply!.text !== "" ? 1 : 0) : null,
    temperature: request.temperature ?? null,
    max_tokens: request.maxTokens ?? null,
    tool_count: request.tools.length,
    step_num: input.stepNum,
    error: error ?? null,
    scope: input.scope,
    metadata: {},
    turn: input.turn,
    purpose: request.purpose ?? null,
    message_count: details.messageCount,
    tool_names: details.toolNames,
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
}

/**
 * Records the model calls of one run: the request sent upstream (redacted
 * when asked), and each call's prompt and response files and manifest line.
 */
export class CallRecorder {
  readonly #redact: Redactor | undefined;
  readonly #redactUpstream: boolean;
  readonly #limit: number;
  readonly #prompts = new PromptHistory();
  readonly #redacted: RedactedTranscript | undefined;
  readonly #toolNameCache = new WeakMap<readonly ToolSchema[], string[]>();
  /** The usage of every call recorded so far. */
  usage: Usage = { inputTokens: 0, outputTokens: 0 };

  constructor(redact: Redactor | undefined, redactUpstream: boolean, limit: number) {
    this.#redact = redact;
    this.#redactUpstream = redactUpstream;
    this.#limit = limit;
    this.#redacted = redact === undefined
      ? undefined
      : new RedactedTranscript((message) => redactMessage(message, redact));
  }

  /** The request the backend receives: redacted unless `redactUpstream` is off. */
  upstream(request: ModelRequest): ModelRequest {
    if (this.#redacted === undefined || !this.#redactUpstream) return request;
    return {
      ...request,
      systemPrompt: this.#redact!(request.systemPrompt),
      messages: this.#redacted.of(request.messages),
    };
  }

  /** The files and the manifest line of a finished call (its request as sent upstream). */
  record(input: CallInput): { files: CallFiles; record: ProvenanceCallRecord } {
    const { request, reply, failure } = input;
    const error = failure === undefined ? undefined : this.#text(errorText(failure));
    const rawUpstream = this.#redactUpstream || this.#redacted === undefined;
    const messages = rawUpstream ? request.messages : this.#redacted.of(request.messages);
    const systemPrompt = rawUpstream ? request.systemPrompt : this.#redact!(request.systemPrompt);
    const prompt = this.#prompts.prompt(input, systemPrompt, messages, this.#redact);
    const shownReply = reply === undefined ? undefined : redactReply(reply, this.#redact);
    const files = renderCallFiles(prompt.file, input, shownReply, error, this.#limit);
    const record: ProvenanceCallRecord = {
      ...callRecord(input, {
        shownReply,
        error,
        promptChars: prompt.chars,
        messageCount: messages.length,
        toolNames: this.#toolNames(request.tools),
      }),
      truncated: files.prompt.length >= this.#limit || files.response.length >= this.#limit,
    };
    if (reply?.usage !== undefined) {
      this.usage = {
        inputTokens: this.usage.inputTokens + reply.usage.inputTokens,
        outputTokens: this.usage.outputTokens + reply.usage.outputTokens,
      };
    }
    return { files, record };
  }

  #toolNames(tools: readonly ToolSchema[]): string[] {
    let names = this.#toolNameCache.get(tools);
    if (names === undefined) {
      names = tools.map((tool) => tool.name);
      this.#toolNameCache.set(tools, names);
    }
    return names;
  }

  #text(text: string): string {
    return truncateText(this.#redact ? this.#redact(text) : text, this.#limit);
  }
}
