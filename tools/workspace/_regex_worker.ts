import { Worker } from "node:worker_threads";

// The worker's code, run as a classic script under Deno, Node and Bun (no file to locate).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const regex = new RegExp(workerData.source, workerData.flags);
parentPort.on("message", ({ text, max }) => {
  const lines = Array.isArray(text) ? text : text.split("\\n");
  const found = [];
  let total = 0;
  for (let index = 0; index < lines.length; index++) {
    if (!regex.test(lines[index])) continue;
    total++;
    if (found.length < max) found.push([index + 1, lines[index].slice(0, 200)]);
  }
  parentPort.postMessage({ total, found });
});
`;

/** Lines of one text that matched: how many, and the first ones as `[line, text]`. */
export interface RegexMatches {
  readonly total: number;
  readonly found: readonly (readonly [number, string])[];
}

/**
 * A regular expression from the model, run off the main thread so that a
 * catastrophic pattern cannot block the event loop: every search shares one
 * deadline, and the worker is terminated when it passes.
 */
export class RegexWorker {
  readonly #worker: Worker;
  readonly #deadline: number;
  #failure: Error | undefined;
  #timedOut = false;

  constructor(source: string, flags: string, timeoutMs: number) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { source, flags } });
    this.#worker.on("error", (error) => this.#failure = error);
    this.#deadline = Date.now() + timeoutMs;
  }

  /** Match each line of `text` (or each string of an array); rejects when the deadline passes first. */
  search(text: string | readonly string[], max: number): Promise<RegexMatches> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolvePromise, reject) => {
      const onMessage = (result: RegexMatches) => {
        clearTimeout(timer);
        this.#worker.off("exit", onExit);
        resolvePromise(result);
      };
      const onExit = () => {
        clearTimeout(timer);
        this.#worker.off("message", onMessage);
        reject(this.#failure ?? new Error("the regex worker stopped"));
      };
      const timer = setTimeout(() => {
        this.#timedOut = true;
        this.#failure = new Error("the regex search passed its deadline");
        this.#worker.off("message", onMessage);
        this.#worker.off("exit", onExit);
        void this.#worker.terminate();
        reject(this.#failure);
      }, Math.max(0, this.#deadline - Date.now()));
      this.#worker.once("message", onMessage);
      this.#worker.once("exit", onExit);
      this.#worker.postMessage({ text, max });
    });
  }

  /** True once the deadline passed (the worker is then stopped). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Stop the worker. */
  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

/**
 * The paths a glob's RegExp matches, matched in a worker with a deadline (a
 * pattern such as `*a*a*a*a*a*b` backtracks polynomially on long names).
 * Rejects with an error naming the pattern when the deadline passes.
 */
export async function matchPaths(
  matcher: RegExp,
  paths: readonly string[],
  pattern: string,
  timeoutMs: number,
): Promise<string[]> {
  if (paths.length === 0) return [];
  const worker = new RegexWorker(matcher.source, matcher.flags, timeoutMs);
  try {
    const { found } = await worker.search(paths, paths.length);
    return found.map(([line]) => paths[line - 1]!);
  } catch (error) {
    if (!worker.timedOut) throw error;
    throw new Error(
      `Glob "${pattern}" took over ${timeoutMs} ms to match; use fewer wildcards, e.g. "**/*.ts"`,
    );
  } finally {
    await worker.close();
  }
}
