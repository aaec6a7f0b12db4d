import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { loadBundle, type LoadedBundle } from "./load_bundle.ts";

/**
 * A bundle file as embedded by `export-code`: text, or binary as base64.
 *
 * @example Text and binary files of an embedded bundle
 * ```ts
 * import type { EmbeddedFile } from "jsr:@looplet/looplet/bundles";
 * const files: Record<string, EmbeddedFile> = {
 *   "SKILL.md": "---\nname: greeter\ndescription: Greets people.\n---\nGreet the user.\n",
 *   "assets/logo.png": { base64: "iVBORw0KGgo=" },
 * };
 * ```
 */
export type EmbeddedFile = string | { readonly base64: string };

/**
 * Write embedded bundle files (from an `export-code` program) to a fresh
 * temporary folder and load the bundle from there.
 *
 * @param files Files by path relative to the bundle folder.
 * @returns The loaded bundle.
 * @throws {TypeError} When a path leaves the bundle folder.
 * @throws {BundleError} When the files do not make a valid bundle.
 * @example
 * ```ts ignore
 * const bundle = await materializeBundle({ "SKILL.md": "---\nname: a\ndescription: b\n---\n" });
 * ```
 */
export async function materializeBundle(
  files: Readonly<Record<string, EmbeddedFile>>,
): Promise<LoadedBundle> {
  const root = await mkdtemp(join(tmpdir(), "looplet-bundle-"));
  for (const [path, content] of Object.entries(files)) {
    const clean = normalize(path);
    if (isAbsolute(clean) || clean.startsWith("..")) {
      throw new TypeError(`materializeBundle: file path "${path}" leaves the bundle folder`);
    }
    const target = join(root, clean);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(
      target,
      typeof content === "string"
        ? content
        : Uint8Array.from(atob(content.base64), (char) => char.charCodeAt(0)),
    );
  }
  return await loadBundle(root);
}
