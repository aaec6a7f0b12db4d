import { type AgentBlueprint, agentBlueprint } from "./blueprint.ts";
import { buildBundle, type BuildBundleOptions, loadBundle } from "./load_bundle.ts";

/**
 * Load, build and describe a bundle folder as a blueprint.
 *
 * @param root The bundle folder.
 * @param options Workspace, budget and MCP `connect` for the build.
 * @returns The blueprint.
 * @throws {BundleError} When the bundle is invalid.
 * @example
 * ```ts ignore
 * const blueprint = await bundleBlueprint("examples/skills/coder");
 * console.log(blueprint.fingerprint);
 * ```
 */
export async function bundleBlueprint(
  root: string,
  options: BuildBundleOptions = {},
): Promise<AgentBlueprint> {
  const bundle = await loadBundle(root);
  const agent = await buildBundle(bundle, options);
  try {
    return agentBlueprint(agent, {
      path: bundle.folder.displayRoot,
      entrypoint: bundle.folder.entrypoint?.relative ?? null,
      tags: bundle.folder.tags,
    });
  } finally {
    await agent.close();
  }
}
