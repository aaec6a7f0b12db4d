/**
 * `looplet package <module#export> <out-dir>`: turn a factory into a runnable bundle.
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";

/**
 * The `package` command.
 *
 * @example
 * ```ts ignore
 * await main(["package", "agents.ts#makeAgent", "bundles/agent"]);
 * ```
 */
export const command: CommandSpec = {
  name: "package",
  usage: "<module#export> <out-dir>",
  summary: "Turn a factory function (module.ts#export) into a bundle folder that `run` loads.",
  options: {
    name: {
      type: "string",
      value: "NAME",
      description: "the bundle's name",
      default: "the export name in kebab case",
    },
    description: { type: "string", value: "TEXT", description: "the bundle's description" },
    tag: { type: "string", multiple: true, value: "TAG", description: "a tag for the bundle" },
  },
  positionals: {
    min: 2,
    max: 2,
    names: "a factory reference (module.ts#export) and an output folder",
  },
  async run({ values, arg }, context) {
    const { packageFactory } = await import("../bundles/package_factory.ts");
    const result = await packageFactory(arg(0), arg(1), {
      ...(values.name ? { name: values.name as string } : {}),
      ...(values.description ? { description: values.description as string } : {}),
      tags: (values.tag as string[] | undefined) ?? [],
    });
    context.io.stdout(`packaged ${arg(0)} -> ${result.path}`);
    context.io.stdout(`try it: looplet run ${result.path} "<task>" --scripted-response '<reply>'`);
    return 0;
  },
};
