import { z } from "zod";
import { done } from "../loop/done_tool.ts";
import { think } from "../tools/think_tool.ts";
import { tool } from "../tools/tool.ts";
import { workspaceTools } from "../tools/workspace/workspace_tools.ts";
import { runCommand } from "../tools/workspace/bash_tool.ts";
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
