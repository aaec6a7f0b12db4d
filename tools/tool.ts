import type { Tool, ToolContext, ToolInputSchema } from "../loop/types.ts";
import { assertToolShape } from "../loop/assert_tool.ts";

/**
 * What `tool()` takes: a Zod schema for the input and an `execute` function.
 *
 * @example A definition with a timeout
 * ```ts ignore
 * import { z } from "zod";
 * import { tool } from "jsr:@looplet/looplet";
 * const fetchPage = tool({
 *   name: "fetch_page",
 *   description: "Download a web page and return its text.",
 *   input: z.object({ url: z.string() }),
 *   execute: async ({ url }, ctx) => (await fetch(url, { signal: ctx.signal })).text(),
 *   timeoutMs: 30_000,
 * });
 * ```
 */
export interface ToolDefinition<Args, Result> {
  /** Name the model uses; letters, digits, `_` and `-`, at most 64 characters. */
  readonly name: string;
  /** What the tool does and when to use it. */
  readonly description: string;
  /** Zod schema of the arguments (any Zod 4 schema; `Args` is inferred from it). */
  readonly input: ToolInputSchema<Args>;
  /** Run the tool with validated arguments. */
  execute(args: Args, ctx: ToolContext): Result | Promise<Result>;
  /** Calls may run together with other concurrency-safe calls. @default false */
  readonly concurrencySafe?: boolean;
  /** Abort the call after this many milliseconds. @default undefined (no timeout) */
  readonly timeoutMs?: number;
  /** The tool only reads (its calls are not journaled as effects). @default false */
  readonly readOnly?: boolean;
  /** What a resumed run does with a call of this tool that was interrupted. @default "fail" */
  readonly onInterrupted?: "fail" | "retry";
  /** Find out whether an interrupted call took effect; called on resume instead of `execute`. */
  reconcile?(args: Args, ctx: ToolContext): Result | Promise<Result>;
}

/**
 * Define a tool with a Zod input schema. The schema validates the model's
 * arguments and gives the JSON Schema the model sees.
 *
 * @param definition Name, description, Zod `input`, `execute`, and options.
 * @returns The tool, ready for `composableLoop({ tools: [...] })`.
 * @throws {TypeError} When the name, description, input or execute is missing or malformed.
 * @throws {RangeError} When `timeoutMs` is not a positive number.
 * @example Define and use a tool
 * ```ts ignore
 * import { z } from "zod";
 * import { tool } from "jsr:@looplet/looplet";
 *
 * export const add = tool({
 *   name: "add",
 *   description: "Add two numbers.",
 *   input: z.object({ a: z.number(), b: z.number() }),
 *   execute: ({ a, b }) => ({ sum: a + b }),
 *   concurrencySafe: true,
 * });
 * ```
 */
export function tool<Args, Result>(definition: ToolDefinition<Args, Result>): Tool<Args, Result> {
  assertToolShape(definition, "tool()");
  return Object.freeze({ ...definition });
}
