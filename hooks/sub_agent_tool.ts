import { AgentRun } from "../loop/agent_run.ts";
import { composableLoop, type LoopOptions } from "../loop/composable_loop.ts";
import { tool } from "../tools/tool.ts";
import type { Outcome, Tool, ToolContext, ToolInputSchema } from "../loop/types.ts";

/**
 * What a sub-agent returns to its parent by default.
 *
 * @example Read what the sub-agent returned
 * ```ts ignore
 * for await (const step of composableLoop({ llm, tools: [research], task })) {
 *   if (step.call.tool !== "research" || step.result.error !== undefined) continue;
 *   const { answer, stop_reason, steps } = step.result.data as SubAgentResult;
 *   console.log(`research (${stop_reason}, ${steps} steps):`, answer);
 * }
 * ```
 */
export interface SubAgentResult {
  /** The child's final answer (`done`), if it finished. */
  readonly answer: unknown;
  /** Why the child stopped. */
  readonly stop_reason: string;
  /** Steps the child took. */
  readonly steps: number;
}

/**
 * Options of `subAgentTool`.
 *
 * @example Shape the result and set a timeout
 * ```ts ignore
 * const review = subAgentTool({
 *   name: "review",
 *   description: "Review a diff and list problems.",
 *   input: z.object({ diff: z.string() }),
 *   agent: ({ diff }, ctx) => ({ llm: ctx.llm, tools: [readFile], task: `Review:\n${diff}` }),
 *   result: (outcome) => ({ problems: outcome.finalAnswer ?? [] }),
 *   timeoutMs: 120_000,
 * });
 * ```
 */
export interface SubAgentToolOptions<Args, Result> {
  /** Tool name the parent's model uses. */
  readonly name: string;
  /** What the sub-agent does, for the parent's model. */
  readonly description: string;
  /** Schema of the arguments (a Zod schema). */
  readonly input: ToolInputSchema<Args>;
  /**
   * The agent: return loop options (the run's signal is added for you) or a
   * started `AgentRun` (pass `ctx.signal` to it yourself).
   */
  readonly agent: (
    args: Args,
    ctx: ToolContext,
  ) => LoopOptions | AgentRun | Promise<LoopOptions | AgentRun>;
  /** Shape the parent's result from the child's outcome. @default { answer, stop_reason, steps } */
  readonly result?: (outcome: Outcome) => Result;
  /** Abort the child after this many milliseconds. @default undefined (no timeout) */
  readonly timeoutMs?: number;
}

/**
 * Wrap an agent as a tool. Each child step reaches the parent's hooks as a
 * `tool_progress` event (`message` is `"<name> step N"`, `data` the step's
 * JSON); the child's usage is added to the parent's; cancelling the parent
 * (or the call's timeout) cancels the child.
 *
 * @param options Name, description, input schema and the agent.
 * @returns The tool.
 * @throws {TypeError} When `agent` is not a function (and as `tool()` does for the rest).
 * @example A researcher sub-agent
 * ```ts ignore
 * const research = subAgentTool({
 *   name: "research",
 *   description: "Research a question with web tools and answer it.",
 *   input: z.object({ question: z.string() }),
 *   agent: ({ question }, ctx) => ({ llm: ctx.llm, tools: [search], task: question, maxSteps: 8 }),
 * });
 * ```
 */
export function subAgentTool<Args, Result = SubAgentResult>(
  options: SubAgentToolOptions<Args, Result>,
): Tool<Args, Result> {
  const { agent, result, ...definition } = options ?? ({} as SubAgentToolOptions<Args, Result>);
  if (typeof agent !== "function") {
    throw new TypeError(
      `Cannot make sub-agent tool "${definition.name}": 'agent' must be a function returning loop options or a run`,
    );
  }
  const shape = result ??
    ((outcome: Outcome) =>
      ({
        answer: outcome.finalAnswer ?? null,
        stop_reason: outcome.stopReason,
        steps: outcome.steps,
      }) as Result);
  return tool<Args, Result>({
    ...definition,
    async execute(args, ctx) {
      const made = await agent(args, ctx);
      const run = made instanceof AgentRun ? made : composableLoop({
        ...made,
        signal: made.signal === undefined ? ctx.signal : AbortSignal.any([ctx.signal, made.signal]),
      });
      let counted = false;
      try {
        for await (const step of run) {
          ctx.progress(`${definition.name} step ${step.number}`, step.toJSON());
          if (ctx.signal.aborted) break;
        }
        const outcome = await run.outcome;
        ctx.addUsage(outcome.usage);
        counted = true;
        ctx.signal.throwIfAborted();
        return shape(outcome);
      } finally {
        if (!counted) {
          // The child ended early (break or error): still count what it spent.
          const outcome = await run.outcome.catch(() => undefined);
          if (outcome !== undefined) ctx.addUsage(outcome.usage);
        }
      }
    },
  });
}
