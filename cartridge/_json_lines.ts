/** Cut text to `limit` characters, marking the cut. */
export function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}...` : text;
}

interface Pending {
  readonly method: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Line-delimited JSON-RPC over a byte stream pair (a child's stdio, or a
 * Unix socket): `{"id", "method", "params"}` out, `{"id", "result" | "error"}`
 * back. Any protocol violation (a line that is not JSON, a timeout, the
 * stream ending) breaks the channel for good: pending and later requests
 * fail at once with the reason, so nothing waits on a broken peer.
 */
export class JsonLineChannel {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending = new Map<number, Pending>();
  #nextId = 0;
  #broken: string | undefined;
  #onBreak: (reason: string) => void;
  /** Resolves when the reading side has ended. */
  readonly ended: Promise<void>;

  constructor(
    readable: ReadableStream<Uint8Array>,
    writable: WritableStream<Uint8Array>,
    options: { onEnd: () => Promise<string>; onBreak?: (reason: string) => void },
  ) {
    this.#writer = writable.getWriter();
    this.#onBreak = options.onBreak ?? (() => {});
    this.ended = this.#pump(readable, options.onEnd);
  }

  /** Why the channel is broken, when it is. */
  get broken(): string | undefined {
    return this.#broken;
  }

  async #pump(readable: ReadableStream<Uint8Array>, onEnd: () => Promise<string>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of readable) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line !== "") this.#receive(line);
        }
      }
    } catch {
      // The stream errored; reported as its end below.
    }
    if (this.#broken === undefined) this.fail(await onEnd());
  }

  #receive(line: string): void {
    let message: { id?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(line);
    } catch {
      this.fail(`wrote a line that is not JSON: ${JSON.stringify(clip(line, 120))}`);
      return;
    }
    if (typeof message !== "object" || message === null) {
      this.fail(`wrote ${JSON.stringify(clip(line, 120))}, not a JSON-RPC object`);
      return;
    }
    const pending = typeof message.id === "number" ? this.#pending.get(message.id) : undefined;
    if (pending === undefined) return;
    this.#pending.delete(message.id as number);
    clearTimeout(pending.timer);
    if (message.error !== undefined && message.error !== null) {
      const error = message.error as { message?: unknown };
      pending.reject(new Error(String(error.message ?? JSON.stringify(message.error))));
    } else pending.resolve(message.result ?? null);
  }

  /** Send a request; resolves with its `result`, rejects with the peer's error or the break reason. */
  request(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    if (this.#broken !== undefined) return Promise.reject(new Error(this.#broken));
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`did not answer "${method}" within ${timeoutMs} ms`);
      }, timeoutMs);
      this.#pending.set(id, { method, resolve, reject, timer });
      const line = JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n";
      this.#writer.write(new TextEncoder().encode(line)).catch((error) => {
        this.fail(`cannot be written to (${(error as Error).message})`);
      });
    });
  }

  /** Break the channel: every pending request fails with `reason`. */
  fail(reason: string): void {
    if (this.#broken !== undefined) return;
    this.#broken = reason;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error(reason));
    }
    this.#pending.clear();
    this.#onBreak(reason);
  }

  /** Close the writing side. */
  async closeWriter(): Promise<void> {
    try {
      await this.#writer.close();
    } catch {
      // Already closed or broken.
    }
  }
}
