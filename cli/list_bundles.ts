/**
 * `looplet list-bundles <roots...>`: find bundles under folders.
 *
 * @module
 */
import type { CommandSpec } from "./args.ts";

/**
 * The `list-bundles` command.
 *
 * @example
 * ```ts ignore
 * await main(["list-bundles", "examples/skills", "--json"]);
 * ```
 */
export const command: CommandSpec = {
  name: "list-bundles",
  usage: "<roots...>",
  summary: "Find bundles under folders: name, status, path and description, one per line.",
  options: {
    json: { type: "boolean", description: "print the bundle cards as a JSON array" },
    "include-invalid": { type: "boolean", description: "also list bundles that cannot run" },
    check: {
      type: "boolean",
      description:
        "validate what run would (tools, entrypoint, hooks, mcp.json); exit 1 if any fails",
    },
  },
  positionals: { min: 1, max: Infinity, names: "at least one folder to search" },
  async run({ values, positionals }, context) {
    const { discoverBundles } = await import("../bundles/discover_bundles.ts");
    const { cards, warnings } = await discoverBundles(positionals, {
      includeInvalid: Boolean(values["include-invalid"] || values.check),
      check: Boolean(values.check),
    });
    if (values.json) {
      context.io.stdout(JSON.stringify(cards, null, 2));
    } else {
      for (const card of cards) {
        context.io.stdout(
          `${card.name}\t${card.ok ? "ok" : "invalid"}\t${card.path}\t${card.description}`,
        );
        for (const error of card.errors) context.io.stdout(`  - ${error}`);
      }
      if (cards.length === 0) context.io.stdout("no bundles found");
    }
    for (const warning of warnings) context.io.stderr(`warning: ${warning}`);
    return values.check && cards.some((card) => !card.ok) ? 1 : 0;
  },
};
