/**
 * Atomic file and folder writes (through a hidden temporary sibling and one
 * rename, so readers never see half a file) and a serial write queue.
 */

import { appendFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/** A hidden sibling of `path` that ends in `.tmp`, unique to this call. */
function tempSibling(path: string): string {
  const target = resolve(path);
  const random = [...crypto.getRandomValues(new Uint8Array(6))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return join(dirname(target), `.${basename(target)}.${random}.tmp`);
}

/**
 * Write `content` to `path` through a temporary sibling and a rename. On
 * failure the sibling is removed and the error is rethrown as it came.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = tempSibling(path);
  try {
    await writeFile(temp, content);
    await rename(temp, resolve(path));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Options of `writeFolderAtomic`. */
export interface WriteFolderAtomicOptions {
  /** Fill the temporary folder (e.g. copy into it) before `files` are written. */
  readonly fill?: (tempDir: string) => Promise<void>;
  /** Check the finished temporary folder before it is renamed into place. */
  readonly verify?: (tempDir: string) => Promise<void>;
}

/**
 * Write a folder of files (paths relative to it) into a temporary sibling,
 * then rename it to `dir`. On any failure the sibling is removed, nothing is
 * left behind, and the error is rethrown as it came.
 */
export async function writeFolderAtomic(
  dir: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  options: WriteFolderAtomicOptions = {},
): Promise<void> {
  const { fill, verify } = options;
  const temp = tempSibling(dir);
  try {
    await mkdir(temp);
    if (fill) await fill(temp);
    for (const [relative, content] of files) {
      const file = join(temp, relative);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    if (verify) await verify(temp);
    await rename(temp, resolve(dir));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Write a trace file atomically; a failure names the file. */
export async function atomicWrite(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text);
  } catch (error) {
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
