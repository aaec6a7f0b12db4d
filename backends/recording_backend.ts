import { writeFile } from "node:fs/promises";
import type {
  Backend,
  BackendCapabilities,
  GenerateOptions,
  ModelRequest,
  ModelTurn,
} from "../loop/types.ts";
import { capabilitiesToJson, errorToJson, requestToJson, turnToJson } from "./_recording_format.ts";
import type { RecordedCall, Recording } from "./recording.ts";

/**
 * Options of `RecordingBackend`.
 *
 * @example Keep an API key out of the recording
 * ```ts ignore
 * import { RecordingBackend } from "jsr:@looplet/looplet/backends";
 * const llm = new RecordingBackend(inner, {
 *   redact: (text) => text.replaceAll(apiKey, "[REDACTED]"),
 * });
 * ```
 */
export interface RecordingBackendOptions {
  /** Applied to every stored text (prompts, messages, replies, errors). @default identity */
  readonly redact?: (text: string) => string;
  /** Clock for `started_at` and `duration_ms`. @default performance.now / Date.now */
  readonly now?: () => number;
}

/**
 * Wrap a backend and record every request with its turn or error. Save the
 * recording as JSON and play it back with `ReplayBackend`, so any real run
 * becomes a deterministic test.
 *
 * Redaction applies to what is stored; the wrapped backend receives the
 * request unchanged.
 *
 * @example Record a run, then save it
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { OpenAICompatibleBackend, RecordingBackend } from "jsr:@looplet/looplet/backends";
 * const llm = new RecordingBackend(OpenAICompatibleBackend.fromEnv(Deno.env.toObject()));
 * await composableLoop({ llm, tools: [], task: "Say hi" }).complete();
 * await llm.save("run.recording.json");
 * ```
 */
export class RecordingBackend implements Backend {
  /** The wrapped backend's name. */
  readonly name: string;
  /** The wrapped backend's capabilities. */
  readonly capabilities: BackendCapabilities;
  /** Calls recorded so far, in stored form. */
  readonly calls: RecordedCall[] = [];
  readonly #inner: Backend;
  readonly #redact: (text: string) => string;
  readonly #now: () => number;

  /**
   * Create a RecordingBackend.
   *
   * @param inner The backend to record.
   * @param options Redaction and clock.
   * @throws {TypeError} When `inner` is not a backend.
   */
  constructor(inner: Backend, options: RecordingBackendOptions = {}) {
    if (typeof inner?.generate !== "function" || typeof inner.capabilities !== "object") {
      throw new TypeError("Cannot create RecordingBackend: 'inner' must be a Backend");
    }
    this.#inner = inner;
    this.name = inner.name;
    this.capabilities = inner.capabilities;
    this.#redact = options.redact ?? ((text) => text);
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Call the wrapped backend and record the exchange.
   *
   * @param request The request.
   * @param options Passed through.
   * @returns The wrapped backend's turn, unchanged.
   * @throws Whatever the wrapped backend throws (recorded first).
   */
  async generate(request: ModelRequest, options?: GenerateOptions): Promise<ModelTurn> {
    const index = this.calls.length;
    const startedAt = new Date().toISOString();
    const started = this.#now();
    const storedRequest = requestToJson(request, this.#redact);
    const record = (turn: RecordedCall["turn"], error: RecordedCall["error"]) =>
      this.calls.push({
        index,
        started_at: startedAt,
        duration_ms: Math.round((this.#now() - started) * 100) / 100,
        request: storedRequest,
        turn,
        error,
      });
    try {
      const turn = await this.#inner.generate(request, options);
      record(turnToJson(turn, this.#redact), null);
      return turn;
    } catch (error) {
      record(null, errorToJson(error, this.#redact));
      throw error;
    }
  }

  /**
   * The recording as plain JSON (the on-disk format, version 1).
   *
   * @returns The recording.
   */
  toJSON(): Recording {
    return {
      format: "looplet.recording",
      version: 1,
      backend: this.name,
      capabilities: capabilitiesToJson(this.capabilities),
      calls: [...this.calls],
    };
  }

  /**
   * Write the recording to a JSON file.
   *
   * @param path File to write.
   * @returns When written.
   */
  async save(path: string | URL): Promise<void> {
    await writeFile(path, JSON.stringify(this.toJSON(), null, 2) + "\n");
  }
}
