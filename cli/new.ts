/**
 * `looplet new <dir>`: scaffold a bundle that runs at once with `--scripted`.
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";

/**
 * The `new` command.
 *
 * @example
 * ```ts ignore
 * await main(["new", "bundles/hello"]);
 * ```
 */
export const command: CommandSpec = {
  name: "new",
  usage: "<dir>",
  summary: "Create a bundle folder (creating missing parents) that runs at once with --scripted.",
  options: {
    name: {
      type: "string",
      value: "NAME",
      description: "the bundle's name",
      default: "the folder's name",
    },
    description: { type: "string", value: "TEXT", description: "the bundle's description" },
  },
  positionals: { min: 1, max: 1, names: "the folder to create" },
  async run({ values, arg }, context) {
    const { scaffoldBundle } = await import("../bundles/scaffold_bundle.ts");
    const result = await scaffoldBundle(arg(0), {
      ...(values.name ? { name: values.name as string } : {}),
      ...(values.description ? { description: values.description as string } : {}),
    });
    context.io.stdout(`created ${result.path} (${result.files.join(", ")})`);
    context.io.stdout(`try it: looplet run ${result.path} "Say hello" --scripted`);
    return 0;
  },
};
