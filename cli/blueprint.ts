/**
 * `looplet blueprint <bundle>`: print what a bundle builds, as JSON.
 *
 * @module
 */
import { type CommandSpec, positiveInteger, resolveBundle } from "./args.ts";

/**
 * The `blueprint` command.
 *
 * @example
 * ```ts ignore
 * await main(["blueprint", "coder"]);
 * ```
 */
export const command: CommandSpec = {
  name: "blueprint",
  usage: "<bundle>",
  summary: "Print what a bundle builds (tools, hooks, prompt, budget), as sorted JSON.",
  options: {
    workspace: {
      type: "string",
      short: "w",
      value: "DIR",
      description: "the workspace to build for",
      default: ".",
    },
    "max-steps": {
      type: "string",
      value: "N",
      description: "step budget",
      default: "the bundle's max-steps, else 20",
    },
  },
  positionals: { min: 1, max: 1, names: "a bundle folder" },
  async run({ values, positionals }, context) {
    const maxSteps = positiveInteger("blueprint", "max-steps", values["max-steps"]);
    const bundle = await resolveBundle(positionals[0]);
    const { bundleBlueprint } = await import("../bundles/bundle_blueprint.ts");
    const blueprint = await bundleBlueprint(bundle, {
      workspace: (values.workspace as string | undefined) ?? ".",
      ...(maxSteps ? { maxSteps } : {}),
      ...(context.deps.connect ? { connect: context.deps.connect } : {}),
    });
    const { canonicalJson } = await import("../bundles/blueprint.ts");
    context.io.stdout(JSON.stringify(JSON.parse(canonicalJson(blueprint)), null, 2));
    return 0;
  },
};
