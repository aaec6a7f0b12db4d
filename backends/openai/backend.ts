/**
 * A backend for any OpenAI-compatible `/v1/chat/completions` endpoint.
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
 * Options of `OpenAICompatibleBackend`.
 *
 * @example Call a model through OpenRouter
 * ```ts ignore
 * import { OpenAICompatibleBackend } from "jsr:@looplet/looplet/backends";
 * const llm = new OpenAICompatibleBackend({
 *   model: "openai/gpt-4o-mini",
 *   baseUrl: "https://openrouter.ai/api/v1",
 *   apiKey: Deno.env.get("OPENROUTER_API_KEY"),
 *   headers: { "HTTP-Referer": "https://example.com" },
 * });
 * ```
 */
export interface OpenAICompatibleOptions {
  /** Model name, for example `"gpt-4o-mini"` or `"llama3.2"`. */
  readonly model: string;
  /** Base URL up to and including `/v1`. @default "https://api.openai.com/v1" */
  readonly baseUrl?: string;
  /** API key, sent as a bearer token. Local servers need none. @default undefined */
  readonly apiKey?: string;
  /** Name in messages and traces. @default "openai-compatible" */
  readonly name?: string;
  /** Send tool schemas natively; `false` for models that only follow the JSON-in-text protocol. @default true */
  readonly nativeTools?: boolean;
  /** Context window in tokens, when known. @default undefined */
  readonly contextWindow?: number;
  /** `"auto"` streams when the caller asks for deltas; `true` always streams; `false` never. @default "auto" */
  readonly stream?: boolean | "auto";
  /** Abort a request (including its streamed body) after this many milliseconds. @default 600000 */
  readonly timeoutMs?: number;
  /**
   * Most characters a reply body or one streamed event may hold; a longer
   * reply fails the call with a message naming this option.
   * @default 67108864 (64 Mi)
   */
  readonly maxReplyLength?: number;
  /** Output token limit used when the request sets none. @default undefined */
  readonly maxTokens?: number;
  /**
   * Field that carries the output limit. OpenAI's reasoning models reject
   * `max_tokens`; most other servers only know `max_tokens`.
   * @default "max_completion_tokens" for api.openai.com, else "max_tokens"
   */
  readonly maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** `tool_choice` to send with tools. @default undefined (the server's default, "auto") */
  readonly toolChoice?: "auto" | "required" | "none";
  /** Extra headers (for example OpenRouter's `HTTP-Referer`). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra body fields merged into every request (for example `{ reasoning_effort: "low" }`). @default {} */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /** The `fetch` to use (inject one in tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * Options of `OpenAICompatibleBackend.fromEnv`.
 *
 * @example Ask a reasoning model for little effort
 * ```ts ignore
 * import { OpenAICompatibleBackend, type OpenAICompatibleEnvOptions } from "jsr:@looplet/looplet/backends";
 * const options: OpenAICompatibleEnvOptions = { extraBody: { reasoning_effort: "low" } };
 * const llm = OpenAICompatibleBackend.fromEnv(Deno.env.toObject(), options);
 * ```
 */
export type OpenAICompatibleEnvOptions = Omit<
  OpenAICompatibleOptions,
  "model" | "baseUrl" | "apiKey"
>;

const OPENAI_BASE_URL = "https://api.openai.com/v1";

const STOP_REASONS: Record<string, string> = {
  stop: "end",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  length: "max_tokens",
  content_filter: "refusal",
};

/**
 * A backend for OpenAI Chat Completions and the many servers that speak it
 * (Ollama, vLLM, llama.cpp, Groq, Together, OpenRouter, DeepSeek, xAI, ...).
 *
 * Native tool calls (parallel calls included) or the JSON-in-text protocol,
 * SSE streaming with tool-call argument reassembly, usage with cached tokens,
 * and `BackendError`s classified for the loop's retries. It never retries by
 * itself.
 *
 * @example Point it at a local Ollama
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { OpenAICompatibleBackend } from "jsr:@looplet/looplet/backends";
 * const llm = new OpenAICompatibleBackend({
 *   baseUrl: "http://localhost:11434/v1",
 *   model: "llama3.2",
 * });
 * const outcome = await composableLoop({ llm, tools: [], task: "Say hi" }).complete();
 * ```
 */
export class OpenAICompatibleBackend implements Backend {
  /** Name in messages and traces. */
  readonly name: string;
  /** Declared capabilities. */
  readonly capabilities: BackendCapabilities;
  /** The model requests go to. */
  readonly model: string;
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #stream: boolean | "auto";
  readonly #timeoutMs: number;
  readonly #maxTokens: number | undefined;
  readonly #maxTokensField: "max_tokens" | "max_completion_tokens";
  readonly #toolChoice: string | undefined;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #extraBody: Readonly<Record<string, unknown>>;
  readonly #fetch: FetchLike;
  readonly #http: HttpContext;

  /**
   * Create a OpenAICompatibleBackend.
   *
   * @param options Model, endpoint, key and behaviour.
   * @throws {TypeError} When `model` or `baseUrl` is missing or malformed.
   * @throws {RangeError} When a number option is out of range.
   */
  constructor(options: OpenAICompatibleOptions) {
    const {
      model,
      baseUrl = OPENAI_BASE_URL,
      apiKey,
      name = "openai-compatible",
      nativeTools = true,
      contextWindow,
      stream = "auto",
      timeoutMs = 600_000,
      maxReplyLength = DEFAULT_MAX_REPLY_LENGTH,
      maxTokens,
      toolChoice,
      headers = {},
      extraBody = {},
      fetch: fetchImpl = globalThis.fetch,
    } = options ?? ({} as OpenAICompatibleOptions);
    if (typeof model !== "string" || model.trim() === "") {
      throw new TypeError(
        `Cannot create OpenAICompatibleBackend: 'model' must be a model name such as "gpt-4o-mini", got ${
          JSON.stringify(model)
        }`,
      );
    }
    this.baseUrl = checkBaseUrl(baseUrl, "OpenAICompatibleBackend");
    checkPositive("timeoutMs", timeoutMs);
    checkPositive("maxReplyLength", maxReplyLength);
    if (maxTokens !== undefined) checkPositive("maxTokens", maxTokens);
    if (contextWindow !== undefined) checkPositive("contextWindow", contextWindow);
    if (typeof fetchImpl !== "function") {
      throw new TypeError("Cannot create OpenAICompatibleBackend: 'fetch' must be a function");
    }
    this.name = name;
    this.model = model;
    this.#apiKey = apiKey === "" ? undefined : apiKey;
    this.#stream = stream;
    this.#timeoutMs = timeoutMs;
    this.#maxTokens = maxTokens;
    this.#maxTokensField = options.maxTokensField ??
      (new URL(this.baseUrl).hostname === "api.openai.com"
        ? "max_completion_tokens"
        : "max_tokens");
    this.#toolChoice = toolChoice;
    this.#headers = headers;
    this.#extraBody = extraBody;
    this.#fetch = fetchImpl;
    this.capabilities = Object.freeze({
      nativeTools,
      streaming: stream !== false,
      ...(contextWindow !== undefined ? { contextWindow } : {}),
    });
    this.#http = {
      backend: name,
      secrets: this.#apiKey ? [this.#apiKey] : [],
      readError: readOpenAIError,
      maxReplyLength,
    };
  }

  /**
   * Build a backend from `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `OPENAI_MODEL`.
   * The environment is passed in explicitly, for example `Deno.env.toObject()`.
   *
   * @param env The variables to read.
   * @param options Other options.
   * @returns The backend.
   * @throws {TypeError} Naming the missing variable: `OPENAI_MODEL` always,
   *   `OPENAI_API_KEY` when the base URL is OpenAI's.
   * @example Read the process environment
   * ```ts ignore
   * import { OpenAICompatibleBackend } from "jsr:@looplet/looplet/backends";
   * const llm = OpenAICompatibleBackend.fromEnv(Deno.env.toObject());
   * ```
   */
  static fromEnv(
    env: Readonly<Record<string, string | undefined>>,
    options: OpenAICompatibleEnvOptions = {},
  ): OpenAICompatibleBackend {
    const baseUrl = env.OPENAI_BASE_URL?.trim() || OPENAI_BASE_URL;
    const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
    const model = env.OPENAI_MODEL?.trim();
    if (!model) {
      throw new TypeError(
        "Cannot configure the OpenAI-compatible backend: OPENAI_MODEL is not set; set it to a " +
          "model name, for example OPENAI_MODEL=gpt-4o-mini (or llama3.2 for Ollama)",
      );
    }
    if (apiKey === undefined && isOpenAIHost(baseUrl)) {
      throw new TypeError(
        `Cannot configure the OpenAI-compatible backend: OPENAI_API_KEY is not set and the base ` +
          `URL is ${baseUrl}; set OPENAI_API_KEY, or set OPENAI_BASE_URL to a local server such as ` +
          `http://localhost:11434/v1`,
      );
    }
    return new OpenAICompatibleBackend({
      ...options,
      model,
      baseUrl,
      ...(apiKey !== undefined ? { apiKey } : {}),
    });
  }

  /**
   * Call the model once.
   *
   * @param request Transcript, system prompt and tools.
   * @param options Cancellation and the delta callback (streams when given).
   * @returns The model's turn.
   * @throws {BackendError} For HTTP, network, timeout and protocol failures.
   */
  generate(request: ModelRequest, options: GenerateOptions = {}): Promise<ModelTurn> {
    const { signal, onDelta } = options;
    const stream = this.#stream === "auto" ? onDelta !== undefined : this.#stream;
    const body = this.requestBody(request, { stream });
    return postJson(this.#http, {
      url: `${this.baseUrl}/chat/completions`,
      headers: this.#requestHeaders(stream),
      body,
      fetch: this.#fetch,
      ...(signal ? { signal } : {}),
      timeoutMs: this.#timeoutMs,
    }, async (response, combined) => {
      const type = response.headers.get("content-type") ?? "";
      // An HTML page (a proxy, a login wall) is reported as such by the JSON reader.
      if (stream && !type.includes("application/json") && !type.includes("text/html")) {
        return await readStream(this.#http, response, combined, onDelta);
      }
      const json = await readJsonBody(this.#http, response);
      const turn = turnFromCompletion(this.#http, json);
      if (onDelta) replayAsDeltas(turn, onDelta);
      return turn;
    });
  }

  /**
   * The JSON body this backend sends for a request (useful to inspect or
   * validate what goes on the wire).
   *
   * @param request The loop's request.
   * @param options Whether the body asks for a stream.
   * @returns The request body.
   */
  requestBody(request: ModelRequest, options: { stream?: boolean } = {}): Record<string, unknown> {
    const native = this.capabilities.nativeTools;
    const body: Record<string, unknown> = {
      model: this.model,
      messages: native
        ? nativeMessages(request.systemPrompt, request.messages)
        : textMessages(request.systemPrompt, request.messages),
    };
    if (native && request.tools.length > 0) {
      body.tools = request.tools.map((tool) => ({
        type: "function",
        function: {
          name: tool.name,
          description: tool.description,
          parameters: tool.inputSchema,
        },
      }));
      if (this.#toolChoice !== undefined) body.tool_choice = this.#toolChoice;
    }
    const maxTokens = request.maxTokens ?? this.#maxTokens;
    if (maxTokens !== undefined) body[this.#maxTokensField] = maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (options.stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    return { ...body, ...this.#extraBody };
  }

  #requestHeaders(stream: boolean): Record<string, string> {
    return {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
      ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
      ...this.#headers,
    };
  }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

function nativeMessages(systemPrompt: string, messages: readonly Message[]): unknown[] {
  const out: unknown[] = [];
  if (systemPrompt !== "") out.push({ role: "system", content: systemPrompt });
  for (const message of messages) {
    switch (message.role) {
      case "assistant": {
        const calls = message.toolCalls ?? [];
        if (calls.length === 0) {
          out.push({ role: "assistant", content: message.content });
          break;
        }
        out.push({
          role: "assistant",
          ...(message.content !== "" ? { content: message.content } : {}),
          tool_calls: calls.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: JSON.stringify(call.args) },
          })),
        });
        break;
      }
      case "tool":
        if (message.toolCallId) {
          out.push({ role: "tool", tool_call_id: message.toolCallId, content: message.content });
        } else {
          out.push({ role: "user", content: message.content });
        }
        break;
      default:
        out.push({ role: message.role, content: message.content });
    }
  }
  return out;
}

function textMessages(systemPrompt: string, messages: readonly Message[]): unknown[] {
  const out: unknown[] = [];
  if (systemPrompt !== "") out.push({ role: "system", content: systemPrompt });
  for (const turn of renderTextTranscript(messages)) out.push(turn);
  return out;
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

function readOpenAIError(body: unknown): ProviderErrorInfo | undefined {
  if (!isRecord(body)) return undefined;
  const error = body.error;
  if (typeof error === "string") return { message: error };
  if (!isRecord(error)) return undefined;
  const code = typeof error.code === "string" ? error.code : undefined;
  const type = typeof error.type === "string" ? error.type : undefined;
  const providerType = code ?? type ??
    (typeof error.code === "number" ? String(error.code) : undefined);
  let message = typeof error.message === "string" ? error.message : undefined;
  const metadata = error.metadata;
  if (isRecord(metadata) && typeof metadata.raw === "string") {
    message = `${message ?? "error"} (${metadata.raw})`;
  }
  // A spent quota is not cured by waiting.
  const retryable = code === "insufficient_quota" || type === "insufficient_quota"
    ? false
    : undefined;
  return {
    ...(providerType !== undefined ? { providerType } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(retryable !== undefined ? { retryable } : {}),
  };
}

function errorInBody(http: HttpContext, body: Record<string, unknown>): BackendError {
  const info = readOpenAIError(body) ?? {};
  const error = body.error as Record<string, unknown>;
  const status = typeof error?.code === "number" ? error.code : undefined;
  const retryable = info.retryable ??
    (status !== undefined ? status === 408 || status === 429 || status >= 500 : true);
  return backendError(
    http,
    redact(
      `Cannot call backend "${http.backend}": the reply is an error` +
        (info.providerType ? ` (${info.providerType})` : "") +
        `: ${info.message ?? JSON.stringify(body.error).slice(0, 300)}`,
      http.secrets,
    ),
    {
      ...(status !== undefined ? { status } : {}),
      retryable,
      ...(info.providerType !== undefined ? { providerType: info.providerType } : {}),
      cause: body,
    },
  );
}

function mapStop(reason: unknown): string | undefined {
  if (typeof reason !== "string" || reason === "") return undefined;
  return STOP_REASONS[reason] ?? reason;
}

function usageOf(raw: unknown): Usage | undefined {
  if (!isRecord(raw)) return undefined;
  const input = typeof raw.prompt_tokens === "number" ? raw.prompt_tokens : 0;
  const output = typeof raw.completion_tokens === "number" ? raw.completion_tokens : 0;
  const details = raw.prompt_tokens_details;
  const cached = isRecord(details) && typeof details.cached_tokens === "number"
    ? details.cached_tokens
    : undefined;
  return {
    inputTokens: input,
    outputTokens: output,
    ...(cached !== undefined && cached > 0 ? { cacheReadTokens: cached } : {}),
  };
}

function reasoningOf(record: Record<string, unknown>): string | undefined {
  const value = record.reasoning_content ?? record.reasoning;
  return typeof value === "string" && value !== "" ? value : undefined;
}

function turnFromCompletion(http: HttpContext, json: unknown): ModelTurn {
  if (!isRecord(json)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": expected a JSON object`,
      { status: 200, retryable: true, providerType: "invalid_response", cause: json },
    );
  }
  if (json.error !== undefined && json.error !== null) throw errorInBody(http, json);
  const choices = Array.isArray(json.choices) ? json.choices : [];
  const choice = choices.find((c) => isRecord(c) && (c.index === 0 || c.index === undefined)) ??
    choices[0];
  if (!isRecord(choice) || !isRecord(choice.message)) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": the response has no choices`,
      { status: 200, retryable: false, providerType: "empty_choices", cause: json },
    );
  }
  const message = choice.message;
  const refusal = typeof message.refusal === "string" && message.refusal !== ""
    ? message.refusal
    : undefined;
  const text = typeof message.content === "string" ? message.content : refusal ?? "";
  const rawCalls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  const toolCalls: ToolCallRequest[] = [];
  rawCalls.forEach((raw, index) => {
    if (!isRecord(raw) || !isRecord(raw.function)) return;
    const fn = raw.function;
    const args = typeof fn.arguments === "string"
      ? fn.arguments
      : isRecord(fn.arguments)
      ? JSON.stringify(fn.arguments)
      : "";
    toolCalls.push(
      toolCallFromText(
        typeof raw.id === "string" && raw.id !== "" ? raw.id : `call_${index + 1}`,
        typeof fn.name === "string" ? fn.name : "",
        args,
      ),
    );
  });
  const usage = usageOf(json.usage);
  const stopReason = refusal !== undefined ? "refusal" : mapStop(choice.finish_reason);
  const reasoning = reasoningOf(message);
  return {
    text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(typeof json.model === "string" ? { model: json.model } : {}),
  };
}

interface PartialCall {
  id: string;
  name: string;
  args: string;
}

/** Reassemble a streamed completion, delivering deltas as they are parsed. */
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
  let text = "";
  let refusal = "";
  let reasoning = "";
  let finish: string | undefined;
  let usage: Usage | undefined;
  let model: string | undefined;
  let sawDone = false;
  let sawChoice = false;
  const calls: PartialCall[] = [];
  const byIndex = new Map<number, PartialCall>();

  const toolDelta = (raw: Record<string, unknown>) => {
    const fn = isRecord(raw.function) ? raw.function : {};
    const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : undefined;
    const name = typeof fn.name === "string" && fn.name !== "" ? fn.name : undefined;
    const argsText = typeof fn.arguments === "string"
      ? fn.arguments
      : isRecord(fn.arguments)
      ? JSON.stringify(fn.arguments)
      : "";
    let call: PartialCall | undefined;
    if (typeof raw.index === "number") {
      call = byIndex.get(raw.index);
      if (call === undefined) {
        call = { id: id ?? "", name: name ?? "", args: "" };
        byIndex.set(raw.index, call);
        calls.push(call);
      }
    } else {
      // No index (Mistral): a new id starts a new call, otherwise continue the last.
      const last = calls.at(-1);
      if (last === undefined || (id !== undefined && last.id !== "" && last.id !== id)) {
        call = { id: id ?? "", name: name ?? "", args: "" };
        calls.push(call);
      } else {
        call = last;
      }
    }
    if (call.id === "" && id !== undefined) call.id = id;
    if (call.name === "" && name !== undefined) call.name = name;
    call.args += argsText;
    onDelta?.({
      type: "tool_call",
      index: calls.indexOf(call),
      ...(id !== undefined ? { id } : {}),
      ...(name !== undefined ? { name } : {}),
      argsText,
    });
  };

  await readStreamEvents(http, response.body, signal, ({ data, unterminated }) => {
    if (sawDone) return;
    const trimmed = data.trim();
    if (trimmed === "[DONE]") {
      sawDone = true;
      return;
    }
    if (trimmed === "") return;
    let chunk: unknown;
    try {
      chunk = JSON.parse(trimmed);
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
    if (!isRecord(chunk)) return;
    if (chunk.error !== undefined && chunk.error !== null) throw errorInBody(http, chunk);
    if (typeof chunk.model === "string") model = chunk.model;
    const chunkUsage = usageOf(chunk.usage);
    if (chunkUsage) usage = chunkUsage;
    if (!Array.isArray(chunk.choices)) return;
    for (const choice of chunk.choices) {
      if (!isRecord(choice) || (typeof choice.index === "number" && choice.index !== 0)) continue;
      sawChoice = true;
      const delta = isRecord(choice.delta) ? choice.delta : {};
      const thought = reasoningOf(delta);
      if (thought) {
        reasoning += thought;
        onDelta?.({ type: "reasoning", text: thought });
      }
      if (typeof delta.content === "string" && delta.content !== "") {
        text += delta.content;
        onDelta?.({ type: "text", text: delta.content });
      }
      if (typeof delta.refusal === "string" && delta.refusal !== "") refusal += delta.refusal;
      if (Array.isArray(delta.tool_calls)) {
        for (const raw of delta.tool_calls) if (isRecord(raw)) toolDelta(raw);
      }
      const reason = mapStop(choice.finish_reason);
      if (reason) finish = reason;
    }
  });

  if (!sawDone && finish === undefined) {
    throw backendError(
      http,
      `Cannot read the stream of backend "${http.backend}": the stream ended before the ` +
        `response was complete (no finish_reason and no [DONE])`,
      { status: 200, retryable: true, providerType: "incomplete_stream" },
    );
  }
  if (!sawChoice) {
    throw backendError(
      http,
      `Cannot read the reply of backend "${http.backend}": the stream had no choices`,
      { status: 200, retryable: false, providerType: "empty_choices" },
    );
  }
  const toolCalls = calls.map((call, index) =>
    toolCallFromText(call.id || `call_${index + 1}`, call.name, call.args)
  );
  const stopReason = refusal !== "" ? "refusal" : finish;
  return {
    text: text === "" && refusal !== "" ? refusal : text,
    ...(toolCalls.length > 0 ? { toolCalls } : {}),
    ...(usage ? { usage } : {}),
    ...(stopReason ? { stopReason } : {}),
    ...(reasoning !== "" ? { reasoning } : {}),
    ...(model === undefined ? {} : { model }),
  };
}

// ---------------------------------------------------------------------------
// Option checks
// ---------------------------------------------------------------------------

function isOpenAIHost(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === "api.openai.com";
  } catch {
    return false;
  }
}
