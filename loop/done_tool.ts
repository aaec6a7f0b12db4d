import type { Tool } from "./types.ts";
import { stringObjectSchema } from "./string_object_schema.ts";

/**
 * Arguments of the standard `done` tool.
 *
 * @example Refuse an empty final answer
 * ```ts
 * import type { DoneArgs, Hook } from "jsr:@looplet/looplet";
 * const requireAnswer: Hook = {
 *   checkDone: ({ call }) =>
 *     (call.args as unknown as DoneArgs).answer?.trim() ? undefined : { deny: "Give an answer" },
 * };
 * ```
 */
export interface DoneArgs {
  /** The final answer or a summary of what was accomplished. */
  readonly answer: string;
}

/**
 * The standard `done` tool: the model calls it to finish. Its `answer`
 * becomes the outcome's `finalAnswer`. The loop adds it when no tool named
 * `done` is given.
 *
 * @example Use it explicitly
 * ```ts ignore
 * composableLoop({ llm, tools: [greet, done], task: "Greet Bob" });
 * ```
 */
export const done: Tool<DoneArgs, string> = Object.freeze({
  name: "done",
  description:
    "Finish the task. Call this once the task is complete, with the final answer or a short summary of what was done.",
  input: stringObjectSchema<{ answer: string }>({
    answer: { description: "The final answer, or a summary of what was accomplished" },
  }),
  execute: ({ answer }: DoneArgs) => answer,
});
