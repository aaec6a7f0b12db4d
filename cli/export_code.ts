/**
 * `looplet export-code <bundle> <out.ts>`: write a standalone program for a bundle.
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";

/**
 * The `export-code` command.
 *
 * @example
 * ```ts ignore
 * await main(["export-code", "coder", "coder_agent.ts"]);
 * ```
 */
export const command: CommandSpec = {
  name: "export-code",
  usage: "<bundle> <out.ts>",
  summary:
    "Write a standalone TypeScript program that embeds the bundle and runs it with real models.",
  options: {
    library: {
      type: "string",
      value: "SPECIFIER",
      description: "where the program imports looplet from (a package or a checkout path)",
      default: "jsr:@looplet/looplet",
    },
  },
  positionals: { min: 2, max: 2, names: "a bundle folder and an output .ts file" },
  async run({ values, arg }, context) {
    const { exportAgentCode } = await import("../cartridge/export_cartridge_code.ts");
    const result = await exportAgentCode(arg(0), arg(1), {
      ...(values.library ? { library: values.library as string } : {}),
    });
    context.io.stdout(`exported ${arg(0)} -> ${result.path}`);
    context.io.stdout(`fingerprint: ${result.fingerprint}`);
    return 0;
  },
};
