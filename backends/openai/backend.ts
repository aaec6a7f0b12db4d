/**
 * A backend for any OpenAI-compatible `/v1/chat/completions` endpoint.
 *
 * @module
 */

import type {
  Backend,
  BackendCapabilities,
  GenerateOptions,
  ModelRequest,
  ModelTurn,
} from "../../loop/types.ts";
import type { FetchLike } from "../_http.ts";
import { DEFAULT_MAX_REPLY_LENGTH, type HttpContext } from "../_http_context.ts";
import { checkSharedOptions } from "../_http_options.ts";
import { postTurn } from "../_post_turn.ts";
import { readOpenAIError } from "./_errors.ts";
import { buildRequestBody, type RequestSettings } from "./_messages.ts";
import { turnFromCompletion } from "./_reply.ts";
import { readStream } from "./_stream.ts";

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
  readonly #headers: Readonly<Record<string, string>>;
  readonly #fetch: FetchLike;
  readonly #http: HttpContext;
  readonly #request: RequestSettings;

  /**
   * Create an OpenAICompatibleBackend.
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
    this.baseUrl = checkSharedOptions("OpenAICompatibleBackend", "gpt-4o-mini", {
      model,
      baseUrl,
      timeoutMs,
      maxReplyLength,
      maxTokens,
      contextWindow,
      fetch: fetchImpl,
    });
    this.name = name;
    this.model = model;
    this.capabilities = Object.freeze({
      nativeTools,
      streaming: stream !== false,
      ...(contextWindow !== undefined ? { contextWindow } : {}),
    });
    this.#apiKey = apiKey === "" ? undefined : apiKey;
    this.#stream = stream;
    this.#timeoutMs = timeoutMs;
    this.#headers = headers;
    this.#fetch = fetchImpl;
    this.#http = {
      backend: name,
      secrets: this.#apiKey ? [this.#apiKey] : [],
      readError: readOpenAIError,
      maxReplyLength,
    };
    const maxTokensField = options.maxTokensField ??
      (isOpenAIHost(this.baseUrl) ? "max_completion_tokens" : "max_tokens");
    this.#request = { model, nativeTools, maxTokens, maxTokensField, toolChoice, extraBody };
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
    return postTurn(this.#http, {
      url: `${this.baseUrl}/chat/completions`,
      headers: this.#requestHeaders(stream),
      body: this.requestBody(request, { stream }),
      fetch: this.#fetch,
      ...(signal ? { signal } : {}),
      timeoutMs: this.#timeoutMs,
    }, { stream, onDelta, readReply: turnFromCompletion, readStream });
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
    return buildRequestBody(this.#request, request, options.stream === true);
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

function isOpenAIHost(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === "api.openai.com";
  } catch {
    return false;
  }
}
