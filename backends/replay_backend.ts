import { readFile } from "node:fs/promises";
import type {
  Backend,
  BackendCapabilities,
  GenerateOptions,
  ModelRequest,
  ModelTurn,
} from "../loop/types.ts";
import { BackendError } from "./backend_error.ts";
import { capabilitiesFromJson, errorFromJson, turnFromJson } from "./_recording_format.ts";
import type { RecordedCall, Recording } from "./recording.ts";

/**
 * Options of `ReplayBackend`.
 *
 * @example Replay after editing the prompt
 * ```ts ignore
 * import { ReplayBackend } from "jsr:@looplet/looplet/backends";
 * // Skip the divergence check: the request shapes may have changed since recording.
 * const llm = await ReplayBackend.load("run.recording.json", { strict: false });
 * ```
 */
export interface ReplayBackendOptions {
  /**
   * Check that each request matches the recorded one (same number of
   * messages, same roles, same tool names) and fail with a clear error when
   * the run has diverged. @default true
   */
  readonly strict?: boolean;
}

/**
 * Play a recording made by `RecordingBackend` back: each call returns the
 * recorded turn (or throws the recorded error) in order. Turns are also
 * streamed to `onDelta` when the caller asks for deltas.
 *
 * @example Replay a saved run in a test
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { ReplayBackend } from "jsr:@looplet/looplet/backends";
 * const llm = await ReplayBackend.load("run.recording.json");
 * const outcome = await composableLoop({ llm, tools: [], task: "Say hi" }).complete();
 * ```
 */
export class ReplayBackend implements Backend {
  /** The recorded backend's name, prefixed with `replay:`. */
  readonly name: string;
  /** The recorded backend's capabilities. */
  readonly capabilities: BackendCapabilities;
  readonly #calls: readonly RecordedCall[];
  readonly #strict: boolean;
  #next = 0;

  /**
   * Create a ReplayBackend.
   *
   * @param recording A recording (from `RecordingBackend.toJSON()` or a saved file).
   * @param options Strictness.
   * @throws {TypeError} When the value is not a version 1 recording.
   */
  constructor(recording: Recording, options: ReplayBackendOptions = {}) {
    if (
      typeof recording !== "object" || recording === null ||
      recording.format !== "looplet.recording" || !Array.isArray(recording.calls)
    ) {
      throw new TypeError(
        'Cannot create ReplayBackend: expected a recording with format "looplet.recording" ' +
          "and a 'calls' array (from RecordingBackend.toJSON())",
      );
    }
    if (recording.version !== 1) {
      throw new TypeError(
        `Cannot create ReplayBackend: recording version ${recording.version} is not supported (expected 1)`,
      );
    }
    this.name = `replay:${recording.backend}`;
    this.capabilities = Object.freeze(capabilitiesFromJson(recording.capabilities ?? {}));
    this.#calls = recording.calls;
    this.#strict = options.strict ?? true;
  }

  /**
   * Read a recording from a JSON file.
   *
   * @param path The file.
   * @param options Strictness.
   * @returns The replay backend.
   * @throws {TypeError} When the file is not a recording (the message names the file).
   */
  static async load(path: string | URL, options?: ReplayBackendOptions): Promise<ReplayBackend> {
    const text = await readFile(path, "utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new TypeError(`Cannot load recording "${String(path)}": the file is not JSON`, {
        cause: error,
      });
    }
    try {
      return new ReplayBackend(json as Recording, options);
    } catch (error) {
      throw new TypeError(`Cannot load recording "${String(path)}": ${(error as Error).message}`);
    }
  }

  /** Calls not yet replayed. */
  get remaining(): number {
    return this.#calls.length - this.#next;
  }

  /**
   * Return the next recorded turn.
   *
   * @param request The request (checked against the recording when strict).
   * @param options Cancellation and deltas.
   * @returns The recorded turn.
   * @throws {BackendError} The recorded error, or when the recording is exhausted or the run diverged.
   */
  generate(request: ModelRequest, options: GenerateOptions = {}): Promise<ModelTurn> {
    options.signal?.throwIfAborted();
    const index = this.#next;
    const call = this.#calls[index];
    if (call === undefined) {
      return Promise.reject(
        new BackendError(
          `Cannot replay call ${index + 1}: the recording has only ${this.#calls.length} calls; ` +
            `the run made more model calls than the recorded one`,
          { retryable: false, providerType: "replay_exhausted" },
        ),
      );
    }
    this.#next++;
    if (this.#strict) {
      const mismatch = divergence(request, call);
      if (mismatch) {
        return Promise.reject(
          new BackendError(
            `Cannot replay call ${index + 1}: the run diverged from the recording (${mismatch}); ` +
              `record again, or pass { strict: false }`,
            { retryable: false, providerType: "replay_mismatch" },
          ),
        );
      }
    }
    if (call.error) return Promise.reject(errorFromJson(call.error));
    const turn = turnFromJson(call.turn ?? {});
    const onDelta = options.onDelta;
    if (onDelta) {
      if (turn.reasoning) onDelta({ type: "reasoning", text: turn.reasoning });
      if (turn.text !== "") onDelta({ type: "text", text: turn.text });
      turn.toolCalls?.forEach((c, i) =>
        onDelta({
          type: "tool_call",
          index: i,
          id: c.id,
          name: c.name,
          argsText: JSON.stringify(c.args),
        })
      );
    }
    return Promise.resolve(turn);
  }
}

function divergence(request: ModelRequest, call: RecordedCall): string | undefined {
  const recorded = Array.isArray(call.request?.messages)
    ? call.request.messages as { role?: string }[]
    : [];
  if (recorded.length !== request.messages.length) {
    return `${request.messages.length} messages, recorded ${recorded.length}`;
  }
  for (const [i, message] of request.messages.entries()) {
    const recordedRole = recorded[i]?.role;
    if (recordedRole !== message.role) {
      return `message ${i + 1} is from "${message.role}", recorded "${recordedRole}"`;
    }
  }
  const tools = request.tools.map((t) => t.name).join(",");
  const recordedTools = Array.isArray(call.request?.tools)
    ? (call.request.tools as { name?: string }[]).map((t) => t.name).join(",")
    : "";
  if (tools !== recordedTools) return `tools [${tools}], recorded [${recordedTools}]`;
  return undefined;
}
