import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** Categories of a cartridge edit, decided by path alone (spec principle 3). */
export const CARTRIDGE_CATEGORIES: readonly string[] = [
  "manifest",
  "prompt",
  "config",
  "runtime",
  "tool",
  "hook",
  "resource",
  "memory",
  "evals",
  "other",
];

/**
 * One changed file between two cartridges.
 *
 * @example A modified prompt
 * ```ts
 * import type { CartridgeChange } from "jsr:@looplet/looplet/cartridge";
 * const change: CartridgeChange = { path: "prompts/system.md", category: "prompt", change: "modified", delta: "+2 lines" };
 * ```
 */
export interface CartridgeChange {
  /** Relative POSIX path. */
  readonly path: string;
  /** Its category. */
  readonly category: string;
  /** Added, removed or modified. */
  readonly change: "added" | "removed" | "modified";
  /** Line delta, e.g. `+3 lines`, `(content)`. */
  readonly delta: string;
}

/**
 * The category of a path inside a cartridge.
 *
 * @param path A relative POSIX path.
 * @returns The category.
 * @example Categorise a path
 * ```ts
 * import { cartridgeCategory } from "jsr:@looplet/looplet/cartridge";
 * cartridgeCategory("tools/grep/tool.yaml"); // "tool"
 * ```
 */
export function cartridgeCategory(path: string): string {
  if (path === "cartridge.json" || path === "workspace.json") return "manifest";
  if (path === "config.yaml") return "config";
  if (path === "runtime.yaml") return "runtime";
  for (
    const [prefix, category] of [
      ["prompts/", "prompt"],
      ["tools/", "tool"],
      ["hooks/", "hook"],
      ["resources/", "resource"],
      ["memory/", "memory"],
      ["evals/", "evals"],
    ] as const
  ) {
    if (path.startsWith(prefix)) return category;
  }
  return "other";
}

async function files(
  root: string,
  prefix = "",
  out = new Map<string, Uint8Array>(),
): Promise<Map<string, Uint8Array>> {
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    if (entry.name === "__pycache__" || entry.name === ".git" || entry.name.endsWith(".pyc")) {
      continue;
    }
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await files(root, relative, out);
    else if (entry.isFile()) out.set(relative, await readFile(join(root, relative)));
  }
  return out;
}

function lineCount(bytes: Uint8Array | undefined): number {
  if (bytes === undefined || bytes.length === 0) return 0;
  return new TextDecoder().decode(bytes).split("\n").length;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/**
 * The changes from cartridge `a` to cartridge `b`, each with its category,
 * sorted by category (in `CARTRIDGE_CATEGORIES` order) then path.
 *
 * @param a The old cartridge folder.
 * @param b The new cartridge folder.
 * @returns The changes (empty when the folders hold the same files).
 * @throws {Error} When a folder cannot be read.
 * @example List the changes between two cartridges
 * ```ts ignore
 * for (const change of await diffCartridges("v1.cartridge", "v2.cartridge")) {
 *   console.log(change.category, change.change, change.path, change.delta);
 * }
 * ```
 */
export async function diffCartridges(a: string, b: string): Promise<CartridgeChange[]> {
  const before = await files(a);
  const after = await files(b);
  const changes: CartridgeChange[] = [];
  for (const path of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(path);
    const now = after.get(path);
    if (old && now && same(old, now)) continue;
    const change = old === undefined ? "added" : now === undefined ? "removed" : "modified";
    const delta = change === "added"
      ? `+${lineCount(now)} lines`
      : change === "removed"
      ? `-${lineCount(old)} lines`
      : lineCount(now) === lineCount(old)
      ? "(content)"
      : `${lineCount(now) > lineCount(old) ? "+" : ""}${lineCount(now) - lineCount(old)} lines`;
    changes.push({ path, category: cartridgeCategory(path), change, delta });
  }
  const order = (category: string) => CARTRIDGE_CATEGORIES.indexOf(category);
  return changes.sort((x, y) =>
    order(x.category) - order(y.category) || (x.path < y.path ? -1 : 1)
  );
}
