import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatBundleProblem } from "./bundle_error.ts";
import { readBundleFolder } from "./read_bundle_folder.ts";

/** What discovery knows about a bundle, without importing its code. */
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
  /** True when the folder is valid. */
  readonly ok: boolean;
  /** Problems, one line each. */
  readonly errors: readonly string[];
}

/** Options of `discoverBundles`. */
export interface DiscoverBundlesOptions {
  /** Include invalid bundles (with their errors). @default false */
  readonly includeInvalid?: boolean;
  /** Deepest folder level searched under each root. @default 6 */
  readonly maxDepth?: number;
}

/** What `discoverBundles` returns. */
export interface DiscoveredBundles {
  /** Cards, sorted by name. */
  readonly cards: readonly BundleCard[];
  /** Duplicate names and other findings. */
  readonly warnings: readonly string[];
}

const SKIP = new Set([".git", "node_modules", ".looplet", "dist"]);

async function findSkillFolders(root: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  if (entries.some((entry) => entry.isFile() && entry.name === "SKILL.md")) {
    out.push(root);
    return;
  }
  if (depth <= 0) return;
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && !SKIP.has(entry.name) && !entry.name.startsWith(".")) {
      await findSkillFolders(join(root, entry.name), depth - 1, out);
    }
  }
}

/**
 * Find bundles under folders: every folder with a SKILL.md, validated
 * without importing any code. Duplicate names keep the first and warn.
 *
 * @param roots Folders to search (or bundle folders themselves).
 * @param options Include invalid bundles; search depth.
 * @returns Cards sorted by name, and warnings.
 * @throws {Error} When a root does not exist.
 * @example
 * ```ts ignore
 * const { cards } = await discoverBundles(["examples/skills"]);
 * ```
 */
export async function discoverBundles(
  roots: readonly string[],
  options: DiscoverBundlesOptions = {},
): Promise<DiscoveredBundles> {
  const { includeInvalid = false, maxDepth = 6 } = options;
  const folders: string[] = [];
  for (const root of roots) {
    if (!(await stat(root).then((info) => info.isDirectory(), () => false))) {
      throw new Error(
        `Cannot search "${root}": it is not a folder; give folders that contain bundles`,
      );
    }
    await findSkillFolders(root, maxDepth, folders);
  }
  const cards: BundleCard[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  const unique = [...new Set(folders.map((folder) => resolve(folder)))];
  const results = await Promise.all(unique.map((folder) => readBundleFolder(folder)));
  unique.forEach((folder, index) => {
    const { folder: bundle, problems } = results[index];
    const name = bundle?.skill.name ?? folder.split("/").at(-1)!;
    const card: BundleCard = {
      name,
      description: bundle?.skill.description ?? "",
      path: folder,
      entrypoint: bundle?.entrypoint?.relative ?? null,
      tags: bundle?.tags ?? [],
      ok: bundle !== undefined,
      errors: problems.map(formatBundleProblem),
    };
    if (!card.ok && !includeInvalid) return;
    const previous = seen.get(name);
    if (previous !== undefined) {
      warnings.push(
        `bundle name "${name}" is used by ${previous} and ${folder}; keeping the first`,
      );
      return;
    }
    seen.set(name, folder);
    cards.push(card);
  });
  cards.sort((a, b) => a.name.localeCompare(b.name));
  return { cards, warnings };
}
