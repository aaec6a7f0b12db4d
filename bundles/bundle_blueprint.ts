import { composableLoop } from "../loop/composable_loop.ts";
import type { Backend, ModelRequest, ToolSchema } from "../loop/types.ts";
import { type AgentBlueprint, agentBlueprint } from "./blueprint.ts";
import { bundleOptions } from "./bundle_options.ts";
import type { BundleOptionSpec } from "./bundle_option_spec.ts";
import {
  buildBundle,
  type BuildBundleOptions,
  type BuiltAgent,
  loadBundle,
  type LoadedBundle,
} from "./load_bundle.ts";

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
  return (await describeBundle(await loadBundle(root), options)).blueprint;
}

/**
 * A bundle as `looplet blueprint` shows it: the blueprint, the runtime
 * options it declares, the `done` tool, and the system prompt the model
 * really receives.
 *
 * @example Print the prompt a bundle sends
 * ```ts ignore
 * const { composedPrompt } = await describeBundle(await loadBundle("coder"));
 * console.log(composedPrompt);
 * ```
 */
export interface BundleDescription {
  /** The blueprint (fingerprinted). */
  readonly blueprint: AgentBlueprint;
  /** The runtime options the bundle reads, with their types and defaults. */
  readonly options: Readonly<Record<string, BundleOptionSpec>>;
  /** The finishing tool as the model sees it. */
  readonly doneTool: ToolSchema;
  /** The system prompt of the first model call. */
  readonly composedPrompt: string;
}

/** Options of `describeBundle`. */
export interface DescribeBundleOptions extends BuildBundleOptions {
  /** Describe the prompt for a model with native tool calls (false adds the text protocol). @default true */
  readonly nativeTools?: boolean;
}

/** Capture the first request the loop sends, without calling any model. */
async function firstRequest(agent: BuiltAgent, nativeTools: boolean): Promise<ModelRequest> {
  let captured: ModelRequest | undefined;
  const capture: Backend = {
    name: "describe",
    capabilities: { nativeTools },
    generate(request) {
      captured = request;
      return Promise.reject(new Error("described"));
    },
  };
  const run = composableLoop({
    llm: capture,
    task: "describe",
    tools: agent.tools,
    systemPrompt: agent.systemPrompt,
    doneTool: agent.doneTool,
    maxSteps: 1,
    retry: { attempts: 1 },
  });
  for await (const _ of run); // not Array.fromAsync: Node 20 lacks it
  if (captured === undefined) throw new Error("Cannot describe bundle: the loop sent no request");
  return captured;
}

/**
 * Build a loaded bundle and describe it: blueprint, declared options, the
 * finishing tool and the system prompt the model really receives.
 *
 * @param bundle The loaded bundle.
 * @param options Build options, and whether the model calls tools natively.
 * @returns The description.
 * @throws {BundleError} When the bundle is invalid.
 * @example
 * ```ts ignore
 * const { options } = await describeBundle(await loadBundle("examples/skills/coder"));
 * console.log(Object.keys(options));
 * ```
 */
export async function describeBundle(
  bundle: LoadedBundle,
  options: DescribeBundleOptions = {},
): Promise<BundleDescription> {
  const { nativeTools = true, ...build } = options;
  const agent = await buildBundle(bundle, build);
  try {
    const request = await firstRequest(agent, nativeTools);
    const doneTool = (request.tools ?? []).find((tool) => tool.name === agent.doneTool);
    if (doneTool === undefined) {
      throw new Error(`Cannot describe bundle "${bundle.name}": no "${agent.doneTool}" tool`);
    }
    return {
      blueprint: agentBlueprint(agent, {
        path: bundle.folder.displayRoot,
        entrypoint: bundle.folder.entrypoint?.relative ?? null,
        tags: bundle.folder.tags,
      }),
      options: bundleOptions(bundle),
      doneTool,
      composedPrompt: request.systemPrompt ?? "",
    };
  } finally {
    await agent.close();
  }
}
