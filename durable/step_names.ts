/**
 * The journal name of the `k`-th model call of a run (1-based, retries
 * included): `model#<k>`.
 *
 * @param k Which model call, from 1.
 * @returns The step name.
 * @example
 * ```ts
 * import { modelStepName } from "jsr:@looplet/looplet/durable";
 * modelStepName(3); // "model#3"
 * ```
 */
export function modelStepName(k: number): string {
  return `model#${k}`;
}

/**
 * The journal name of the tool call that becomes step `step`:
 * `tool#<step>:<name>`.
 *
 * @param step The loop's step number of the call.
 * @param tool The tool's name.
 * @returns The step name.
 * @example
 * ```ts
 * import { toolStepName } from "jsr:@looplet/looplet/durable";
 * toolStepName(2, "greet"); // "tool#2:greet"
 * ```
 */
export function toolStepName(step: number, tool: string): string {
  return `tool#${step}:${tool}`;
}

/**
 * The journal name of the `n`-th call (1-based) of one hook slot:
 * `hook#<hook>:<slot>#<n>`.
 *
 * @param hook The hook's name.
 * @param slot The slot, for example `preDispatch`.
 * @param n Which call of that slot, from 1.
 * @returns The step name.
 * @example
 * ```ts
 * import { hookStepName } from "jsr:@looplet/looplet/durable";
 * hookStepName("quota", "preDispatch", 1); // "hook#quota:preDispatch#1"
 * ```
 */
export function hookStepName(hook: string, slot: string, n: number): string {
  return `hook#${hook}:${slot}#${n}`;
}
