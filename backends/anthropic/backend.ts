/**
 * A backend for the Anthropic Messages API.
 *
 * @module
 */

import type {
  Backend,
  BackendCapabilities,
  GenerateOptions,
  Message,
  ModelDelta,
  ModelRequest,
  ModelTurn,
  ToolCallRequest,
  Usage,
} from "../../loop/types.ts";
import {
  backendError,
  checkBaseUrl,
  checkPositive,
  DEFAULT_MAX_REPLY_LENGTH,
  type FetchLike,
  type HttpContext,
  isRetryableStatus,
  postJson,
  type ProviderErrorInfo,
  readJsonBody,
  readStreamEvents,
  redact,
} from "../_http.ts";
import type { BackendError } from "../backend_error.ts";
import { renderTextTranscript } from "../_text_protocol.ts";
import { isRecord, toolCallFromText } from "../_tool_args.ts";
import { replayAsDeltas } from "../_replay_as_deltas.ts";

/**
 * Options of `AnthropicBackend`.
 *
 * @example Use Claude with extended thinking
 * ```ts ignore
 * import { AnthropicBackend } from "jsr:@looplet/looplet/backends";
 * const llm = new AnthropicBackend({
 *   model: "claude-sonnet-4-5",
 *   apiKey: Deno.env.get("ANTHROPIC_API_KEY")!,
 *   maxTokens: 16000,
 *   thinkingBudget: 4096,
 * });
 * ```
 */
export interface AnthropicOptions {
  /** Model name, for example `"claude-sonnet-4-5"`. */
  readonly model: string;
  /** The API key (`x-api-key`). */
  readonly apiKey: string;
  /** Base URL, without `/v1`. @default "https://api.anthropic.com" */
  readonly baseUrl?: string;
  /** Name in messages and traces. @default "anthropic" */
  readonly name?: string;
  /** Send tools natively (`tool_use` blocks); `false` uses the JSON-in-text protocol. @default true */
  readonly nativeTools?: boolean;
  /** Context window in tokens. @default 200000 */
  readonly contextWindow?: number;
  /** `"auto"` streams when the caller asks for deltas; `true` always; `false` never. @default "auto" */
  readonly stream?: boolean | "auto";
  /** Abort a request (including its streamed body) after this many milliseconds. @default 600000 */
  readonly timeoutMs?: number;
  /**
   * Most characters a reply body or one streamed event may hold; a longer
   * reply fails the call with a message naming this option.
   * @default 67108864 (64 Mi)
   */
  readonly maxReplyLength?: number;
  /** `max_tokens` when the request sets none (the API requires one). @default 8192 */
  readonly maxTokens?: number;
  /**
   * Prompt caching: put `cache_control` breakpoints on the tools, the system
   * prompt and the end of the transcript, so each turn reuses the previous
   * turn's prefix. `"1h"` asks for the one-hour cache. @default true
   */
  readonly cache?: boolean | "1h";
  /** Extended thinking with this token budget (must be below `maxTokens`). @default undefined (off) */
  readonly thinkingBudget?: number;
  /** `anthropic-version` header. @default "2023-06-01" */
  readonly version?: string;
  /** Extra headers (for example `anthropic-beta`). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra body fields merged into every request. @default {} */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /** The `fetch` to use (inject one in tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * Options of `AnthropicBackend.fromEnv`.
 *
 * @example Keep the one-hour prompt cache
 * ```ts ignore
 * import { type AnthropicEnvOptions, AnthropicBackend } from "jsr:@looplet/looplet/backends";
 * const options: AnthropicEnvOptions = { cache: "1h", timeoutMs: 120_000 };
 * const llm = AnthropicBackend.fromEnv(Deno.env.toObject(), options);
 * ```
 */
export type AnthropicEnvOptions = Omit<AnthropicOptions, "model" | "apiKey" | "baseUrl">;

/**
 * The model `fromEnv` uses when `ANTHROPIC_MODEL` is not set.
 *
 * @example Show which model a run uses
 * ```ts
 * import { DEFAULT_ANTHROPIC_MODEL } from "jsr:@looplet/looplet/backends";
 * const model = Deno.env.get("ANTHROPIC_MODEL") ?? DEFAULT_ANTHROPIC_MODEL;
 * console.log(`model: ${model}`);
 * ```
 */
export const DEFAULT_ANTHROPIC_MODEL = "claude-sonnet-4-5";

const STOP_REASONS: Record<string, string> = {
  end_turn: "end",
  stop_sequence: "end",
  tool_use: "tool_calls",
  max_tokens: "max_tokens",
  refusal: "refusal",
};

const RETRYABLE_TYPES = new Set(["rate_limit_error", "api_error", "overloaded_error"]);
const FINAL_TYPES = new Set([
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "request_too_large",
  "billing_error",
]);

/** Content blocks the loop does not model but that must travel back (thinking, server tools). */
interface AnthropicProviderData {
  readonly blocks: readonly Record<string, unknown>[];
}

/**
 * A backend for Anthropic's Messages API over `fetch`.
 *
 * Native `tool_use`/`tool_result` blocks with parallel calls, SSE streaming
 * with `input_json_delta` reassembly, extended thinking whose signed blocks
 * travel back on the next request (through `ModelTurn.providerData`), prompt
 * caching breakpoints, usage with cache read/write tokens, and
 * `BackendError`s classified for the loop's retries.
 *
 * @example Run the loop on Claude
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { AnthropicBackend } from "jsr:@looplet/looplet/backends";
 * const llm = AnthropicBackend.fromEnv(Deno.env.toObject());
 * const outcome = await composableLoop({ llm, tools: [], task: "Say hi" }).complete();
 * ```
 */
export class AnthropicBackend implements Backend {
  /** Name in messages and traces. */
  readonly name: string;
  /** Declared capabilities. */
  readonly capabilities: BackendCapabilities;
  /** The model requests go to. */
  readonly model: string;
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #stream: boolean | "auto";
  readonly #timeoutMs: number;
  readonly #maxTokens: number;
  readonly #cache: false | { type: "ephemeral"; ttl?: "1h" };
  readonly #thinkingBudget: number | undefined;
  readonly #version: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #extraBody: Readonly<Record<string, unknown>>;
  readonly #fetch: FetchLike;
  readonly #http: HttpContext;

  /**
   * Create a AnthropicBackend.
   *
   * @param options Model, key and behaviour.
   * @throws {TypeError} When `model` or `apiKey` is missing, or `baseUrl` is malformed.
   * @throws {RangeError} When a number option is out of range.
   */
  constructor(options: AnthropicOptions) {
    const {
      model,
      apiKey,
      baseUrl = "https://api.anthropic.com",
      name = "anthropic",
      nativeTools = true,
      contextWindow = 200_000,
      stream = "auto",
      timeoutMs = 600_000,
      maxReplyLength = DEFAULT_MAX_REPLY_LENGTH,
      maxTokens = 8192,
      cache = true,
      thinkingBudget,
      version = "2023-06-01",
      headers = {},
      extraBody = {},
      fetch: fetchImpl = globalThis.fetch,
    } = options ?? ({} as AnthropicOptions);
    if (typeof model !== "string" || model.trim() === "") {
      throw new TypeError(
        `Cannot create AnthropicBackend: 'model' must be a model name such as "${DEFAULT_ANTHROPIC_MODEL}"`,
      );
    }
    if (typeof apiKey !== "string" || apiKey.trim() === "") {
      throw new TypeError(
        "Cannot create AnthropicBackend: 'apiKey' is missing; pass it, or use " +
          "AnthropicBackend.fromEnv(Deno.env.toObject()) with ANTHROPIC_API_KEY set",
      );
    }
    this.baseUrl = checkBaseUrl(baseUrl, "AnthropicBackend").replace(/\/v1$/, "");
    checkPositive("timeoutMs", timeoutMs);
    checkPositive("maxReplyLength", maxReplyLength);
    checkPositive("maxTokens", maxTokens);
    checkPositive("contextWindow", contextWindow);
    if (thinkingBudget !== undefined) {
      checkPositive("thinkingBudget", thinkingBudget);
      if (thinkingBudget >= maxTokens) {
        throw new RangeError(
          `Cannot create AnthropicBackend: 'thinkingBudget' (${thinkingBudget}) must be below ` +
            `'maxTokens' (${maxTokens}); raise maxTokens`,
        );
      }
    }
    if (typeof fetchImpl !== "function") {
      throw new TypeError("Cannot create AnthropicBackend: 'fetch' must be a function");
    }
    this.name = name;
    this.model = model;
    this.#apiKey = apiKey;
    this.#stream = stream;
    this.#timeoutMs = timeoutMs;
    this.#maxTokens = maxTokens;
    this.#cache = cache === false
      ? false
      : cache === "1h"
      ? { type: "ephemeral", ttl: "1h" }
      : { type: "ephemeral" };
    this.#thinkingBudget = thinkingBudget;
    this.#version = version;
    this.#headers = headers;
    this.#extraBody = extraBody;
    this.#fetch = fetchImpl;
    this.capabilities = Object.freeze({ nativeTools, contextWindow, streaming: stream !== false });
    this.#http = {
      backend: name,
      secrets: [apiKey],
      readError: readAnthropicError,
      maxReplyLength,
    };
  }

  /**
   * Build a backend from `ANTHROPIC_API_KEY` (required), `ANTHROPIC_MODEL`
   * (default `DEFAULT_ANTHROPIC_MODEL`) and `ANTHROPIC_BASE_URL` (optional).
   *
   * @param env The variables to read, for example `Deno.env.toObject()`.
   * @param options Other options.
   * @returns The backend.
   * @throws {TypeError} When `ANTHROPIC_API_KEY` is not set.
   * @example Read the process environment
   * ```ts ignore
   * import { AnthropicBackend } from "jsr:@looplet/looplet/backends";
   * const llm = AnthropicBackend.fromEnv(Deno.env.toObject(), { thinkingBudget: 2048 });
   * ```
   */
  static fromEnv(
    env: Readonly<Record<string, string | undefined>>,
    options: AnthropicEnvOptions = {},
  ): AnthropicBackend {
    const apiKey = env.ANTHROPIC_API_KEY?.trim();
    if (!apiKey) {
      throw new TypeError(
        "Cannot configure the Anthropic backend: ANTHROPIC_API_KEY is not set; set it to your " +
          "API key from console.anthropic.com",
      );
    }
    const baseUrl = env.ANTHROPIC_BASE_URL?.trim();
    return new AnthropicBackend({
      ...options,
      apiKey,
      model: env.ANTHROPIC_MODEL?.trim() || DEFAULT_ANTHROPIC_MODEL,
      ...(baseUrl ? { baseUrl } : {}),
    });
  }

  /**
   * Call the model once.
   *
   * @param request Transcript, system prompt and tools.
   * @param options Cancellation and the delta callback (streams when given).
   * @returns The model's turn; thinking blocks are in `providerData`.
   * @throws {BackendError} For HTTP, network, timeout, mid-stream and protocol failures.
   */
  generate(request: ModelRequest, options: GenerateOptions = {}): Promise<ModelTurn> {
    const { signal, onDelta } = options;
    const stream = this.#stream === "auto" ? onDelta !== undefined : this.#stream;
    return postJson(this.#http, {
      url: `${this.baseUrl}/v1/messages`,
      headers: {
        "content-type": "application/json",
        accept: stream ? "text/event-stream" : "application/json",
        "x-api-key": this.#apiKey,
        "anthropic-version": this.#version,
        ...this.#headers,
      },
      body: this.requestBody(request, { stream }),
      fetch: this.#fetch,
      ...(signal ? { signal } : {}),
      timeoutMs: this.#timeoutMs,
    }, async (response, combined) => {
      const type = response.headers.get("content-type") ?? "";
      // An HTML page (a proxy, a login wall) is reported as such by the JSON reader.
      if (stream && !type.includes("application/json") && !type.includes("text/html")) {
        return await readStream(this.#http, response, combined, onDelta);
      }
      const turn = turnFromMessage(this.#http, await readJsonBody(this.#http, response));
      if (onDelta) replayAsDeltas(turn, onDelta);
      return turn;
    });
  }

  /**
   * The JSON body this backend sends for a request.
   *
   * @param request The loop's request.
   * @param options Whether the body asks for a stream.
   * @returns The request body.
   */
  requestBody(request: ModelRequest, options: { stream?: boolean } = {}): Record<string, unknown> {
    const native = this.capabilities.nativeTools;
    const cache = this.#cache;
    const messages = native ? nativeMessages(request.messages) : textMessages(request.messages);
    const systemTexts = [
      request.systemPrompt,
      ...request.messages.filter((m) => m.role === "system" && native).map((m) => m.content),
    ].filter((text) => text !== "");
    const body: Record<string, unknown> = {
      model: this.model,
      max_tokens: request.maxTokens ?? this.#maxTokens,
      messages,
    };
    if (systemTexts.length > 0) {
      body.system = systemTexts.map((text, index) => ({
        type: "text",
        text,
        ...(cache && index === systemTexts.length - 1 ? { cache_control: cache } : {}),
      }));
    }
    if (native && request.tools.length > 0) {
      body.tools = request.tools.map((tool, index) => ({
        name: tool.name,
        description: tool.description,
        input_schema: tool.inputSchema,
        ...(cache && index === request.tools.length - 1 ? { cache_control: cache } : {}),
      }));
    }
    if (cache) markLastBlock(messages, cache);
    if (this.#thinkingBudget !== undefined) {
      body.thinking = { type: "enabled", budget_tokens: this.#thinkingBudget };
    } else if (request.temperature !== undefined) {
      body.temperature = request.temperature;
    }
    if (options.stream) body.stream = true;
    return { ...body, ...this.#extraBody };
  }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

type Block = Record<string, unknown>;
interface WireMessage {
  role: "user" | "assistant";
  content: Block[];
}

function providerBlocks(message: Message): Block[] {
  const data = message.providerData?.anthropic as AnthropicProviderData | undefined;
  return Array.isArray(data?.blocks) ? data.blocks.filter(isRecord).map((b) => ({ ...b })) : [];
}

function nativeMessages(messages: readonly Message[]): WireMessage[] {
  const out: WireMessage[] = [];
  const add = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case "system":
        break; // sent in `system`
      case "assistant": {
        const blocks: Block[] = providerBlocks(message);
        if (message.content !== "") blocks.push({ type: "text", text: message.content });
        for (const call of message.toolCalls ?? []) {
          blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.args });
        }
        add("assistant", blocks);
        break;
      }
      case "tool":
        if (message.toolCallId) {
          add("user", [{
            type: "tool_result",
            tool_use_id: message.toolCallId,
            content: message.content,
            ...(message.isError ? { is_error: true } : {}),
          }]);
        } else if (message.content !== "") {
          add("user", [{ type: "text", text: message.content }]);
        }
        break;
      default:
        if (message.content !== "") add("user", [{ type: "text", text: message.content }]);
    }
  }
  return out;
}

function textMessages(messages: readonly Message[]): WireMessage[] {
  return renderTextTranscript(messages).map((turn) => ({
    role: turn.role,
    content: [{ type: "text", text: turn.content }],
  }));
}

/** Cache the whole transcript so far: a breakpoint on the last cacheable block. */
function markLastBlock(messages: WireMessage[], control: Block): void {
  const last = messages.at(-1);
  if (!last) return;
  const i = last.content.findLastIndex((block) =>
    block.type !== "thinking" && block.type !== "redacted_thinking"
  );
  const block = last.content[i];
  if (block !== undefined) last.content[i] = { ...block, cache_control: control };
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

function readAnthropicError(body: unknown): ProviderErrorInfo | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const type = typeof body.error.type === "string" ? body.error.type : undefined;
  const message = typeof body.error.message === "string" ? body.error.message : undefined;
  const retryable = type === undefined
    ? undefined
    : RETRYABLE_TYPES.has(type)
    ? true
    : FINAL_TYPES.has(type)
    ? false
    : undefined;
  return {
    ...(type !== undefined ? { providerType: type } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
  };
}

const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

function streamError(http: HttpContext, body: Record<string, unknown>): BackendError {
  const info = readAnthropicError(body) ?? {};
  const status = info.providerType ? STATUS_OF_TYPE[info.providerType] : undefined;
  return backendError(
    http,
    redact(
      `Cannot call backend "${http.backend}": the stream reported an error` +
        (info.providerType ? ` (${info.providerType})` : "") + `: ${info.message ?? "no message"}`,
      http.secrets,
    ),
    {
      ...(status !== undefined ? { status } : {}),
      retryable: info.retryable ?? (status !== undefined ? isRetryableStatus(status) : true),
      ...(info.providerType !== undefined ? { providerType: info.providerType } : {}),
      cause: body,
    },
  );
}

function mapStop(reason: unknown): string | undefined {
  if (typeof reason !== "string" || reason === "") return undefined;
  return STOP_REASONS[reason] ?? reason;
}

interface UsageParts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  seen: boolean;
}

/** Merge a usage object into the running parts (fields present win). */
function mergeUsage(parts: UsageParts, raw: unknown): void {
  if (!isRecord(raw)) return;
  const num = (value: unknown) => typeof value === "number" ? value : undefined;
  parts.input = num(raw.input_tokens) ?? parts.input;
  parts.output = num(raw.output_tokens) ?? parts.output;
  parts.cacheRead = num(raw.cache_read_input_tokens) ?? parts.cacheRead;
  parts.cacheWrite = num(raw.cache_creation_input_tokens) ?? parts.cacheWrite;
  parts.seen = true;
}

function usageFrom(parts: UsageParts): Usage | undefined {
  if (!parts.seen) return undefined;
  return {
    inputTokens: parts.input + parts.cacheRead + parts.cacheWrite,
    outputTokens: parts.output,
    ...(parts.cacheRead > 0 ? { cacheReadTokens: parts.cacheRead } : {}),
    ...(parts.cacheWrite > 0 ? { cacheWriteTokens: parts.cacheWrite } : {}),
  };
}

function emptyUsage(): UsageParts {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, seen: false };
}

/** Assemble a turn from finished content blocks. */
function turnFromBlocks(
  blocks: readonly Block[],
  rawArgs: ReadonlyMap<Block, string>,
  stopReason: string | undefined,
  usage: Usage | undefined,
): ModelTurn {
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCallRequest[] = [];
  const carried: Block[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "text":
        if (typeof block.text === "string") text += block.text;
        break;
      case "tool_use": {
        const raw = rawArgs.get(block);
        const id = typeof block.id === "string" ? block.id : `toolu_${toolCalls.length + 1}`;
        const name = typeof block.name === "string" ? block.name : "";
        // Streamed arguments win; a block that arrived whole keeps its `input`.
        toolCalls.push(
          raw !== undefined && raw.trim() !== ""
            ? toolCallFromText(id, name, raw)
            : isRecord(block.input)
            ? { id, name, args: block.input }
            : { id, name, args: {} },
        );
        break;
      }
      case "thinking":
        if (typeof block.thinking === "string") reasoning += block.thinking;
        carried.push(block);
        break;
      default: {
        // redacted_thinking, server_tool_use, web_search_tool_result, ...: carry back as is.
        const raw = rawArgs.get(block);
        if (raw !== undefined && raw.trim() !== "") {
          try {
            carried.push({ ...block, input: JSON.parse(raw) });
            break;
          } catch {
            // keep the block as it started
          }
        }
        carried.push(block);
      }
    }
  }
  const data: AnthropicProviderData = { blocks: carried };
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reasoning !== "" ? { reasoning } : {}),
    ...(carried.length > 0 ? { providerData: { anthropic: data } } : {}),
  };
}

function turnFromMessage(http: HttpContext, json: unknown): ModelTurn {
  if (!isRecord(json)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": expected a JSON object`,
      { status: 200, retryable: true, providerType: "invalid_response", cause: json },
    );
  }
  if (json.type === "error" || isRecord(json.error)) throw streamError(http, json);
  if (!Array.isArray(json.content)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": the message has no 'content' array`,
      { status: 200, retryable: false, providerType: "invalid_response", cause: json },
    );
  }
  const usage = emptyUsage();
  mergeUsage(usage, json.usage);
  const blocks = json.content.filter(isRecord);
  const turn = turnFromBlocks(blocks, new Map(), mapStop(json.stop_reason), usageFrom(usage));
  return typeof json.model === "string" ? { ...turn, model: json.model } : turn;
}

/** Reassemble a streamed message, delivering deltas as they are parsed. */
async function readStream(
  http: HttpContext,
  response: Response,
  signal: AbortSignal,
  onDelta: ((delta: ModelDelta) => void) | undefined,
): Promise<ModelTurn> {
  if (response.body === null) {
    throw backendError(http, `Cannot read the stream of backend "${http.backend}": no body`, {
      status: response.status,
      retryable: true,
      providerType: "invalid_stream",
    });
  }
  let messageId: string | undefined;
  let blocks = new Map<number, Block>();
  let rawArgs = new Map<Block, string>();
  let toolOrder: Block[] = [];
  let usage = emptyUsage();
  let stopReason: string | undefined;
  let model: string | undefined;
  let stopped = false;

  await readStreamEvents(http, response.body, signal, ({ data, unterminated }) => {
    if (stopped) return;
    const trimmed = data.trim();
    if (trimmed === "") return;
    let event: unknown;
    try {
      event = JSON.parse(trimmed);
    } catch (error) {
      throw backendError(
        http,
        `Cannot read the stream of backend "${http.backend}": ` +
          (unterminated
            ? "the stream stopped in the middle of an event"
            : `an event is not JSON: ${trimmed.slice(0, 200)}`),
        { status: 200, retryable: true, providerType: "invalid_stream", cause: error },
      );
    }
    if (!isRecord(event)) return;
    switch (event.type) {
      case "message_start": {
        const message = isRecord(event.message) ? event.message : {};
        const id = typeof message.id === "string" ? message.id : undefined;
        if (typeof message.model === "string") model = message.model;
        if (messageId !== undefined && id !== messageId && blocks.size > 0) {
          // A new message spliced in: the earlier one was abandoned.
          blocks = new Map();
          rawArgs = new Map();
          toolOrder = [];
          usage = emptyUsage();
        }
        messageId = id;
        mergeUsage(usage, message.usage);
        break;
      }
      case "content_block_start": {
        if (typeof event.index !== "number" || !isRecord(event.content_block)) break;
        const block: Block = { ...event.content_block };
        blocks.set(event.index, block);
        if (block.type === "tool_use") {
          rawArgs.set(block, "");
          toolOrder.push(block);
          onDelta?.({
            type: "tool_call",
            index: toolOrder.length - 1,
            ...(typeof block.id === "string" ? { id: block.id } : {}),
            ...(typeof block.name === "string" ? { name: block.name } : {}),
            argsText: "",
          });
        } else if (block.type === "text" && typeof block.text === "string" && block.text) {
          onDelta?.({ type: "text", text: block.text });
        }
        break;
      }
      case "content_block_delta": {
        const block = typeof event.index === "number" ? blocks.get(event.index) : undefined;
        const delta = isRecord(event.delta) ? event.delta : undefined;
        if (!block || !delta) break;
        applyDelta(block, delta, rawArgs, toolOrder, onDelta);
        break;
      }
      case "message_delta": {
        const delta = isRecord(event.delta) ? event.delta : {};
        stopReason = mapStop(delta.stop_reason) ?? stopReason;
        mergeUsage(usage, event.usage);
        break;
      }
      case "message_stop":
        stopped = true;
        break;
      case "error":
        throw streamError(http, event);
      default:
        break; // ping, content_block_stop, future events
    }
  });

  if (!stopped && stopReason === undefined) {
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": the stream ended before the ` +
        `message was complete (no stop_reason and no message_stop)`,
      { status: 200, retryable: true, providerType: "incomplete_stream" },
    );
  }
  const ordered = [...blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, block]) => block);
  const turn = turnFromBlocks(ordered, rawArgs, stopReason, usageFrom(usage));
  return model === undefined ? turn : { ...turn, model };
}

function applyDelta(
  block: Block,
  delta: Block,
  rawArgs: Map<Block, string>,
  toolOrder: Block[],
  onDelta: ((delta: ModelDelta) => void) | undefined,
): void {
  switch (delta.type) {
    case "text_delta":
      if (typeof delta.text === "string") {
        block.text = (typeof block.text === "string" ? block.text : "") + delta.text;
        if (delta.text !== "") onDelta?.({ type: "text", text: delta.text });
      }
      break;
    case "thinking_delta":
      if (typeof delta.thinking === "string") {
        block.thinking = (typeof block.thinking === "string" ? block.thinking : "") +
          delta.thinking;
        if (delta.thinking !== "") onDelta?.({ type: "reasoning", text: delta.thinking });
      }
      break;
    case "signature_delta":
      if (typeof delta.signature === "string") {
        block.signature = (typeof block.signature === "string" ? block.signature : "") +
          delta.signature;
      }
      break;
    case "input_json_delta":
      if (typeof delta.partial_json === "string") {
        rawArgs.set(block, (rawArgs.get(block) ?? "") + delta.partial_json);
        if (block.type === "tool_use") {
          onDelta?.({
            type: "tool_call",
            index: toolOrder.indexOf(block),
            argsText: delta.partial_json,
          });
        }
      }
      break;
    default:
      break; // citations_delta and future deltas
  }
}
