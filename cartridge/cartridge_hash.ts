import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** Folder names whose files never count towards a cartridge's identity (spec: "Cartridge identity"). */
export const HASH_EXCLUDED_NAMES: readonly string[] = [
  "__pycache__",
  ".git",
  ".venv",
  "seed",
  ".pytest_cache",
  ".mypy_cache",
];

/** File suffixes that never count towards a cartridge's identity. */
export const HASH_EXCLUDED_SUFFIXES: readonly string[] = [".pyc", ".pyo"];

/**
 * A cartridge's content hash and the per-file digests it folds.
 *
 * @example Print the digest and its inputs
 * ```ts ignore
 * const { digest, files } = await cartridgeHash("hello.cartridge");
 * console.log(digest);
 * for (const { path, sha256 } of files) console.log(sha256, path);
 * ```
 */
export interface CartridgeHash {
  /** SHA-256 hex digest of the cartridge. */
  readonly digest: string;
  /** `(relative POSIX path, file SHA-256)` pairs, sorted by path. */
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function isFile(path: string): Promise<boolean> {
  return await stat(path).then((info) => info.isFile(), () => false);
}

async function walk(root: string, prefix: string, out: string[]): Promise<void> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true });
  for (const entry of entries) {
    if (HASH_EXCLUDED_NAMES.includes(entry.name)) continue;
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) await walk(root, relative, out);
    else if (entry.isFile() || (entry.isSymbolicLink() && await isFile(join(root, relative)))) {
      // Like Python's rglob + is_file(): a link to a file counts (its target's bytes), a link
      // to a folder is not followed.
      if (!HASH_EXCLUDED_SUFFIXES.includes(suffixOf(entry.name))) out.push(relative);
    }
  }
}

/** The suffix as Python's `PurePath.suffix` reads it: `.pyc` of `a.pyc`, nothing for `.pyc` alone. */
function suffixOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? name.slice(dot) : "";
}

function byCodePoint(a: string, b: string): number {
  const left = Array.from(a, (char) => char.codePointAt(0) ?? 0);
  const right = Array.from(b, (char) => char.codePointAt(0) ?? 0);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const delta = (left[index] ?? 0) - (right[index] ?? 0);
    if (delta !== 0) return delta;
  }
  return left.length - right.length;
}

/**
 * The spec's deterministic content hash of a cartridge folder (the value
 * `looplet hash` prints in both runtimes): walk the folder, skip any path
 * with a component named `__pycache__`, `.git`, `.venv`, `seed`,
 * `.pytest_cache` or `.mypy_cache` and files ending `.pyc` / `.pyo`, hash
 * each file, sort the `(relative POSIX path, sha256)` pairs by path (code
 * point order), and feed `<path>\0<sha256>\n` for each pair into one
 * SHA-256.
 *
 * @param root The cartridge folder.
 * @returns The digest and the per-file hashes.
 * @throws {Error} When the folder cannot be read.
 * @example Hash a cartridge folder
 * ```ts ignore
 * const { digest } = await cartridgeHash("hello.cartridge");
 * ```
 */
export async function cartridgeHash(root: string): Promise<CartridgeHash> {
  const paths: string[] = [];
  await walk(root, "", paths);
  paths.sort(byCodePoint);
  const files: { path: string; sha256: string }[] = [];
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const path of paths) {
    const sha256 = hex(
      await crypto.subtle.digest("SHA-256", new Uint8Array(await readFile(join(root, path)))),
    );
    files.push({ path, sha256 });
    parts.push(encoder.encode(`${path}\0${sha256}\n`));
  }
  const total = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    total.set(part, offset);
    offset += part.length;
  }
  return { digest: hex(await crypto.subtle.digest("SHA-256", total)), files };
}
