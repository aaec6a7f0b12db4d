/**
 * `looplet wrap-claude-skill <skill> <out-dir>`: make a Claude skill folder a looplet bundle.
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";

/**
 * The `wrap-claude-skill` command.
 *
 * @example
 * ```ts ignore
 * await main(["wrap-claude-skill", "skills/pdf", "bundles/pdf"]);
 * ```
 */
export const command: CommandSpec = {
  name: "wrap-claude-skill",
  usage: "<skill-dir> <out-dir>",
  summary: "Copy a Claude skill folder into a new looplet bundle and report what it cannot do.",
  options: {},
  positionals: { min: 2, max: 2, names: "a skill folder and an output folder" },
  async run({ arg }, context) {
    const { wrapClaudeSkill } = await import("../bundles/wrap_claude_skill.ts");
    const result = await wrapClaudeSkill(arg(0), arg(1));
    context.io.stdout(`wrapped ${arg(0)} -> ${result.path}`);
    context.io.stdout(`compatibility: ${result.compatibility}`);
    for (const gap of result.gaps) context.io.stdout(`gap: ${gap}`);
    return 0;
  },
};
