/**
 * `looplet blueprint <bundle>`: print what a bundle builds, as JSON.
 *
 * @module
 */
import { type CommandSpec, positiveInteger, resolveBundle, UsageError } from "./args.ts";
import { MAX_STEPS_FLAG, RUNTIME_FLAGS, runtimeOptions } from "./_runtime_options.ts";

/**
 * The `blueprint` command.
 *
 * @example
 * ```ts ignore
 * await main(["blueprint", "coder", "--test-command", "python3 -m pytest -q"]);
 * ```
 */
export const command: CommandSpec = {
  name: "blueprint",
  usage: "<bundle>",
  summary:
    "Print what a bundle builds (tools, hooks, budget), the options it reads, the done tool and the composed system prompt, as sorted JSON.",
  options: {
    workspace: {
      type: "string",
      short: "w",
      value: "DIR",
      description: "the workspace to build for",
      default: ".",
    },
    ...MAX_STEPS_FLAG,
    ...RUNTIME_FLAGS,
    protocol: {
      type: "string",
      value: "NAME",
      description: "compose the prompt for native tool calls or text (JSON in the reply)",
      default: "native",
    },
  },
  positionals: { min: 1, max: 1, names: "a bundle folder" },
  async run({ values, arg }, context) {
    const maxSteps = positiveInteger("blueprint", "max-steps", values["max-steps"]);
    const protocol = (values.protocol as string | undefined) ?? "native";
    if (protocol !== "native" && protocol !== "text") {
      throw new UsageError(`--protocol must be native or text, got "${protocol}"`, "blueprint");
    }
    const path = await resolveBundle(arg(0));
    const workspace = (values.workspace as string | undefined) ?? ".";
    const { isCartridgeFolder } = await import("../cartridge/load_agent.ts");
    const { canonicalJson } = await import("../bundles/blueprint.ts");
    if (await isCartridgeFolder(path)) {
      const { cartridgeBlueprint } = await import("../cartridge/cartridge_blueprint.ts");
      const blueprint = await cartridgeBlueprint(path, {
        workspace,
        ...(maxSteps ? { maxSteps } : {}),
        ...(context.deps.connect ? { connect: context.deps.connect } : {}),
      });
      context.io.stdout(JSON.stringify(JSON.parse(canonicalJson(blueprint)), null, 2));
      return 0;
    }
    const { loadBundle } = await import("../bundles/load_bundle.ts");
    const bundle = await loadBundle(path);
    const nativeTools = protocol === "native";
    const { describeBundle } = await import("../bundles/bundle_blueprint.ts");
    const described = await describeBundle(bundle, {
      workspace,
      options: runtimeOptions("blueprint", values, bundle, nativeTools),
      nativeTools,
      ...(maxSteps ? { maxSteps } : {}),
      ...(context.deps.connect ? { connect: context.deps.connect } : {}),
    });
    const shown = {
      ...described.blueprint,
      options: described.options,
      done_tool: {
        name: described.doneTool.name,
        description: described.doneTool.description,
        input_schema: described.doneTool.inputSchema,
      },
      composed_prompt: described.composedPrompt,
    };
    context.io.stdout(JSON.stringify(JSON.parse(canonicalJson(shown)), null, 2));
    return 0;
  },
};
