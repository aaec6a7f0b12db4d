/**
 * Durable runs on any durable-execution engine, with no dependency: each
 * model call and each tool call runs through the engine's `steps.run(name,
 * fn)`, so after a crash a replayed run gets the journaled results and
 * nothing happens twice. The loop itself does not change.
 *
 * - `durableBackend(backend, steps)`: model calls as steps `model#<k>`.
 * - `durableTools(tools, steps)`: tool calls as steps `tool#<step>:<name>`,
 *   each with a stable `ctx.idempotencyKey`.
 * - `durableHook(hook, steps)`: for a hook that does I/O or reads the clock
 *   to decide.
 * - `encodeStep` / `decodeStep`: a deterministic step encoding for streams.
 *
 * Failures are journaled as values: the loop's retry policy stays in charge,
 * and the engine must not retry steps itself. The DBOS adapter is
 * `@looplet/looplet/dbos`.
 *
 * @example Journal a run in memory
 * ```ts ignore
 * import { composableLoop } from "jsr:@looplet/looplet";
 * import { durableBackend, durableTools, type DurableSteps } from "jsr:@looplet/looplet/durable";
 * const journal = new Map<string, unknown>();
 * const steps: DurableSteps = {
 *   runId: "run-1",
 *   async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
 *     if (!journal.has(name)) journal.set(name, await fn());
 *     return journal.get(name) as T;
 *   },
 * };
 * const run = composableLoop({
 *   llm: durableBackend(llm, steps),
 *   tools: durableTools([greet], steps),
 *   task: "Greet Alice",
 * });
 * await run.complete(); // run it again with the same journal: no call reaches the model or a tool
 * ```
 *
 * @module
 */

export type { DurableSteps } from "./durable_steps.ts";
export { durableBackend } from "./durable_backend.ts";
export { durableTools } from "./durable_tools.ts";
export { durableHook } from "./durable_hook.ts";
export { hookStepName, modelStepName, toolStepName } from "./step_names.ts";
export { decodeStep, encodeStep } from "./step_encoding.ts";
export type { EncodedStep } from "./step_encoding.ts";
