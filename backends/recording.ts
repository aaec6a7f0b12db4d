/**
 * The stored form of a recording (the on-disk format, version 1): what
 * `RecordingBackend` writes and `ReplayBackend` reads.
 *
 * @module
 */

/**
 * A JSON object.
 *
 * @example Read a recorded request's fields
 * ```ts ignore
 * import type { JsonObject } from "jsr:@looplet/looplet/backends";
 * const request: JsonObject = llm.calls[0].request;
 * console.log(request.system_prompt, request.purpose);
 * ```
 */
export type JsonObject = Record<string, unknown>;

/**
 * A recorded error (stored form).
 *
 * @example List the calls that failed
 * ```ts ignore
 * for (const call of llm.calls) {
 *   if (call.error) console.log(call.index, call.error.name, call.error.status, call.error.retryable);
 * }
 * ```
 */
export interface RecordedError {
  /** Error class name, for example `"BackendError"`. */
  readonly name: string;
  /** The message (redacted). */
  readonly message: string;
  /** HTTP status, when there was one. */
  readonly status?: number;
  /** Whether the error was retryable. */
  readonly retryable: boolean;
  /** The provider's error type. */
  readonly provider_type?: string;
  /** The wait the provider asked for, in milliseconds. */
  readonly retry_after_ms?: number;
}

/**
 * One recorded call (stored form, snake_case).
 *
 * @example Print how long each call took
 * ```ts ignore
 * import { RecordingBackend } from "jsr:@looplet/looplet/backends";
 * const llm = new RecordingBackend(inner);
 * // ... run the loop with `llm` ...
 * for (const call of llm.calls) console.log(call.index, call.started_at, `${call.duration_ms} ms`);
 * ```
 */
export interface RecordedCall {
  /** 0-based call number. */
  readonly index: number;
  /** ISO time the call started. */
  readonly started_at: string;
  /** Duration in milliseconds. */
  readonly duration_ms: number;
  /** The request: `system_prompt`, `messages`, `tools`, `max_tokens`, `temperature`, `purpose`. */
  readonly request: JsonObject;
  /** The turn: `text`, `tool_calls`, `usage`, `stop_reason`, `reasoning`, `provider_data`; null on error. */
  readonly turn: JsonObject | null;
  /** The error, when the call failed. */
  readonly error: RecordedError | null;
}

/**
 * A whole recording: the on-disk format, version 1.
 *
 * @example Replay a recording held in memory
 * ```ts ignore
 * import { ReplayBackend, type Recording } from "jsr:@looplet/looplet/backends";
 * const recording: Recording = recorder.toJSON();
 * console.log(`${recording.calls.length} calls to ${recording.backend}`);
 * const llm = new ReplayBackend(recording);
 * ```
 */
export interface Recording {
  /** Always `"looplet.recording"`. */
  readonly format: "looplet.recording";
  /** Format version. */
  readonly version: 1;
  /** Name of the recorded backend. */
  readonly backend: string;
  /** Its capabilities: `native_tools`, `context_window`, `streaming`. */
  readonly capabilities: JsonObject;
  /** The calls, in order. */
  readonly calls: RecordedCall[];
}
