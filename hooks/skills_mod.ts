/**
 * Skills: `SKILL.md` parsing (and, as the hook library grows, the skill store
 * and activation hooks). A separate entry point because it loads a YAML
 * parser: `import { parseSkillMd } from "jsr:@looplet/looplet/skills"`.
 *
 * @module
 */
export { formatSkillProblem, parseSkillMd, readSkillMd, SkillMdError } from "./skill_md.ts";
export type { SkillDocument, SkillProblem, SkillReadResult } from "./skill_md.ts";
