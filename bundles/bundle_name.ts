/**
 * The rule a bundle or cartridge name follows wherever it becomes part of a
 * path (trace folders, packages, exported files): lowercase letters, digits,
 * `.`, `_` and `-`, starting with a letter or a digit, at most 64 characters.
 *
 * @example Check a name before using it in a path
 * ```ts
 * import { BUNDLE_NAME_RULE } from "jsr:@looplet/looplet/bundles";
 * BUNDLE_NAME_RULE.test("code-reviewer"); // true
 * BUNDLE_NAME_RULE.test("../../tmp/x"); // false
 * ```
 */
export const BUNDLE_NAME_RULE: RegExp = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Why a name cannot name a bundle, or undefined when it can.
 *
 * @param name The name from SKILL.md (or a cartridge's config).
 * @returns A message saying what to change, or undefined.
 * @example Refuse a name that would escape a folder
 * ```ts
 * import { bundleNameProblem } from "jsr:@looplet/looplet/bundles";
 * bundleNameProblem("x/../../etc"); // "'name' \"x/../../etc\" must be ..."
 * bundleNameProblem("greeter"); // undefined
 * ```
 */
export function bundleNameProblem(name: string): string | undefined {
  if (BUNDLE_NAME_RULE.test(name) && name.length <= 64) return undefined;
  return `'name' ${JSON.stringify(name)} must be lowercase letters, digits, '.', '_' or '-', ` +
    `starting with a letter or digit (at most 64 characters), because it names folders and files; ` +
    `rename it, for example "${suggestName(name)}"`;
}

function suggestName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "")
    .slice(0, 64);
  return cleaned === "" ? "my-bundle" : cleaned;
}
