import { type AgentBlueprint, agentBlueprint } from "../bundles/blueprint.ts";
import { bundleBlueprint } from "../bundles/bundle_blueprint.ts";
import type { BuildBundleOptions } from "../bundles/load_bundle.ts";
import { readCartridge } from "./read_cartridge.ts";
import { buildCartridge } from "./build_cartridge.ts";
import { isCartridgeFolder } from "./load_agent.ts";

/**
 * Load, build and describe a cartridge as a blueprint (the format bundles
 * use, with `source.kind` `"cartridge"`), then stop its servers.
 *
 * @param root The cartridge folder.
 * @param options Workspace and budget for the build.
 * @returns The blueprint.
 * @throws {CartridgeError} When the cartridge is invalid.
 * @example Print a cartridge's blueprint fingerprint
 * ```ts ignore
 * console.log((await cartridgeBlueprint("hello.cartridge")).fingerprint);
 * ```
 */
export async function cartridgeBlueprint(
  root: string,
  options: Pick<BuildBundleOptions, "workspace" | "maxSteps"> = {},
): Promise<AgentBlueprint> {
  const definition = await readCartridge(
    root,
    options.workspace ? { workspace: options.workspace } : {},
  );
  const agent = await buildCartridge(definition, { ...options, ask: () => false });
  try {
    return agentBlueprint(agent, { kind: "cartridge", path: definition.displayRoot });
  } finally {
    await agent.close();
  }
}

/**
 * The blueprint of a cartridge or of a bundle, whichever the folder holds.
 *
 * @param root The folder.
 * @param options Bundle build options (workspace, budget, MCP `connect`).
 * @returns The blueprint.
 * @example Describe any agent folder
 * ```ts ignore
 * const blueprint = await agentBlueprintOf("hello.cartridge", { workspace: "." });
 * ```
 */
export async function agentBlueprintOf(
  root: string,
  options: BuildBundleOptions = {},
): Promise<AgentBlueprint> {
  if (await isCartridgeFolder(root)) return await cartridgeBlueprint(root, options);
  return await bundleBlueprint(root, options);
}
