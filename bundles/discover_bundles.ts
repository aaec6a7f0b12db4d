import { formatBundleProblem } from "./bundle_error.ts";
import { bundleNameProblem } from "./bundle_name.ts";
import { parseFlatFrontMatter } from "./_front_matter.ts";
import {
  absolutePath,
  isInsidePath,
  joinPath,
  kind,
  listDir,
  readText,
  realPath,
} from "./_light_fs.ts";
import { pythonEntrypoint, pythonEntrypointMessage } from "./_python_entrypoint.ts";

/**
 * What discovery knows about a bundle, without importing its code.
 *
 * @example Print one line per bundle found
 * ```ts ignore
 * const { cards } = await discoverBundles(["examples/skills"], { includeInvalid: true });
 * for (const card of cards) {
 *   console.log(card.ok ? "ok " : "bad", card.name, card.entrypoint ?? "(declarative)", card.description);
 *   for (const error of card.errors) console.log("    ", error);
 * }
 * ```
 */
export interface BundleCard {
  /** `name` from SKILL.md (the folder name when unreadable). */
  readonly name: string;
  /** `description`, or `""`. */
  readonly description: string;
  /** Absolute folder path. */
  readonly path: string;
  /** Entrypoint relative to the folder, or null for declarative bundles. */
  readonly entrypoint: string | null;
  /** Tags. */
  readonly tags: readonly string[];
  /** True when SKILL.md and the entrypoint's location are valid. */
  readonly ok: boolean;
  /** Problems, one line each. */
  readonly errors: readonly string[];
}

/**
 * Options of `discoverBundles`.
 *
 * @example Search deeper and keep invalid bundles
 * ```ts ignore
 * const found = await discoverBundles(["."], { includeInvalid: true, maxDepth: 8 });
 * ```
 */
export interface DiscoverBundlesOptions {
  /** Include invalid bundles (with their errors). @default false */
  readonly includeInvalid?: boolean;
  /** Deepest folder level searched under each root. @default 6 */
  readonly maxDepth?: number;
  /**
   * Also check each bundle the way `looplet run` would load it (tool
   * manifests, hooks, `mcp.json`, the entrypoint imported): see `checkBundle`.
   * @default false
   */
  readonly check?: boolean;
}

/**
 * What `discoverBundles` returns.
 *
 * @example Show the names and the warnings
 * ```ts ignore
 * const { cards, warnings } = await discoverBundles(["examples/skills", "skills"]);
 * console.log(cards.map((card) => card.name).join(", "));
 * for (const warning of warnings) console.warn(warning);
 * ```
 */
export interface DiscoveredBundles {
  /** Cards, sorted by name. */
  readonly cards: readonly BundleCard[];
  /** Duplicate names and other findings. */
  readonly warnings: readonly string[];
}

const SKIP = new Set([".git", "node_modules", ".looplet", "dist"]);
const DEFAULT_ENTRYPOINTS = ["looplet.ts", "looplet.js", "looplet.mjs"];
const NAME_RULE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

async function findSkillFolders(root: string, depth: number, out: string[]): Promise<void> {
  const entries = await listDir(root);
  if (entries.some((entry) => entry.isFile && entry.name === "SKILL.md")) {
    out.push(root);
    return;
  }
  if (depth <= 0) return;
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.isDirectory && !SKIP.has(entry.name) && !entry.name.startsWith(".")) {
      await findSkillFolders(joinPath(root, entry.name), depth - 1, out);
    }
  }
}

interface Front {
  readonly name?: unknown;
  readonly description?: unknown;
  readonly [key: string]: unknown;
}

/** Front matter via the fast reader, else the full YAML reader (which reports problems with lines). */
async function readFront(
  text: string,
  path: string,
): Promise<{ front?: Front; problems: string[] }> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const close = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
  if (lines[0]?.trim() === "---" && close > 0) {
    const front = parseFlatFrontMatter(lines.slice(1, close));
    if (
      front && typeof front.name === "string" && front.name.trim() !== "" &&
      typeof front.description === "string" && front.description.trim() !== "" &&
      (front.license === undefined || typeof front.license === "string") &&
      front.metadata === undefined
    ) {
      return { front, problems: [] };
    }
  }
  const { readSkillMd } = await import("../skills/skill_md.ts");
  const { skill, problems } = readSkillMd(text, path);
  return skill
    ? { front: skill.frontMatter, problems: [] }
    : { problems: problems.map(formatBundleProblem) };
}

async function readCard(folder: string): Promise<BundleCard> {
  const skillPath = joinPath(folder, "SKILL.md");
  const fallbackName = folder.split("/").at(-1)!;
  const text = await readText(skillPath);
  const { front, problems } = text === undefined
    ? { front: undefined, problems: [`${skillPath}: cannot be read`] }
    : await readFront(text, skillPath);
  const errors = [...problems];
  let entrypoint: string | null = null;
  let tags: string[] = [];
  if (front) {
    const rawTags = front.tags;
    if (typeof rawTags === "string") {
      tags = rawTags.split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
    } else if (Array.isArray(rawTags) && rawTags.every((tag) => typeof tag === "string")) {
      tags = rawTags;
    } else if (rawTags !== undefined && rawTags !== null) {
      errors.push(`${skillPath}: tags: must be a list of strings or a comma-separated string`);
    }
    const maxSteps = front["max-steps"];
    if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && (maxSteps as number) > 0)) {
      errors.push(`${skillPath}: max-steps: must be a positive integer`);
    }
    const declared = front.entrypoint;
    const python = await pythonEntrypoint(folder, declared, false);
    if (python !== undefined && declared !== undefined) {
      errors.push(`${skillPath}: entrypoint: ${pythonEntrypointMessage(python)}`);
    } else if (declared !== undefined) {
      if (typeof declared !== "string" || declared === "") {
        errors.push(
          `${skillPath}: entrypoint: must be a file path inside the bundle, e.g. looplet.ts`,
        );
      } else {
        const target = joinPath(folder, declared);
        const real = await realPath(target);
        const realFolder = (await realPath(folder)) ?? folder;
        if (declared.startsWith("/") || !isInsidePath(folder, target)) {
          errors.push(
            `${skillPath}: 'entrypoint' "${declared}" is outside the bundle folder; move the module into the bundle and give a relative path such as looplet.ts`,
          );
        } else if (real === undefined) {
          errors.push(
            `${skillPath}: 'entrypoint' "${declared}" does not exist; create it (exporting build(runtime)) or remove the field`,
          );
        } else if (!isInsidePath(realFolder, real)) {
          errors.push(
            `${skillPath}: 'entrypoint' "${declared}" is a symlink to a file outside the bundle folder; copy the module into the bundle`,
          );
        } else entrypoint = declared;
      }
    } else {
      for (const candidate of DEFAULT_ENTRYPOINTS) {
        if (await kind(joinPath(folder, candidate)) === "file") {
          entrypoint = candidate;
          break;
        }
      }
      const python = await pythonEntrypoint(folder, undefined, entrypoint !== null);
      if (python !== undefined) {
        errors.push(`${skillPath}: entrypoint: ${pythonEntrypointMessage(python)}`);
      }
    }
  }
  const name = typeof front?.name === "string" ? front.name.trim() : fallbackName;
  const nameProblem = front ? bundleNameProblem(name) : undefined;
  if (nameProblem !== undefined) errors.push(`${skillPath}: ${nameProblem}`);
  return {
    name,
    description: typeof front?.description === "string" ? front.description.trim() : "",
    path: folder,
    entrypoint,
    tags,
    ok: errors.length === 0,
    errors,
  };
}

/** A card whatever the folder holds: one bad bundle is one card with errors, never a throw. */
async function safeCard(folder: string, check: boolean): Promise<BundleCard> {
  let card: BundleCard;
  try {
    card = await readCard(folder);
  } catch (error) {
    return {
      name: folder.split("/").at(-1)!,
      description: "",
      path: folder,
      entrypoint: null,
      tags: [],
      ok: false,
      errors: [`${joinPath(folder, "SKILL.md")}: cannot be read: ${(error as Error)?.message}`],
    };
  }
  if (!check || !card.ok) return card;
  try {
    const { checkBundle } = await import("./check_bundle.ts");
    const { problems } = await checkBundle(folder);
    if (problems.length === 0) return card;
    return { ...card, ok: false, errors: problems.map(formatBundleProblem) };
  } catch (error) {
    return {
      ...card,
      ok: false,
      errors: [`${folder}: cannot be checked: ${(error as Error)?.message}`],
    };
  }
}

/**
 * Find bundles under folders: every folder with a SKILL.md. Discovery reads
 * SKILL.md and checks the entrypoint's location without importing any code
 * or validating tool manifests (`loadBundle` validates everything).
 * Duplicate names keep the first and warn.
 *
 * @param roots Folders to search (or bundle folders themselves).
 * @param options Include invalid bundles; search depth.
 * @returns Cards sorted by name, and warnings.
 * @throws {Error} When a root is not a folder.
 * @example
 * ```ts ignore
 * const { cards } = await discoverBundles(["examples/skills"]);
 * ```
 */
export async function discoverBundles(
  roots: readonly string[],
  options: DiscoverBundlesOptions = {},
): Promise<DiscoveredBundles> {
  const { includeInvalid = false, maxDepth = 6, check = false } = options;
  const folders: string[] = [];
  for (const root of roots) {
    const absolute = await absolutePath(root);
    if (await kind(absolute) !== "dir") {
      throw new Error(
        `Cannot search "${root}": it is not a folder; give folders that contain bundles`,
      );
    }
    await findSkillFolders(absolute, maxDepth, folders);
  }
  const unique = [...new Set(folders)];
  const results = await Promise.all(unique.map((folder) => safeCard(folder, check)));
  const cards: BundleCard[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const card of results) {
    if (!card.ok && !includeInvalid) continue;
    if (card.ok && !NAME_RULE.test(card.name)) {
      warnings.push(
        `${card.path}/SKILL.md: 'name' "${card.name}" should be lowercase letters, digits and hyphens`,
      );
    }
    const previous = seen.get(card.name);
    if (previous !== undefined) {
      warnings.push(
        `bundle name "${card.name}" is used by ${previous} and ${card.path}; keeping the first`,
      );
      continue;
    }
    seen.set(card.name, card.path);
    cards.push(card);
  }
  cards.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { cards, warnings };
}
