/**
 * A small, fast Server-Sent Events reader (WHATWG "event stream" parsing),
 * used by the model backends and by MCP's streamable HTTP transport.
 *
 * Each event is handed over as soon as its terminating blank line has been
 * read, so the first delta never waits for the whole body. Work is linear in
 * the input however the lines are cut into chunks, and one event may hold at
 * most `maxEventLength` characters.
 *
 * @module
 */

/** One parsed SSE event. */
export interface SseEvent {
  /** The `event:` field, or `"message"` when absent. */
  readonly event: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
  /** True when the stream ended without the blank line that closes this event. */
  readonly unterminated?: boolean;
}

/** Options of `SseParser`, `readSse` and `sseEvents`. */
export interface SseOptions {
  /**
   * Most characters one event (its lines together) may hold; a longer one
   * throws `SseLimitError`.
   * @default 67108864 (64 Mi)
   */
  readonly maxEventLength?: number;
}

/** The default of `SseOptions.maxEventLength`. */
export const DEFAULT_MAX_EVENT_LENGTH = 64 * 1024 * 1024;

/** An event (or a line) is longer than `maxEventLength`. */
export class SseLimitError extends RangeError {
  /** The limit that was reached. */
  readonly limit: number;

  /** @param limit The limit that was reached. */
  constructor(limit: number) {
    super(`an event is longer than ${limit} characters (maxEventLength)`);
    this.name = "SseLimitError";
    this.limit = limit;
  }
}

const LF = 10;
const CR = 13;

/**
 * Incremental SSE parser: feed it text, it calls `onEvent` per event.
 * Lines that are not SSE fields are ignored, as the SSE spec says.
 */
export class SseParser {
  /** Pieces of a line whose end has not arrived yet. */
  #partial: string[] = [];
  #partialLength = 0;
  /** The last chunk ended with CR: a LF at the start of the next one belongs to it. */
  #afterCr = false;
  /** The first data line of the event being read (most events have one). */
  #data: string | undefined = undefined;
  /** Further data lines, rare. */
  #more: string[] | undefined = undefined;
  #dataLength = 0;
  #event = "";
  readonly #onEvent: (event: SseEvent) => void;
  readonly #limit: number;

  constructor(onEvent: (event: SseEvent) => void, options: SseOptions = {}) {
    this.#onEvent = onEvent;
    this.#limit = options.maxEventLength ?? DEFAULT_MAX_EVENT_LENGTH;
  }

  /** Feed a piece of decoded text. */
  push(chunk: string): void {
    let start = 0;
    if (this.#afterCr) {
      this.#afterCr = false;
      if (chunk.charCodeAt(0) === LF) start = 1;
    }
    // Each search resumes where the last one stopped: a long line costs one pass.
    const find = (char: string, from: number) => {
      const index = chunk.indexOf(char, from);
      return index < 0 ? Infinity : index;
    };
    let lf = find("\n", start);
    let cr = find("\r", start);
    for (;;) {
      const end = Math.min(lf, cr);
      if (end === Infinity) break;
      if (this.#partial.length === 0) this.#line(chunk, start, end);
      else {
        this.#partial.push(chunk.slice(start, end));
        const line = this.#partial.join("");
        this.#partial = [];
        this.#partialLength = 0;
        this.#line(line, 0, line.length);
      }
      if (chunk.charCodeAt(end) === CR) {
        if (end + 1 === chunk.length) this.#afterCr = true;
        start = chunk.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
      } else start = end + 1;
      if (lf < start) lf = find("\n", start);
      if (cr < start) cr = find("\r", start);
    }
    if (start < chunk.length) {
      this.#partialLength += chunk.length - start;
      if (this.#partialLength + this.#dataLength > this.#limit) {
        throw new SseLimitError(this.#limit);
      }
      this.#partial.push(start === 0 ? chunk : chunk.slice(start));
    }
  }

  #line(text: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch(false);
      return;
    }
    const first = text.charCodeAt(start);
    if (first === 58 /* : */) return; // comment
    // Fast path for the common "data:" field.
    if (first === 100 /* d */ && text.startsWith("data:", start)) {
      const from = text.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      this.#addData(text.slice(from, end));
      return;
    }
    const colon = text.indexOf(":", start);
    const fieldEnd = colon === -1 || colon > end ? end : colon;
    const field = text.slice(start, fieldEnd);
    let value = "";
    if (fieldEnd < end) {
      const from = text.charCodeAt(fieldEnd + 1) === 32 ? fieldEnd + 2 : fieldEnd + 1;
      value = text.slice(from, end);
    }
    if (field === "event") this.#event = value;
    else if (field === "data") this.#addData(value);
    // id, retry and unknown fields are ignored.
  }

  #addData(value: string): void {
    this.#dataLength += value.length + 1;
    if (this.#dataLength > this.#limit) throw new SseLimitError(this.#limit);
    if (this.#data === undefined) this.#data = value;
    else (this.#more ??= []).push(value);
  }

  #dispatch(unterminated: boolean): void {
    if (this.#data === undefined) {
      this.#event = "";
      return;
    }
    const data = this.#more === undefined ? this.#data : [this.#data, ...this.#more].join("\n");
    const event = this.#event || "message";
    this.#data = undefined;
    this.#more = undefined;
    this.#dataLength = 0;
    this.#event = "";
    this.#onEvent(unterminated ? { event, data, unterminated } : { event, data });
  }

  /** The stream ended: deliver a last event that had no closing blank line. */
  end(): void {
    if (this.#partial.length > 0) {
      const line = this.#partial.join("");
      this.#partial = [];
      this.#partialLength = 0;
      this.#line(line, 0, line.length);
    }
    this.#afterCr = false;
    this.#dispatch(true);
  }
}

/**
 * Read a byte stream as SSE, calling `onEvent` for each event as it is parsed.
 * When `signal` aborts, the stream is cancelled and the signal's reason thrown.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
  signal?: AbortSignal,
  options: SseOptions = {},
): Promise<void> {
  const parser = new SseParser(onEvent, options);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    const rest = decoder.decode();
    if (rest !== "") parser.push(rest);
    parser.end();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    // Stopped early (an error or a bad event): release the connection.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * Read a byte stream as SSE, one event at a time. Leaving the loop early
 * cancels the stream.
 */
export async function* sseEvents(
  body: ReadableStream<Uint8Array>,
  options: SseOptions = {},
): AsyncGenerator<SseEvent> {
  const ready: SseEvent[] = [];
  const parser = new SseParser((event) => ready.push(event), options);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
      if (ready.length > 0) yield* ready.splice(0);
    }
    finished = true;
    const rest = decoder.decode();
    if (rest !== "") parser.push(rest);
    parser.end();
    yield* ready.splice(0);
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
