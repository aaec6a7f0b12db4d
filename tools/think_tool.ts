import type { Tool } from "../loop/types.ts";
import { stringObjectSchema } from "../loop/string_object_schema.ts";

/**
 * Arguments of the `think` tool.
 *
 * @example Log the model's thoughts
 * ```ts
 * import type { Hook, ThinkArgs } from "jsr:@looplet/looplet";
 * const logThoughts: Hook = {
 *   onEvent: (event) => {
 *     if (event.type === "tool_start" && event.call.name === "think") {
 *       console.log((event.call.args as unknown as ThinkArgs).thought);
 *     }
 *   },
 * };
 * ```
 */
export interface ThinkArgs {
  /** Free-text reasoning, analysis or plan. */
  readonly thought: string;
}

/**
 * The `think` tool: a place for the model to reason or plan before acting.
 * It has no side effects; opt in by adding it to `tools`.
 *
 * @example
 * ```ts ignore
 * composableLoop({ llm, tools: [search, think], task: "Find the bug" });
 * ```
 */
export const think: Tool<ThinkArgs, { acknowledged: true }> = Object.freeze({
  name: "think",
  description:
    "Think before acting: write down your analysis, plan or hypotheses. Use it when the next step is unclear. It changes nothing.",
  input: stringObjectSchema<{ thought: string }>({
    thought: { description: "Your reasoning, analysis or plan (free text)" },
  }),
  execute: () => ({ acknowledged: true as const }),
  concurrencySafe: true,
});
