import type { z } from "zod";
import type { AnyTool, Hook, Tool } from "../loop/types.ts";
import type { ToolDefinition } from "../tools/tool.ts";
import type { WorkspaceToolsOptions } from "../tools/workspace/workspace_tools.ts";
import type { ConfiguredHook, TestGuardOptions } from "./test_guard.ts";
import type { HookFactory } from "./hook_registry.ts";
import type {
  CommandPolicy,
  CommandRun,
  RunCommandOptions,
} from "../tools/workspace/run_command.ts";

/**
 * What a bundle's `build(runtime)` returns: the parts of an agent. Every
 * field is optional; the bundle's declarative parts (tools/, hooks/,
 * prompts/system.md, memory/) are added to it.
 *
 * @example
 * ```ts ignore
 * export function build(runtime: BundleRuntime): AgentPreset {
 *   return { tools: runtime.lib.workspaceTools(runtime.workspace), maxSteps: 30 };
 * }
 * ```
 */
export interface AgentPreset {
  /** Tools (the standard `done` is added when none is named `doneTool`). */
  readonly tools?: readonly AnyTool[];
  /** Hooks, run in order (bundle-declared hooks come after). */
  readonly hooks?: readonly Hook[];
  /** Base system prompt; the SKILL.md instructions and memory are appended. @default prompts/system.md, else the loop's default */
  readonly systemPrompt?: string;
  /** Step budget. @default the runtime's maxSteps */
  readonly maxSteps?: number;
  /** Initial run metadata (the agent's state), plain JSON. */
  readonly metadata?: Record<string, unknown>;
  /** Name of the finishing tool. @default "done" */
  readonly doneTool?: string;
}

/**
 * The library, handed to bundles as `runtime.lib`, so that a bundle needs no
 * imports and runs the same from a checkout, the JSR package or the
 * single-file CLI.
 *
 * @example Define a tool in `build(runtime)` without imports
 * ```ts ignore
 * const { tool, z, think } = runtime.lib;
 * const greet = tool({
 *   name: "greet",
 *   description: "Greet someone by name.",
 *   input: z.object({ name: z.string() }),
 *   execute: ({ name }) => ({ greeting: `Hello, ${name}!` }),
 * });
 * return { tools: [greet, think] };
 * ```
 */
export interface BundleLibrary {
  /** Zod. */
  readonly z: typeof z;
  /** Define a tool with a Zod input schema. */
  tool<Args, Result>(definition: ToolDefinition<Args, Result>): Tool<Args, Result>;
  /** The standard `done` tool. */
  readonly done: AnyTool;
  /** The `think` tool. */
  readonly think: AnyTool;
  /** bash, read_file, write_file, edit_file, glob, grep, confined to a folder. */
  workspaceTools(root: string, options?: WorkspaceToolsOptions): AnyTool[];
  /** A hook rejecting `done` until the tests pass. */
  testGuard(options: TestGuardOptions): ConfiguredHook;
  /** Run a program (no shell) and collect its output; kills it on timeout or abort. */
  runCommand(
    program: string,
    args: readonly string[],
    options: RunCommandOptions,
  ): Promise<CommandRun>;
  /** Named hook factories (as used by hooks/hooks.json). */
  readonly hookFactories: ReadonlyMap<string, HookFactory>;
}

/**
 * What a bundle's `build` (and `run`) receives.
 *
 * @example Read runtime options in `build`
 * ```ts ignore
 * export function build(runtime: BundleRuntime): AgentPreset {
 *   const { lib, workspace } = runtime;
 *   const command = runtime.option("test_command", "deno test -A");
 *   return {
 *     tools: [...lib.workspaceTools(workspace), lib.think],
 *     hooks: [lib.testGuard({ workspace, command })],
 *   };
 * }
 * ```
 */
export interface BundleRuntime {
  /** The folder the agent works in (absolute). */
  readonly workspace: string;
  /** The step budget asked for. */
  readonly maxSteps: number;
  /** The bundle's own folder (absolute). */
  readonly bundleRoot: string;
  /** True for a `--scripted` run. */
  readonly scripted: boolean;
  /** Free-form options (e.g. `require_tests`). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * How far commands are trusted in this run: the sandbox asked for (`--sandbox`), the network
   * and passed variables the bundle declares. `lib.workspaceTools`, `lib.testGuard` and
   * `lib.runCommand` already apply it.
   */
  readonly commands: CommandPolicy;
  /** Read an option with a default. */
  option<T>(name: string, fallback: T): T;
  /** The library. */
  readonly lib: BundleLibrary;
}
