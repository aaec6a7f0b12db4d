/**
 * Text kept while a stream is read: the first 60% of `limit` characters and
 * a rolling tail of the rest, so memory stays bounded however much is written.
 * `text()` reads like `capText` from internal/limits.ts.
 */
export class OutputCap {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  #head = "";
  #tail = "";
  #total = 0;

  constructor(limit: number) {
    this.#headLimit = Math.floor(limit * 0.6);
    this.#tailLimit = limit - this.#headLimit;
  }

  /** Add a chunk. */
  push(chunk: string): void {
    this.#total += chunk.length;
    if (this.#head.length < this.#headLimit) {
      const room = this.#headLimit - this.#head.length;
      this.#head += chunk.slice(0, room);
      chunk = chunk.slice(room);
    }
    if (chunk === "") return;
    this.#tail += chunk;
    // Trim only when the tail is well past its limit, so each character is copied O(1) times.
    if (this.#tail.length > 2 * this.#tailLimit + 65_536) {
      this.#tail = this.#tail.slice(-this.#tailLimit);
    }
  }

  /** True when more was written than kept. */
  get truncated(): boolean {
    return this.#total > this.#headLimit + this.#tailLimit;
  }

  /** What was kept, with a marker saying how much was left out. */
  text(): string {
    if (!this.truncated) return this.#head + this.#tail;
    const omitted = this.#total - this.#headLimit - this.#tailLimit;
    const tail = this.#tailLimit > 0 ? this.#tail.slice(-this.#tailLimit) : "";
    return `${this.#head}\n… [${omitted} characters omitted] …\n${tail}`;
  }
}
