/**
 * A backend for the Anthropic Messages API.
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
import { checkPositive, checkSharedOptions } from "../_http_options.ts";
import { postTurn } from "../_post_turn.ts";
import { readAnthropicError } from "./_errors.ts";
import { buildRequestBody, type CacheControl, type RequestSettings } from "./_messages.ts";
import { turnFromMessage } from "./_reply.ts";
import { readStream } from "./_stream.ts";

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
  readonly #version: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #fetch: FetchLike;
  readonly #http: HttpContext;
  readonly #request: RequestSettings;

  /**
   * Create an AnthropicBackend.
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
    this.baseUrl = checkSharedOptions("AnthropicBackend", DEFAULT_ANTHROPIC_MODEL, {
      model,
      baseUrl,
      timeoutMs,
      maxReplyLength,
      maxTokens,
      contextWindow,
      fetch: fetchImpl,
    }).replace(/\/v1$/, "");
    checkAnthropicOptions(apiKey, thinkingBudget, maxTokens);
    this.name = name;
    this.model = model;
    this.capabilities = Object.freeze({ nativeTools, contextWindow, streaming: stream !== false });
    this.#apiKey = apiKey;
    this.#stream = stream;
    this.#timeoutMs = timeoutMs;
    this.#version = version;
    this.#headers = headers;
    this.#fetch = fetchImpl;
    this.#http = {
      backend: name,
      secrets: [apiKey],
      readError: readAnthropicError,
      maxReplyLength,
    };
    const control = cache === false ? false : cacheControl(cache);
    this.#request = { model, nativeTools, maxTokens, cache: control, thinkingBudget, extraBody };
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
    return postTurn(this.#http, {
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
    }, { stream, onDelta, readReply: turnFromMessage, readStream });
  }

  /**
   * The JSON body this backend sends for a request.
   *
   * @param request The loop's request.
   * @param options Whether the body asks for a stream.
   * @returns The request body.
   */
  requestBody(request: ModelRequest, options: { stream?: boolean } = {}): Record<string, unknown> {
    return buildRequestBody(this.#request, request, options.stream === true);
  }
}

function checkAnthropicOptions(
  apiKey: unknown,
  thinkingBudget: number | undefined,
  maxTokens: number,
): asserts apiKey is string {
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new TypeError(
      "Cannot create AnthropicBackend: 'apiKey' is missing; pass it, or use " +
        "AnthropicBackend.fromEnv(Deno.env.toObject()) with ANTHROPIC_API_KEY set",
    );
  }
  if (thinkingBudget === undefined) return;
  checkPositive("thinkingBudget", thinkingBudget);
  if (thinkingBudget >= maxTokens) {
    throw new RangeError(
      `Cannot create AnthropicBackend: 'thinkingBudget' (${thinkingBudget}) must be below ` +
        `'maxTokens' (${maxTokens}); raise maxTokens`,
    );
  }
}

function cacheControl(cache: true | "1h"): CacheControl {
  return cache === "1h" ? { type: "ephemeral", ttl: "1h" } : { type: "ephemeral" };
}
