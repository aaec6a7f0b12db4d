import type { BundleProblem } from "./bundle_error.ts";
import { BundleError } from "./bundle_error.ts";
import { declaredHooks } from "./hook_registry.ts";
import { loadBundle } from "./load_bundle.ts";
import { readBundleFolder } from "./read_bundle_folder.ts";

/**
 * Check a bundle the way `looplet run` would load it, without running it:
 * SKILL.md and its name, every `tools/<name>/tool.json`, `hooks/hooks.json`
 * (each hook known and its config accepted), `mcp.json`, and the entrypoint
 * (imported, exporting `build`). MCP servers are not started and `build` is
 * not called.
 *
 * @param root The bundle folder or its SKILL.md.
 * @returns Every problem found (empty when the bundle would load), and warnings.
 * @example List what keeps a bundle from running
 * ```ts ignore
 * import { checkBundle, formatBundleProblem } from "jsr:@looplet/looplet/bundles";
 * const { problems } = await checkBundle("skills/draft");
 * for (const problem of problems) console.error(formatBundleProblem(problem));
 * ```
 */
export async function checkBundle(
  root: string,
): Promise<{ problems: readonly BundleProblem[]; warnings: readonly string[] }> {
  const { folder, problems, warnings } = await readBundleFolder(root);
  if (folder === undefined) return { problems, warnings };
  const found: BundleProblem[] = declaredHooks(
    folder.hooks,
    `${folder.displayRoot}/hooks/hooks.json`,
    { workspace: folder.root },
  ).problems;
  if (folder.entrypoint !== undefined) {
    try {
      await loadBundle(root);
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      found.push(...error.problems);
    }
  }
  return { problems: found, warnings };
}
