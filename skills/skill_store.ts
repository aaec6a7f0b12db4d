import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { isNotFound } from "../internal/not_found.ts";
import { readSkillMd, type SkillDocument, SkillMdError, type SkillProblem } from "./skill_md.ts";

/**
 * A skill's catalogue entry (what search returns and the model sees).
 *
 * @example List the catalogue
 * ```ts ignore
 * const store = await SkillStore.load("./skills");
 * for (const { name, description, path } of store.list()) {
 *   console.log(`${name} (${path}): ${description}`);
 * }
 * ```
 */
export interface SkillCard {
  /** Skill name. */
  readonly name: string;
  /** What it does and when to use it. */
  readonly description: string;
  /** Its SKILL.md. */
  readonly path: string;
  /** Tools the skill may use, when declared. */
  readonly allowedTools?: readonly string[];
}

/**
 * Options of `SkillStore.load`.
 *
 * @example Skip invalid skills with a warning
 * ```ts ignore
 * const store = await SkillStore.load(["./skills", "./vendor/skills"], { invalid: "skip" });
 * for (const warning of store.warnings) console.warn(warning);
 * ```
 */
export interface SkillStoreOptions {
  /** `"throw"` (default) stops at an invalid SKILL.md; `"skip"` leaves it out with a warning. @default "throw" */
  readonly invalid?: "throw" | "skip";
}

const SKIP_DIRS = new Set(["node_modules", ".git"]);
const TOKEN = /[a-z0-9][a-z0-9_-]*/g;

/**
 * Skills found under folders: each root may be a SKILL.md file, a skill
 * folder, or a tree searched for SKILL.md files. Names must be unique.
 * Scripts and other files in skill folders are never run.
 *
 * @example Search and load
 * ```ts ignore
 * const store = await SkillStore.load(["./skills"]);
 * const [best] = store.search("brand colours");
 * const skill = store.get(best.name);
 * ```
 */
export class SkillStore {
  /** The skills, sorted by name. */
  readonly skills: readonly SkillDocument[];
  /** Warnings: naming-rule findings, and invalid files skipped with `invalid: "skip"`. */
  readonly warnings: readonly string[];
  readonly #byName: ReadonlyMap<string, SkillDocument>;

  /**
   * Make a store from parsed skills (use `SkillStore.load` to read folders).
   *
   * @param skills Parsed SKILL.md documents with unique names.
   * @param warnings Warnings to keep.
   * @throws {SkillMdError} When two skills have the same name (naming both files).
   */
  constructor(skills: readonly SkillDocument[], warnings: readonly string[] = []) {
    const byName = new Map<string, SkillDocument>();
    const problems: SkillProblem[] = [];
    for (const skill of skills) {
      const other = byName.get(skill.name);
      if (other !== undefined) {
        problems.push({
          path: skill.path,
          line: nameLine(skill),
          field: "name",
          message:
            `duplicate skill name "${skill.name}": "${other.path}" has it too; rename one of them`,
        });
      } else byName.set(skill.name, skill);
    }
    if (problems.length > 0) throw new SkillMdError(problems);
    this.#byName = byName;
    this.skills = [...byName.values()].sort((a, b) => a.name < b.name ? -1 : 1);
    this.warnings = [...warnings, ...this.skills.flatMap((skill) => skill.warnings)];
  }

  /**
   * Read every SKILL.md under the roots.
   *
   * @param roots Files or folders.
   * @param options What to do with invalid files.
   * @returns The store.
   * @throws {SkillMdError} When a SKILL.md is invalid (`invalid: "throw"`) or two share a name.
   * @throws {Error} When a root does not exist (the message names it).
   */
  static async load(
    roots: string | readonly string[],
    options: SkillStoreOptions = {},
  ): Promise<SkillStore> {
    const { invalid = "throw" } = options;
    const list = typeof roots === "string" ? [roots] : roots;
    if (!Array.isArray(list) || list.length === 0) {
      throw new TypeError("Cannot load skills: pass at least one folder or SKILL.md path");
    }
    const files: string[] = [];
    for (const root of list) await collect(root, files);
    const skills: SkillDocument[] = [];
    const warnings: string[] = [];
    const problems: SkillProblem[] = [];
    for (const file of [...new Set(files)].sort()) {
      const result = readSkillMd(await readFile(file, "utf8"), file);
      if (result.skill !== undefined) skills.push(result.skill);
      else if (invalid === "skip") {
        warnings.push(
          ...new SkillMdError(result.problems).message.split("\n").map((line) =>
            `Skipped invalid skill: ${line}`
          ),
        );
      } else problems.push(...result.problems);
    }
    if (problems.length > 0) throw new SkillMdError(problems);
    return new SkillStore(skills, warnings);
  }

  /**
   * The catalogue: one card per skill.
   *
   * @returns Cards sorted by name.
   */
  list(): SkillCard[] {
    return this.skills.map(card);
  }

  /**
   * A skill by name.
   *
   * @param name The skill's name.
   * @returns The skill.
   * @throws {RangeError} When no skill has that name (the message lists the names).
   */
  get(name: string): SkillDocument {
    const skill = this.#byName.get(name);
    if (skill === undefined) {
      throw new RangeError(
        `Unknown skill "${name}"; available skills: ${[...this.#byName.keys()].join(", ")}`,
      );
    }
    return skill;
  }

  /**
   * Whether a skill of that name exists.
   *
   * @param name The name.
   * @returns True when it exists.
   */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * Rank skills for a query: per query word, +12 for the exact name, +6 when
   * the name contains it, +4 when the description does, +1 when the body does.
   *
   * @param query Words to look for; empty lists the first skills.
   * @param limit Most cards returned. @default 5
   * @returns Cards, best first (ties by name).
   */
  search(query: string, limit = 5): SkillCard[] {
    const words = query.toLowerCase().match(TOKEN) ?? [];
    if (words.length === 0) return this.list().slice(0, limit);
    const scored = this.skills.map((skill) => {
      const name = skill.name.toLowerCase();
      const description = skill.description.toLowerCase();
      const body = skill.body.toLowerCase();
      let score = 0;
      for (const word of words) {
        if (name === word) score += 12;
        else if (name.includes(word)) score += 6;
        if (description.includes(word)) score += 4;
        if (body.includes(word)) score += 1;
      }
      return { skill, score };
    }).filter(({ score }) => score > 0);
    scored.sort((a, b) => b.score - a.score || (a.skill.name < b.skill.name ? -1 : 1));
    return scored.slice(0, limit).map(({ skill }) => card(skill));
  }
}

function card(skill: SkillDocument): SkillCard {
  return {
    name: skill.name,
    description: skill.description,
    path: skill.path,
    ...(skill.allowedTools !== undefined ? { allowedTools: skill.allowedTools } : {}),
  };
}

function nameLine(skill: SkillDocument): number {
  const index = Object.keys(skill.frontMatter).indexOf("name");
  return index < 0 ? 2 : index + 2;
}

async function collect(root: string, files: string[]): Promise<void> {
  const info = await stat(root).catch((error) => {
    if (!isNotFound(error)) throw error;
    throw new Error(
      `Cannot load skills: "${root}" does not exist; pass a folder or a SKILL.md path`,
      {
        cause: error,
      },
    );
  });
  if (info.isFile()) {
    files.push(root);
    return;
  }
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) await collect(path, files);
    else if (entry.isFile() && entry.name === "SKILL.md") files.push(path);
  }
}
