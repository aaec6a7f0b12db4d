import { z } from "zod";
import { done } from "../loop/done_tool.ts";
import { think } from "../tools/think_tool.ts";
import { tool } from "../tools/tool.ts";
import { workspaceTools } from "../tools/workspace/workspace_tools.ts";
import { type CommandPolicy, runCommand } from "../tools/workspace/run_command.ts";
import type { BundleLibrary } from "./agent_preset.ts";
import { HOOK_FACTORIES } from "./hook_registry.ts";
import { testGuard } from "./test_guard.ts";

/**
 * The library object bundles receive as `runtime.lib`.
 *
 * @example
 * ```ts ignore
 * const { tool, z } = BUNDLE_LIBRARY;
 * ```
 */
export const BUNDLE_LIBRARY: BundleLibrary = Object.freeze({
  z,
  tool,
  done,
  think,
  workspaceTools,
  testGuard,
  runCommand,
  hookFactories: HOOK_FACTORIES,
});

/**
 * The library with a run's command policy applied: its `workspaceTools`,
 * `testGuard` and `runCommand` use the sandbox, network and passed variables
 * unless a bundle overrides them.
 *
 * @param policy The run's command policy.
 * @returns The library for `runtime.lib`.
 * @example
 * ```ts ignore
 * const lib = bundleLibrary({ sandbox: "auto" });
 * ```
 */
export function bundleLibrary(policy: CommandPolicy): BundleLibrary {
  return Object.freeze(
    {
      ...BUNDLE_LIBRARY,
      workspaceTools: (root, options) => workspaceTools(root, { ...policy, ...options }),
      testGuard: (options) => testGuard({ ...policy, ...options }),
      runCommand: (program, args, options) => runCommand(program, args, { ...policy, ...options }),
    } satisfies BundleLibrary,
  );
}
