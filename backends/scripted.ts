import type {
  Backend,
  BackendCapabilities,
  GenerateOptions,
  ModelRequest,
  ModelTurn,
  Usage,
} from "../loop/types.ts";
import { abortableDelay } from "../loop/abortable_delay.ts";
import { BackendError } from "./backend_error.ts";

/**
 * A native tool call in a script: `id` defaults to `call_<n>`.
 *
 * @example Script a reply with two parallel calls
 * ```ts
 * import { ScriptedBackend } from "jsr:@looplet/looplet";
 * const llm = new ScriptedBackend([{
 *   toolCalls: [
 *     { name: "read_file", args: { path: "a.txt" } },
 *     { name: "read_file", args: { path: "b.txt" }, id: "call_b", reasoning: "Compare both" },
 *   ],
 * }]);
 * ```
 */
export interface ScriptedToolCall {
  /** Tool name. */
  readonly name: string;
  /** Arguments. @default {} */
  readonly args?: Record<string, unknown>;
  /** Call id. */
  readonly id?: string;
  /** Reasoning to attach. */
  readonly reasoning?: string;
}

/**
 * One scripted reply: full form.
 *
 * @example Script a reply that reports usage
 * ```ts
 * import { ScriptedBackend } from "jsr:@looplet/looplet";
 * const llm = new ScriptedBackend([{
 *   text: "Let me greet Alice.",
 *   toolCalls: [{ name: "greet", args: { name: "Alice" } }],
 *   usage: { inputTokens: 120, outputTokens: 15 },
 *   stopReason: "tool_calls",
 * }]);
 * ```
 */
export interface ScriptedTurn {
  /** Text of the reply (may hold JSON tool calls). @default "" */
  readonly text?: string;
  /** Native tool calls. */
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Usage to report. @default zero */
  readonly usage?: Usage;
  /** Stop reason to report. */
  readonly stopReason?: string;
}

/**
 * One entry of a script: a text reply, a full turn, an error to throw, or a
 * function of the request that returns one of those.
 *
 * @example Mix the four kinds of entry
 * ```ts
 * import { BackendError, ScriptedBackend, type ScriptedResponse } from "jsr:@looplet/looplet";
 * const script: ScriptedResponse[] = [
 *   new BackendError("overloaded", { status: 529, retryable: true }),
 *   ScriptedBackend.call("greet", { name: "Alice" }),
 *   (request) => `I saw ${request.messages.length} messages`,
 *   '{"tool": "done", "args": {"answer": "Greeted Alice"}}',
 * ];
 * ```
 */
export type ScriptedResponse =
  | string
  | ScriptedTurn
  | Error
  | ((request: ModelRequest, index: number) => ScriptedResponse | Promise<ScriptedResponse>);

/**
 * Options of `ScriptedBackend`.
 *
 * @example Test the JSON-in-text protocol with a slow model
 * ```ts
 * import { ScriptedBackend } from "jsr:@looplet/looplet";
 * const llm = new ScriptedBackend(['{"tool": "done", "args": {"answer": "ok"}}'], {
 *   name: "slow-text-model",
 *   nativeTools: false,
 *   contextWindow: 8192,
 *   delayMs: 50,
 * });
 * ```
 */
export interface ScriptedBackendOptions {
  /** Name in messages and traces. @default "scripted" */
  readonly name?: string;
  /** Declare native tool calling (otherwise the loop sends the JSON-in-text protocol). @default true */
  readonly nativeTools?: boolean;
  /** Declared context window. */
  readonly contextWindow?: number;
  /** Keep a copy of every request in `requests` (tests read them; a long run would pile them up). @default false */
  readonly recordRequests?: boolean;
  /** Keep copies of only the last `n` requests in `requests` (bounded memory). @default undefined (see `recordRequests`) */
  readonly lastRequests?: number;
  /** Wait this long before each reply (abortable). @default 0 */
  readonly delayMs?: number;
}

/**
 * A backend that replays a fixed script of replies, in order. It fails with a
 * clear `BackendError` when the script runs out (it never cycles). Asked to
 * (`recordRequests: true`, or `lastRequests: n`), it keeps copies of the
 * requests it received so tests can assert on prompts.
 *
 * @example Greet, then finish, and read the prompts
 * ```ts
 * import { composableLoop, ScriptedBackend } from "jsr:@looplet/looplet";
 * const llm = new ScriptedBackend([
 *   ScriptedBackend.call("done", { answer: "Greeted Alice" }),
 * ], { recordRequests: true });
 * await composableLoop({ llm, task: "Greet Alice" }).complete();
 * console.log(llm.requests[0]?.messages[0]?.content); // "Greet Alice"
 * ```
 */
export class ScriptedBackend implements Backend {
  /** Name in messages and traces. */
  readonly name: string;
  /** Declared capabilities. */
  readonly capabilities: BackendCapabilities;
  readonly #script: ScriptedResponse[];
  readonly #requests: ModelRequest[] = [];
  /** How many requests to keep: 0 (none), a bound, or Infinity. */
  readonly #keep: number;
  readonly #delayMs: number;
  #calls = 0;

  /**
   * Make a backend that serves `script` in order.
   *
   * @param script The replies, in order.
   * @param options Name, capabilities, recording and delay.
   * @throws {TypeError} When an entry of the script is not a reply.
   * @throws {RangeError} When `lastRequests` is not a positive integer.
   */
  constructor(script: Iterable<ScriptedResponse>, options: ScriptedBackendOptions = {}) {
    const {
      name = "scripted",
      nativeTools = true,
      contextWindow,
      recordRequests = false,
      lastRequests,
      delayMs = 0,
    } = options;
    if (lastRequests !== undefined && !(Number.isInteger(lastRequests) && lastRequests > 0)) {
      throw new RangeError(
        `ScriptedBackend: 'lastRequests' must be a positive integer, got ${lastRequests}`,
      );
    }
    this.#script = [...script];
    this.#script.forEach((entry, index) => assertScriptEntry(entry, index));
    this.name = name;
    this.capabilities = Object.freeze({
      nativeTools,
      streaming: true,
      ...(contextWindow !== undefined ? { contextWindow } : {}),
    });
    this.#keep = lastRequests ?? (recordRequests ? Infinity : 0);
    this.#delayMs = delayMs;
  }

  /**
   * A reply with one native tool call.
   *
   * @param name Tool name.
   * @param args Arguments.
   * @param reasoning Optional reasoning.
   * @returns A scripted turn.
   */
  static call(name: string, args: Record<string, unknown> = {}, reasoning?: string): ScriptedTurn {
    return { toolCalls: [{ name, args, ...(reasoning !== undefined ? { reasoning } : {}) }] };
  }

  /**
   * Copies of the requests received, in order: every one with
   * `recordRequests: true`, the last `n` with `lastRequests: n`.
   *
   * @throws {TypeError} When the backend was made without either option (it keeps none).
   */
  get requests(): readonly ModelRequest[] {
    if (this.#keep === 0) {
      throw new TypeError(
        `Cannot read requests of scripted backend "${this.name}": it keeps none; ` +
          "pass { recordRequests: true } or { lastRequests: n }",
      );
    }
    return this.#requests;
  }

  /** Replies served so far. */
  get calls(): number {
    return this.#calls;
  }

  /** Replies left in the script. */
  get remaining(): number {
    return this.#script.length - this.#calls;
  }

  /**
   * Serve the next reply.
   *
   * @param request The loop's request.
   * @param options Signal and delta callback.
   * @returns The next scripted turn.
   * @throws {BackendError} When the script has run out, or an error entry is reached.
   */
  async generate(request: ModelRequest, options: GenerateOptions = {}): Promise<ModelTurn> {
    options.signal?.throwIfAborted();
    if (this.#keep > 0) {
      this.#requests.push({ ...request, messages: [...request.messages] });
      if (this.#requests.length > this.#keep) this.#requests.shift();
    }
    const index = this.#calls;
    let entry = this.#script[index];
    if (entry === undefined) {
      throw new BackendError(
        `Scripted backend "${this.name}" ran out of responses after ${this.#script.length} ` +
          `replies; add responses to the script or lower maxSteps`,
        { retryable: false },
      );
    }
    this.#calls++;
    if (this.#delayMs > 0) await abortableDelay(this.#delayMs, options.signal);
    while (typeof entry === "function") entry = await entry(request, index);
    if (entry instanceof Error) throw entry;
    const turn = toModelTurn(entry, index);
    if (options.onDelta) {
      if (turn.text !== "") options.onDelta({ type: "text", text: turn.text });
      turn.toolCalls?.forEach((call, i) =>
        options.onDelta?.({
          type: "tool_call",
          index: i,
          id: call.id,
          name: call.name,
          argsText: JSON.stringify(call.args),
        })
      );
    }
    return turn;
  }
}

function assertScriptEntry(entry: unknown, index: number): void {
  const ok = typeof entry === "string" || typeof entry === "function" || entry instanceof Error ||
    (typeof entry === "object" && entry !== null && !Array.isArray(entry));
  if (!ok) {
    throw new TypeError(
      `ScriptedBackend: script entry ${index} must be a string, a { text, toolCalls } object, ` +
        `an Error or a function, got ${entry === null ? "null" : typeof entry}`,
    );
  }
}

const ZERO_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0 });

function toModelTurn(entry: string | ScriptedTurn, index: number): ModelTurn {
  if (typeof entry === "string") return { text: entry, usage: ZERO_USAGE };
  return {
    text: entry.text ?? "",
    ...(entry.toolCalls
      ? {
        toolCalls: entry.toolCalls.map((call, i) => ({
          id: call.id ?? `call_${index + 1}_${i + 1}`,
          name: call.name,
          args: call.args ?? {},
          ...(call.reasoning !== undefined ? { reasoning: call.reasoning } : {}),
        })),
      }
      : {}),
    usage: entry.usage ?? ZERO_USAGE,
    ...(entry.stopReason !== undefined ? { stopReason: entry.stopReason } : {}),
  };
}
