import type { AnyTool, Tool, ToolContext } from "../loop/types.ts";
import { checkSteps } from "./durable_backend.ts";
import type { DurableSteps } from "./durable_steps.ts";
import { toolStepName } from "./step_names.ts";
import { capture, type Journaled, release } from "./_journal.ts";
import { assertJson } from "../internal/assert_json.ts";
import { innerBackend } from "./_inner_backend.ts";

/**
 * Run each call of each tool as a journaled step `tool#<step>:<name>`. A
 * replayed run gets the journaled result and the tool does not run again; a
 * call cut short by a crash runs again (at least once, whatever the tool's
 * `onInterrupted` says; `reconcile` is not used) with the same
 * `ctx.idempotencyKey`, `<runId>:tool#<step>:<name>` (it replaces the loop's
 * own key, whose run id is new in each replay), so a tool that reaches an
 * external API can make the retried side effect safe.
 *
 * A tool that throws has its error journaled as a value and rethrown, so the
 * step fails the same way on replay (the model reads the error; the engine
 * never retries the call). A tool's `timeoutMs` is applied inside the step,
 * so a timeout is journaled too. A result that is not plain JSON fails the
 * call with an error naming the tool.
 *
 * @param tools The tools to journal.
 * @param steps The engine's steps for this run.
 * @returns The wrapped tools, same names, schemas and concurrency flags.
 * @throws {TypeError} When a tool or `steps` has the wrong shape.
 * @example Journal tool calls in memory
 * ```ts ignore
 * const tools = durableTools([greet], steps);
 * const run = composableLoop({ llm: durableBackend(llm, steps), tools, task: "Greet Alice" });
 * ```
 */
export function durableTools(tools: Iterable<AnyTool>, steps: DurableSteps): AnyTool[] {
  checkSteps(steps, "durable tools");
  const wrapped: AnyTool[] = [];
  for (const tool of tools ?? []) {
    if (typeof tool?.name !== "string" || typeof tool.execute !== "function") {
      throw new TypeError(
        "Cannot make durable tools: every tool needs a 'name' and an execute() method",
      );
    }
    wrapped.push(durableTool(tool, steps));
  }
  return wrapped;
}

function durableTool(tool: AnyTool, steps: DurableSteps): AnyTool {
  // reconcile would run outside the journal; the step itself decides what a replay does.
  const { timeoutMs: _timeoutMs, reconcile: _reconcile, ...rest } = tool;
  const timeoutMs = tool.timeoutMs;
  const durable: Tool<unknown, unknown> = {
    ...rest,
    async execute(args: unknown, ctx: ToolContext): Promise<unknown> {
      const name = toolStepName(ctx.step, tool.name);
      const context: ToolContext = {
        ...ctx,
        llm: innerBackend(ctx.llm),
        idempotencyKey: `${steps.runId}:${name}`,
      };
      const journaled = await steps.run<Journaled<unknown>>(name, () =>
        capture(async () => {
          const result = await withTimeout(tool, timeoutMs, context, args);
          assertJson(result === undefined ? null : result, `Tool "${tool.name}"`);
          return result === undefined ? null : result;
        }));
      return release(journaled);
    },
  };
  return durable;
}

/** Run the tool, failing with a TimeoutError after `timeoutMs` (inside the step). */
function withTimeout(
  tool: AnyTool,
  timeoutMs: number | undefined,
  ctx: ToolContext,
  args: unknown,
): Promise<unknown> {
  if (timeoutMs === undefined) return Promise.resolve().then(() => tool.execute(args, ctx));
  const controller = new AbortController();
  const signal = AbortSignal.any([ctx.signal, controller.signal]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DOMException(
        `Tool "${tool.name}" timed out after ${timeoutMs}ms`,
        "TimeoutError",
      );
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const running = Promise.resolve().then(() => tool.execute(args, { ...ctx, signal }));
  return Promise.race([running, timedOut]).finally(() => clearTimeout(timer));
}
