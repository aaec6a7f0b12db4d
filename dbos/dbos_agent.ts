import type { LoopOptions } from "../loop/loop_options.ts";
import { AGENT_NAME } from "./_names.ts";

/**
 * What an agent's build function returns: the loop's options for one run.
 * `signal`, `resume` and `approval` belong to the worker and are left out.
 *
 * @example Options for a greeting agent
 * ```ts ignore
 * const options: AgentOptions = { llm, tools: [greet], task: "Greet Alice", maxSteps: 10 };
 * ```
 */
export type AgentOptions = Omit<LoopOptions, "signal" | "resume" | "approval">;

/**
 * What a build function is told about the run it builds.
 *
 * @example Name a scratch folder after the run
 * ```ts ignore
 * const agent = dbosAgent("coder", (input, { runId }) => ({ llm, tools, task: `${input} (run ${runId})` }));
 * ```
 */
export interface AgentBuildContext {
  /** The run's id (what `submit` was given as `runId`). */
  readonly runId: string;
}

/**
 * Build the loop's options from a run's input. It runs again each time the
 * run is replayed (after a crash, on another worker), so it must be
 * deterministic: read no clock, make no call whose answer can change.
 *
 * @example Turn the input into a task
 * ```ts ignore
 * const build: AgentBuild = (input) => ({ llm, tools: [greet], task: `Greet ${(input as { name: string }).name}` });
 * ```
 */
export type AgentBuild = (
  input: unknown,
  context: AgentBuildContext,
) => AgentOptions | Promise<AgentOptions>;

/**
 * A named agent a worker can run: `submit(agent, input)` runs `build(input)`
 * on some worker that registered the same name.
 *
 * @example A registered agent
 * ```ts ignore
 * const greeter: DbosAgent = dbosAgent("greeter", build);
 * ```
 */
export interface DbosAgent {
  /** Letters, digits, `_` and `-`, at most 64 characters. */
  readonly name: string;
  /** Builds the loop's options for one run. */
  readonly build: AgentBuild;
}

/**
 * Name an agent for durable runs. Workers register agents by name; callers
 * submit runs by name, from any process.
 *
 * @param name Letters, digits, `_` and `-`, at most 64 characters.
 * @param build Builds the loop's options from a run's input (deterministic).
 * @returns The agent.
 * @throws {TypeError} When the name or `build` is invalid.
 * @example Define a greeter
 * ```ts ignore
 * import { dbosAgent } from "jsr:@looplet/looplet/dbos";
 * export const greeter = dbosAgent("greeter", (input) => ({
 *   llm,
 *   tools: [greet],
 *   task: `Greet ${(input as { name: string }).name}`,
 * }));
 * ```
 */
export function dbosAgent(name: string, build: AgentBuild): DbosAgent {
  if (typeof name !== "string" || !AGENT_NAME.test(name)) {
    throw new TypeError(
      `Cannot make agent: the name must be letters, digits, '_' or '-' (at most 64), got ${
        JSON.stringify(name)
      }`,
    );
  }
  if (typeof build !== "function") {
    throw new TypeError(`Cannot make agent "${name}": 'build' must be a function of the input`);
  }
  return Object.freeze({ name, build });
}
