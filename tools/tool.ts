import type { Tool } from "../loop/types.ts";
import { assertToolShape } from "../loop/assert_tool.ts";

/**
 * What `tool()` takes: a Zod schema for the input and an `execute` function,
 * the fields of the `Tool` it returns.
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
export type ToolDefinition<Args, Result> = Tool<Args, Result>;

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
