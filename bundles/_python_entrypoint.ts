/**
 * Bundles made for the Python looplet name a `looplet.py` entrypoint (its
 * default); this CLI runs JavaScript/TypeScript entrypoints only, so such a
 * bundle is invalid with this one reason rather than a failed import.
 *
 * @module
 */
import { kind } from "./_light_fs.ts";

/** The problem text for a Python entrypoint. */
export function pythonEntrypointMessage(file: string): string {
  return `'entrypoint' "${file}" is a Python module (a bundle for the Python looplet), which this CLI does not run; port its build(runtime) to looplet.ts`;
}

/**
 * The Python entrypoint a bundle relies on: a declared `*.py` entrypoint, or
 * (with none declared and no JavaScript default found) a `looplet.py` file.
 *
 * @param folder The bundle folder.
 * @param declared The SKILL.md `entrypoint` field.
 * @param found Whether a default JavaScript/TypeScript entrypoint exists.
 * @returns The file, or undefined.
 */
export async function pythonEntrypoint(
  folder: string,
  declared: unknown,
  found: boolean,
): Promise<string | undefined> {
  if (typeof declared === "string") return /\.py$/i.test(declared) ? declared : undefined;
  if (declared !== undefined || found) return undefined;
  return await kind(`${folder}/looplet.py`) === "file" ? "looplet.py" : undefined;
}
