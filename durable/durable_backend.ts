import type { Backend, GenerateOptions, ModelRequest, ModelTurn } from "../loop/types.ts";
import type { DurableSteps } from "./durable_steps.ts";
import { modelStepName } from "./step_names.ts";
import { capture, type Journaled, release } from "./_journal.ts";
import { assertJson } from "../internal/assert_json.ts";
import { innerBackend, markDurable } from "./_inner_backend.ts";

/**
 * Run each model call of `backend` as a journaled step `model#<k>` (k counts
 * this wrapper's calls from 1, retries included). A replayed run gets the
 * journaled reply and the model is not asked again.
 *
 * A failed call is journaled as a value and rethrown as the same kind of
 * error (a `BackendError` keeps `status`, `retryable` and `retryAfterMs`),
 * so the loop's retry policy decides, once: the engine never retries a model
 * call itself. Streamed deltas reach `onDelta` only when the call really
 * runs, never on replay.
 *
 * Make one wrapper per run execution (the counter is the step name). The
 * backend's replies must not depend on its own call count: a replayed call
 * does not reach it.
 *
 * @param backend The backend to journal.
 * @param steps The engine's steps for this run.
 * @returns A backend with the same name and capabilities.
 * @throws {TypeError} When `backend` or `steps` has the wrong shape.
 * @example Journal model calls in memory
 * ```ts
 * import { ScriptedBackend } from "jsr:@looplet/looplet";
 * import { durableBackend, type DurableSteps } from "jsr:@looplet/looplet/durable";
 * const journal = new Map<string, unknown>();
 * const steps: DurableSteps = {
 *   runId: "run-1",
 *   async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
 *     if (!journal.has(name)) journal.set(name, await fn());
 *     return journal.get(name) as T;
 *   },
 * };
 * const llm = durableBackend(new ScriptedBackend(["hello"]), steps);
 * await llm.generate({ messages: [], systemPrompt: "", tools: [] });
 * console.log([...journal.keys()]); // ["model#1"]
 * ```
 */
export function durableBackend(backend: Backend, steps: DurableSteps): Backend {
  if (typeof backend?.generate !== "function") {
    throw new TypeError("Cannot make durable backend: 'backend' must have a generate() method");
  }
  checkSteps(steps, "durable backend");
  const inner = innerBackend(backend);
  let calls = 0;
  const durable: Backend = {
    name: backend.name,
    capabilities: backend.capabilities,
    async generate(request: ModelRequest, options: GenerateOptions = {}): Promise<ModelTurn> {
      const name = modelStepName(++calls);
      const journaled = await steps.run<Journaled<ModelTurn>>(name, () =>
        capture(async () => {
          const turn = await inner.generate(request, options);
          assertJson(turn, `Backend "${backend.name}"`, "turn");
          return turn;
        }));
      return release(journaled);
    },
  };
  markDurable(durable, inner);
  return durable;
}

/** Throw when `steps` is not a `DurableSteps`. */
export function checkSteps(steps: DurableSteps, what: string): void {
  if (typeof steps?.run !== "function" || typeof steps.runId !== "string" || steps.runId === "") {
    throw new TypeError(
      `Cannot make ${what}: 'steps' must be { runId: string, run(name, fn) } from a durable engine`,
    );
  }
}
