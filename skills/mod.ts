/**
 * Skills: `SKILL.md` parsing, a skill store over folders, the lazy-skill
 * tools (`search_skills`, `activate_skill`) and the hook that injects active
 * skills' instructions. A separate entry point because it loads a YAML
 * parser and Zod: `import { SkillStore } from "jsr:@looplet/looplet/skills"`.
 *
 * @module
 */
export { formatSkillProblem, parseSkillMd, readSkillMd, SkillMdError } from "./skill_md.ts";
export type {
  ReadSkillMdOptions,
  SkillDocument,
  SkillProblem,
  SkillReadResult,
} from "./skill_md.ts";
export { SkillStore } from "./skill_store.ts";
export type { SkillCard, SkillStoreOptions } from "./skill_store.ts";
export { ACTIVE_SKILLS_KEY, activeSkills, skillTools } from "./skill_tools.ts";
export type { SkillToolsOptions } from "./skill_tools.ts";
export { ACTIVE_SKILLS_HEADING, skillActivationHook } from "./skill_activation_hook.ts";
export type { SkillActivationHookOptions } from "./skill_activation_hook.ts";
