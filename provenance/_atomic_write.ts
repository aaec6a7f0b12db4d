/** Atomic file writes and a serial write queue (private to provenance/). */

let counter = 0;

/** Write `text` to `path` through a temporary file and a rename, so readers never see half a file. */
export async function atomicWrite(path: string, text: string): Promise<void> {
  const temp = `${path}.${Deno.pid}.${++counter}.tmp`;
  try {
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new Error(
      `Cannot write trace file "${path}": ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
}

/** Append one line to a file (used for `manifest.jsonl` while a run is live). */
export async function appendLine(path: string, line: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, line, { append: true });
  } catch (error) {
    throw new Error(
      `Cannot write trace file "${path}": ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
}

/**
 * Runs writes one after another in the background. The first failure is kept
 * and rethrown by `drain()`, so no write error is lost.
 */
export class WriteQueue {
  #tail: Promise<void> = Promise.resolve();
  #error: unknown;

  /** Queue a write; it runs after every write queued before it. */
  push(write: () => Promise<void>): void {
    this.#tail = this.#tail.then(async () => {
      if (this.#error !== undefined) return;
      try {
        await write();
      } catch (error) {
        this.#error = error;
      }
    });
  }

  /** Wait for every queued write; throws the first write error. */
  async drain(): Promise<void> {
    await this.#tail;
    if (this.#error !== undefined) throw this.#error;
  }
}
