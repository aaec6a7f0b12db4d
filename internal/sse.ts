/**
 * A small, fast Server-Sent Events reader (WHATWG "event stream" parsing).
 *
 * Each event is handed to the callback as soon as its terminating blank line
 * has been read, so the first delta never waits for the whole body.
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

/**
 * Incremental SSE parser: feed it text, it calls `onEvent` per event.
 * Lines that are not SSE fields are ignored, as the SSE spec says.
 */
export class SseParser {
  #pending = "";
  /** The first data line of the event being read (most events have one). */
  #data: string | undefined = undefined;
  /** Further data lines, rare. */
  #more: string[] | undefined = undefined;
  #event = "";
  readonly #onEvent: (event: SseEvent) => void;

  constructor(onEvent: (event: SseEvent) => void) {
    this.#onEvent = onEvent;
  }

  /** Feed a piece of decoded text. */
  push(chunk: string): void {
    let text = this.#pending === "" ? chunk : this.#pending + chunk;
    if (text.includes("\r")) {
      // Keep a trailing CR: its LF may arrive in the next chunk.
      const keep = text.endsWith("\r") ? "\r" : "";
      if (keep) text = text.slice(0, -1);
      text = text.replace(/\r\n?/g, "\n");
      if (keep) {
        this.#pending = "";
        this.#lines(text);
        this.#pending += keep;
        return;
      }
    }
    this.#pending = "";
    this.#lines(text);
  }

  #lines(text: string): void {
    let start = 0;
    for (;;) {
      const end = text.indexOf("\n", start);
      if (end === -1) break;
      this.#line(text, start, end);
      start = end + 1;
    }
    this.#pending = start === 0 ? text : text.slice(start);
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
    this.#event = "";
    this.#onEvent(unterminated ? { event, data, unterminated } : { event, data });
  }

  /** The stream ended: deliver a last event that had no closing blank line. */
  end(): void {
    if (this.#pending !== "" && this.#pending !== "\r") {
      const text = this.#pending;
      this.#pending = "";
      this.#line(text, 0, text.length);
    }
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
): Promise<void> {
  const parser = new SseParser(onEvent);
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
