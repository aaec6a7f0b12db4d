/**
 * Skill bundles: load a bundle folder (SKILL.md + entrypoint and/or
 * declarative tools, hooks, prompts, memory, MCP servers), build it into an
 * agent, describe it as a blueprint, and write, export, package or wrap it.
 * A separate entry point because it loads Zod and a YAML parser:
 * `import { loadBundle } from "jsr:@looplet/looplet/bundles"`.
 *
 * @module
 */
export { BundleError, formatBundleProblem } from "./bundle_error.ts";
export type { BundleProblem } from "./bundle_error.ts";
export type { AgentPreset, BundleLibrary, BundleRuntime } from "./agent_preset.ts";
export type { ScriptedResponse } from "../backends/scripted.ts";
export type { Step } from "../loop/step.ts";
export { BUNDLE_LIBRARY } from "./bundle_library.ts";
export { readBundleFolder } from "./read_bundle_folder.ts";
export { BUNDLE_NAME_RULE, bundleNameProblem } from "./bundle_name.ts";
export { checkBundle } from "./check_bundle.ts";
export type { BundleFolder, BundleFolderResult, ToolEntry } from "./read_bundle_folder.ts";
export type {
  BundleFrontMatterFields,
  HookSpec,
  McpServerSpec,
  ToolManifest,
} from "./bundle_manifest.ts";
export { buildBundle, bundleScriptedResponses, loadBundle } from "./load_bundle.ts";
export type {
  BuildBundleOptions,
  BuiltAgent,
  BundleEntrypoint,
  BundleRunContext,
  LoadedBundle,
  McpConnect,
  McpConnectConfig,
  McpConnection,
} from "./load_bundle.ts";
export { declaredTool } from "./declared_tool.ts";
export type { DeclaredToolOptions } from "./declared_tool.ts";
export { HOOK_FACTORIES } from "./hook_registry.ts";
export type { HookFactory, HookFactoryContext } from "./hook_registry.ts";
export { testGuard } from "./test_guard.ts";
export type { ConfiguredHook, TestGuardOptions } from "./test_guard.ts";
export {
  agentBlueprint,
  BLUEPRINT_SCHEMA_VERSION,
  blueprintFingerprint,
  compareBlueprints,
} from "./blueprint.ts";
export type {
  AgentBlueprint,
  AgentBlueprintOptions,
  BlueprintComparison,
  CompareBlueprintsOptions,
  ToolBlueprint,
} from "./blueprint.ts";
export { bundleBlueprint, describeBundle } from "./bundle_blueprint.ts";
export type { BundleDescription, DescribeBundleOptions } from "./bundle_blueprint.ts";
export { bundleOptions, parseBundleOptions } from "./bundle_options.ts";
export { resourceTool, skillResources } from "./bundle_resources.ts";
export type { BundleOptionSpec } from "./bundle_option_spec.ts";
export { discoverBundles } from "./discover_bundles.ts";
export type { BundleCard, DiscoverBundlesOptions, DiscoveredBundles } from "./discover_bundles.ts";
export { writeBundle } from "./write_bundle.ts";
export type { WriteBundleOptions } from "./write_bundle.ts";
export { materializeBundle } from "./materialize_bundle.ts";
export type { EmbeddedFile } from "./materialize_bundle.ts";
export { exportBundleCode } from "./export_bundle_code.ts";
export type { ExportBundleCodeOptions, ExportedCode } from "./export_bundle_code.ts";
export { packageFactory } from "./package_factory.ts";
export type { PackagedBundle, PackageFactoryOptions } from "./package_factory.ts";
export { claudeSkillCompatibility, wrapClaudeSkill } from "./wrap_claude_skill.ts";
export type { SkillCompatibility, WrappedSkill } from "./wrap_claude_skill.ts";
export { scaffoldBundle } from "./scaffold_bundle.ts";
export type { ScaffoldBundleOptions, ScaffoldedBundle } from "./scaffold_bundle.ts";
