import { kind } from "./_light_fs.ts";

const EXAMPLES = new URL("../examples/skills/", import.meta.url);

/**
 * Resolve a bundle argument: a path that exists is used as given; otherwise
 * a bare name such as `coder` or `dep-audit` names one of the example bundles
 * shipped with looplet (also inside a `deno compile` binary built with
 * `--include examples/skills`).
 *
 * @param argument The bundle argument as typed.
 * @returns The path to load.
 * @example
 * ```ts ignore
 * await resolveBundleArgument("coder"); // ".../examples/skills/coder" when ./coder does not exist
 * ```
 */
export async function resolveBundleArgument(argument: string): Promise<string> {
  if (await kind(argument) !== undefined) return argument;
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(argument) || EXAMPLES.protocol !== "file:") return argument;
  for (const name of new Set([argument, argument.replace(/-/g, "_")])) {
    const candidate = decodeURIComponent(new URL(`${name}/`, EXAMPLES).pathname).replace(/\/$/, "");
    if (await kind(`${candidate}/SKILL.md`) === "file") return candidate;
  }
  return argument;
}
