import { z } from "zod";
import { suggestSimilar } from "../loop/suggest_similar.ts";
import { tool } from "../tools/tool.ts";
import type { AnyTool, ToolContext } from "../loop/types.ts";
import type { SkillStore } from "./skill_store.ts";

/**
 * The metadata key that holds the names of active skills (saved in checkpoints).
 *
 * @example Read the active skills from the run's metadata
 * ```ts ignore
 * const outcome = await composableLoop({ llm, task, tools: skillTools(store) }).complete();
 * const names = outcome.state.metadata[ACTIVE_SKILLS_KEY]; // ["pdf"]
 * ```
 */
export const ACTIVE_SKILLS_KEY = "active_skills";

/**
 * Options of `skillTools`.
 *
 * @example Rename the skill tools
 * ```ts ignore
 * const tools = skillTools(store, { searchName: "find_skill", activateName: "use_skill" });
 * ```
 */
export interface SkillToolsOptions {
  /** Name of the search tool. @default "search_skills" */
  readonly searchName?: string;
  /** Name of the activation tool. @default "activate_skill" */
  readonly activateName?: string;
}

/**
 * The names of the skills active in a run (from its metadata).
 *
 * @example Which skills a finished run used
 * ```ts ignore
 * const outcome = await composableLoop({ llm, task, tools: skillTools(store) }).complete();
 * console.log(activeSkills(outcome.state.metadata)); // ["pdf"]
 * ```
 */
export function activeSkills(metadata: Readonly<Record<string, unknown>>): string[] {
  const value = metadata[ACTIVE_SKILLS_KEY];
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}

/**
 * The two tools of lazy skills: `search_skills` finds skills by words and
 * `activate_skill` turns one on for the rest of the run. Active skills live
 * in the run's metadata (so checkpoints keep them); `skillActivationHook`
 * puts their instructions in the prompt.
 *
 * @param store The skills.
 * @param options Tool names.
 * @returns `[search, activate]`.
 * @example
 * ```ts ignore
 * const store = await SkillStore.load("./skills");
 * const run = composableLoop({ llm, task, tools: [...skillTools(store)], hooks: [skillActivationHook(store)] });
 * ```
 */
export function skillTools(store: SkillStore, options: SkillToolsOptions = {}): AnyTool[] {
  const { searchName = "search_skills", activateName = "activate_skill" } = options;
  const search = tool({
    name: searchName,
    description: "Find skills (packaged instructions) relevant to a query. " +
      `Activate one with ${activateName} to get its instructions.`,
    input: z.object({
      query: z.string().describe("Words describing what you need"),
      limit: z.number().int().min(1).max(20).optional().describe("Most results (default 5)"),
    }),
    concurrencySafe: true,
    execute: ({ query, limit }) => ({
      skills: store.search(query, limit ?? 5).map(({ name, description }) => ({
        name,
        description,
      })),
    }),
  });
  const activate = tool({
    name: activateName,
    description:
      "Activate a skill by name; its instructions are added to your context from the next turn on.",
    input: z.object({ name: z.string().describe("The skill's name, from search results") }),
    execute: ({ name }, ctx: ToolContext) => {
      if (!store.has(name)) {
        const names = store.skills.map((skill) => skill.name);
        const hint = suggestSimilar(name, names);
        throw new Error(
          `Unknown skill "${name}".${hint ? ` Did you mean "${hint}"?` : ""} Use ${searchName} ` +
            "to find skills",
        );
      }
      const active = activeSkills(ctx.metadata);
      if (!active.includes(name)) active.push(name);
      ctx.metadata[ACTIVE_SKILLS_KEY] = active;
      return {
        activated: name,
        description: store.get(name).description,
        active_skills: active,
      };
    },
  });
  return [search, activate];
}
