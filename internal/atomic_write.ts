/** Atomic file writes and a serial write queue (private to provenance/). */

import { appendFile, rename, rm, writeFile } from "node:fs/promises";
import process from "node:process";

let counter = 0;

/** Write `text` to `path` through a temporary file and a rename, so readers never see half a file. */
export async function atomicWrite(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${++counter}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw new Error(
      `Cannot write trace file "${path}": ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
}

/** Append one line to a file (used for `manifest.jsonl` while a run is live). */
export async function appendLine(path: string, line: string): Promise<void> {
  try {
    await appendFile(path, line);
  } catch (error) {
    throw new Error(
      `Cannot write trace file "${path}": ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
}

/**
 * Runs writes in the background: independent file writes with a few in
 * flight at once, ordered writes (appends to one file) one after another.
 * The first failure is kept and rethrown by `drain()`, so no write error is
 * lost.
 */
export class WriteQueue {
  readonly #limit: number;
  readonly #waiting: (() => Promise<void>)[] = [];
  readonly #running = new Set<Promise<void>>();
  #next = 0;
  #ordered: Promise<void> = Promise.resolve();
  #error: unknown;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param limit Most independent writes in flight. */
  constructor(limit = 8) {
    this.#limit = limit;
  }

  /**
   * Queue an independent write (its own file). Writes start on the next
   * macrotask, not at once: the loop yields to the event loop whenever it waits
   * for a model or a tool, so in a real run each step is on disk almost at once,
   * while a burst of steps that never waits does not pay for file I/O per step.
   */
  push(write: () => Promise<void>): void {
    this.#waiting.push(write);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, 0);
  }

  /** Queue a write that must run after every ordered write queued before it. */
  pushOrdered(write: () => Promise<void>): void {
    this.#ordered = this.#ordered.then(() => this.#run(write));
  }

  async #run(write: () => Promise<void>): Promise<void> {
    if (this.#error !== undefined) return;
    try {
      await write();
    } catch (error) {
      this.#error ??= error;
    }
  }

  #pump(): void {
    while (this.#running.size < this.#limit) {
      const write = this.#waiting[this.#next];
      if (write === undefined) break;
      this.#next++;
      const task: Promise<void> = this.#run(write).finally(() => {
        this.#running.delete(task);
        this.#pump();
      });
      this.#running.add(task);
    }
    if (this.#next === this.#waiting.length && this.#next > 0) {
      this.#waiting.length = 0;
      this.#next = 0;
    }
  }

  /** Wait for every queued write; throws the first write error. */
  async drain(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#pump();
    while (this.#running.size > 0 || this.#next < this.#waiting.length) {
      await Promise.all([...this.#running]);
    }
    await this.#ordered;
    if (this.#error !== undefined) throw this.#error;
  }
}
