import type { Hook } from "../loop/types.ts";
import { activeSkills } from "./skill_tools.ts";
import type { SkillStore } from "./skill_store.ts";

/**
 * The heading above active skills' instructions in the prompt.
 *
 * @example Find the active skills in a prompt
 * ```ts ignore
 * const injected = request.messages.filter((m) => m.content.startsWith(ACTIVE_SKILLS_HEADING));
 * ```
 */
export const ACTIVE_SKILLS_HEADING = "=== ACTIVE SKILLS ===";

/**
 * Options of `skillActivationHook`.
 *
 * @example Start with two skills active
 * ```ts ignore
 * const store = await SkillStore.load("./skills");
 * const hook = skillActivationHook(store, { active: ["brand-guidelines", "pdf"] });
 * ```
 */
export interface SkillActivationHookOptions {
  /** Skills active from the start (names in the store). @default [] */
  readonly active?: readonly string[];
}

/**
 * Put the instructions of active skills (activated with `activate_skill`, or
 * listed in `active`) into every prompt, in activation order. They are
 * re-rendered each turn, so compaction never loses them.
 *
 * @param store The skills.
 * @param options Skills active from the start.
 * @returns The hook.
 * @throws {RangeError} When a name in `active` is not in the store.
 * @example
 * ```ts ignore
 * hooks: [skillActivationHook(store, { active: ["brand-guidelines"] })]
 * ```
 */
export function skillActivationHook(
  store: SkillStore,
  options: SkillActivationHookOptions = {},
): Hook {
  const { active = [] } = options;
  for (const name of active) store.get(name);
  return {
    name: "skill-activation",
    prePrompt({ state }) {
      const names = [...new Set([...active, ...activeSkills(state.metadata)])];
      const blocks = names.filter((name) => store.has(name)).map((name) =>
        `## ${name}\n\n${store.get(name).body.trim()}`
      );
      if (blocks.length === 0) return;
      return { inject: `${ACTIVE_SKILLS_HEADING}\n\n${blocks.join("\n\n")}` };
    },
  };
}
