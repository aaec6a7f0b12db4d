import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { EmbeddedFile } from "./materialize_bundle.ts";

/**
 * What `embedFiles` leaves out and how much it takes.
 *
 * @example Leave out caches, stop past 5 MB
 * ```ts ignore
 * const options: EmbedFilesOptions = {
 *   skipFolders: new Set([".git", "node_modules"]),
 *   maxBytes: 5_000_000,
 *   tooLarge: () => new Error("is larger than 5 MB"),
 * };
 * ```
 */
export interface EmbedFilesOptions {
  /** Folder names not descended into, at any depth. */
  readonly skipFolders: ReadonlySet<string>;
  /** Files left out, by name. @default none */
  readonly skipFile?: (name: string) => boolean;
  /** Most bytes all files together may hold. */
  readonly maxBytes: number;
  /** The error thrown once the files read pass `maxBytes`. */
  tooLarge(): Error;
}

/**
 * Read every file below some folders of `root`, in name order, for an
 * exported program: text as a string, a file with a NUL byte as base64.
 *
 * @param root The folder the paths are relative to.
 * @param folders The folders to read, relative to `root` (`""` for `root` itself).
 * @param options What to leave out and the size limit.
 * @returns The files by path relative to `root`, with `/` separators.
 * @throws {Error} `options.tooLarge()` when the files pass `options.maxBytes`.
 * @example Embed a bundle folder
 * ```ts ignore
 * const files = await embedFiles("examples/skills/coder", [""], options);
 * ```
 */
export async function embedFiles(
  root: string,
  folders: readonly string[],
  options: EmbedFilesOptions,
): Promise<Record<string, EmbeddedFile>> {
  const files: Record<string, EmbeddedFile> = {};
  const size = { bytes: 0 };
  for (const folder of folders) await collect(root, folder, files, size, options);
  return files;
}

async function collect(
  root: string,
  dir: string,
  out: Record<string, EmbeddedFile>,
  size: { bytes: number },
  options: EmbedFilesOptions,
): Promise<void> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!options.skipFolders.has(entry.name)) await collect(root, rel, out, size, options);
    } else if (entry.isFile() && options.skipFile?.(entry.name) !== true) {
      const bytes = await readFile(join(root, rel));
      size.bytes += bytes.length;
      if (size.bytes > options.maxBytes) throw options.tooLarge();
      out[rel] = bytes.includes(0) ? { base64: toBase64(bytes) } : new TextDecoder().decode(bytes);
    }
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

/**
 * Where an exported program imports looplet from.
 *
 * @example The modules of a package and of a checkout
 * ```ts ignore
 * libraryModules("jsr:@looplet/looplet").module("cli"); // "jsr:@looplet/looplet/cli"
 * libraryModules("../looplet").module("cli"); // "file:///…/looplet/cli/mod.ts"
 * ```
 */
export interface LibraryModules {
  /** The specifier of one entry (`"bundles"`, `"cartridge"`, `"cli"`). */
  module(entry: string): string;
  /** A checkout's `deno.json`, whose imports (zod, yaml) the program needs; absent for a package. */
  readonly config?: string;
}

/**
 * Read `--library`: a package specifier (its subpath entries are used) or a
 * path or `file:` URL of a looplet checkout (its `<entry>/mod.ts` files).
 *
 * @param library The package specifier, path or URL.
 * @returns How to name its entries.
 * @example Name a checkout's CLI module
 * ```ts ignore
 * const { module, config } = libraryModules("../looplet");
 * ```
 */
export function libraryModules(library: string): LibraryModules {
  const isPath = library.startsWith(".") || isAbsolute(library) || library.startsWith("file:");
  if (!isPath) return { module: (entry) => `${library}/${entry}` };
  const base = library.startsWith("file:") ? library : pathToFileURL(resolve(library)).href;
  const root = base.endsWith("/") ? base : `${base}/`;
  return { module: (entry) => `${root}${entry}/mod.ts`, config: fileURLToPath(`${root}deno.json`) };
}
