/**
 * What a durable-execution engine supplies to `durableBackend`, `durableTools`
 * and `durableHook`: a run id and a way to run a function as a journaled step.
 *
 * The engine runs `fn` at most until one result is journaled under `name`;
 * when the run is replayed after a crash, `run` returns the journaled value
 * without calling `fn` again. Values are plain JSON.
 *
 * @example An in-memory journal (what a test or a toy engine does)
 * ```ts
 * import type { DurableSteps } from "jsr:@looplet/looplet/durable";
 * const journal = new Map<string, unknown>();
 * const steps: DurableSteps = {
 *   runId: "run-1",
 *   async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
 *     if (!journal.has(name)) journal.set(name, await fn());
 *     return journal.get(name) as T;
 *   },
 * };
 * ```
 */
export interface DurableSteps {
  /** The durable run's id: stable across crashes, restarts and workers. */
  readonly runId: string;
  /**
   * Run `fn` as the step `name`, or return its journaled result when the
   * step already completed. Names are unique within a run.
   */
  run<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
